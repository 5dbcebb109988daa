"""The background box behind a text (``background_*`` fields of a text material)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from draftcut.render.text.calibration import BACKGROUND_EM_PER_PAD, DEFAULT_BACKGROUND_PAD
from draftcut.render.text.layout import Glyph, Layout
from draftcut.render.text.parse import hex_rgb, number, positive, unit
from draftcut.render.text.style import RGB

__all__ = ["Background", "background_box", "box_coverage"]


@dataclass(frozen=True, slots=True)
class Background:
    rect: tuple[int, int, int, int]  # x0, y0, x1, y1 in text-box px, snapped outwards
    radius: float  # corner radius, px
    rgb: RGB
    alpha: float


def background_box(glyphs: Sequence[Glyph], layout: Layout, material: Mapping[str, Any]) -> Background | None:
    """Box around the text box: padding = background_width/height × em (UI
    0–1, default 0.14), offsets = stored (UI×2−1) × half the box, +y up like
    clip.transform, radius = background_round_radius × half the shorter side.
    background_style 1 and 2 are drawn alike.

    Drawn only when check_flag (if present) has the background bit 16, as
    pyJianYingDraft sets it: a stale default colour on a material whose
    background is switched off must not paint a box over the video."""
    rgb = hex_rgb(material.get("background_color"))
    alpha = unit(material.get("background_alpha"), 1.0)
    flags = material.get("check_flag")
    if isinstance(flags, int) and not isinstance(flags, bool) and not flags & 16:
        return None
    if rgb is None or alpha <= 0 or material.get("background_style", 1) == 0:
        return None
    em = max((g.em for g in glyphs), default=0)
    pad_x = positive(material.get("background_width"), DEFAULT_BACKGROUND_PAD) * BACKGROUND_EM_PER_PAD * em
    pad_y = positive(material.get("background_height"), DEFAULT_BACKGROUND_PAD) * BACKGROUND_EM_PER_PAD * em
    bw, bh = layout.width + 2 * pad_x, layout.height + 2 * pad_y
    dx = number(material.get("background_horizontal_offset"), 0.0) * bw / 2
    dy = -number(material.get("background_vertical_offset"), 0.0) * bh / 2
    # snapped outwards to whole pixels: crisp edges, and the box is the image's edge
    rect = (math.floor(-pad_x + dx), math.floor(-pad_y + dy),
            math.ceil(layout.width + pad_x + dx), math.ceil(layout.height + pad_y + dy))
    radius = unit(material.get("background_round_radius"), 0.0) * min(bw, bh) / 2
    return Background(rect, radius, rgb, alpha)


def box_coverage(shape: tuple[int, int], box: Background, x0: int, y0: int) -> np.ndarray:
    """Anti-aliased coverage of the box on a canvas whose top-left is (x0, y0):
    exact area coverage when square, 4× supersampled when rounded."""
    rect = box.rect
    if box.radius <= 0:
        square: np.ndarray = np.outer(_span(shape[0], rect[1] - y0, rect[3] - y0),
                                      _span(shape[1], rect[0] - x0, rect[2] - x0))
        return square
    s = 4 if shape[0] * shape[1] <= 4_000_000 else 1
    img = Image.new("L", (shape[1] * s, shape[0] * s))
    corners = ((rect[0] - x0) * s, (rect[1] - y0) * s, (rect[2] - x0) * s - 1, (rect[3] - y0) * s - 1)
    ImageDraw.Draw(img).rounded_rectangle(corners, radius=box.radius * s, fill=255)
    cov: np.ndarray = np.asarray(img.resize((shape[1], shape[0]), Image.Resampling.BOX), np.float32) / 255.0
    return cov


def _span(n: int, lo: float, hi: float) -> np.ndarray:
    """How much of each of `n` pixels the interval [lo, hi) covers."""
    px = np.arange(n, dtype=np.float32)
    cov: np.ndarray = np.clip(np.minimum(px + 1, hi) - np.maximum(px, lo), 0.0, 1.0)
    return cov
