"""The resolved look of one character: what parse.py produces and draw.py paints.

Kept apart from parsing because three stages share it: parse.py builds it
from ``content`` styles, effects.py rewrites it for 花字, draw.py paints it.
Units are the draft's own (see calibration.py); colours are 0–1 RGB.
"""

from __future__ import annotations

from dataclasses import dataclass

from draftcut.render.text.calibration import DEFAULT_SIZE

__all__ = ["RGB", "Glow", "Shadow", "Stroke", "Style"]

RGB = tuple[float, float, float]


@dataclass(frozen=True, slots=True)
class Stroke:
    rgb: RGB
    alpha: float
    width: float  # as stored (pyJianYingDraft: UI/100·0.2); × STROKE_EM_PER_WIDTH × em = px


@dataclass(frozen=True, slots=True)
class Shadow:
    rgb: RGB
    alpha: float
    angle: float  # degrees, counter-clockwise from +x; the lib default −45 = down-right
    distance: float  # as stored (UI 0–100); × SHADOW_EM_PER_DISTANCE × em = px
    diffuse: float  # as stored (pyJianYingDraft: UI/100/6); × SHADOW_EM_PER_DIFFUSE × em = blur px


@dataclass(frozen=True, slots=True)
class Glow:
    """A blurred halo around the outermost outline (花字 only; drafts have no such field)."""

    rgb: RGB
    spread: float  # em the halo grows past the outline before blurring
    blur: float  # Gaussian radius, em


@dataclass(frozen=True, slots=True)
class Style:
    rgb: RGB = (1.0, 1.0, 1.0)
    alpha: float = 1.0
    size: float = DEFAULT_SIZE
    bold: bool = False
    italic: bool = False
    underline: bool = False
    strokes: tuple[Stroke, ...] = ()
    shadows: tuple[Shadow, ...] = ()
    # 花字 (effects.py): the draft fields above cannot express these
    gradient: tuple[RGB, ...] = ()  # vertical fill stops, top → bottom of each glyph's em; () = solid `rgb`
    glow: Glow | None = None
    hollow: bool = False  # fill knocked out: only strokes (and what lies outside the glyph) remain
    effect: str | None = None  # styles[].effectStyle.id, before effects.py has drawn a look for it
    letter_color: bool = False  # styles[].useLetterColor: a highlighted run keeps its own fill under a 花字
