"""The renderer's view of a draft: plain frozen data, no I/O.

`load_timeline` (``read/load.py``) turns ``draft_content.json`` into these
objects; the planner (``plan/plan.py``) turns them into ffmpeg graphs. Times are
integer microseconds, as in the draft; they become frames only in the planner.
Nothing here imports av or subprocess, so a plan can be built and inspected
without ffmpeg on the machine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from draftcut.draft.clip import Clip

__all__ = [
    "Animation",
    "AudioClip",
    "Background",
    "CanvasLook",
    "Chroma",
    "Crop",
    "Curve",
    "Look",
    "MaskShape",
    "NoteKind",
    "NestedDraft",
    "SegmentLabel",
    "Timeline",
    "Transition",
    "Unsupported",
    "VisualClip",
]

Curve = tuple[tuple[int, float], ...]
"""A piecewise-linear function of segment-local time: ``((time_us, value), ...)``, sorted."""


NoteKind = Literal["approximated", "omitted"]
"""How a note's feature reached the output (`Unsupported.kind`)."""


@dataclass(slots=True)
class Unsupported:
    """Something in the draft that the output does not show faithfully.

    `segment_id` is None for draft-level items (a whole effect track, say).
    """

    segment_id: str | None
    feature: str
    detail: str
    kind: NoteKind = "omitted"
    """approximated: drawn, but not as the app draws it; omitted: left out of the output. A note
    that does not say is counted as left out, the claim that promises least about the output."""
    material: str | None = None
    """Display name of the segment's own material (file name, effect name, start of a caption)."""
    start_us: int | None = None
    end_us: int | None = None
    """Where the segment lies on the timeline; the three are filled from the draft by
    ``read/labels.py``, so a note needs to give only the segment id."""


@dataclass(frozen=True, slots=True)
class SegmentLabel:
    """What a report needs to name a segment: its place on the timeline and its material's name."""

    start: int
    end: int
    material: str | None


@dataclass(frozen=True, slots=True)
class Crop:
    """Visible part of the material as fractions of its size, origin top-left."""

    left: float
    top: float
    right: float
    bottom: float


@dataclass(frozen=True, slots=True)
class MaskShape:
    """A `masks` / `common_mask` config (draft-format.md §5.7).

    Centre in half-layer units (+y up), width/height as fractions of the layer,
    rotation in clockwise degrees, feather and round corner 0–1.
    """

    shape: Literal["line", "mirror", "circle", "rectangle", "heart", "star"]
    center_x: float = 0.0
    center_y: float = 0.0
    width: float = 0.5
    height: float = 0.5
    rotation: float = 0.0
    feather: float = 0.0
    round_corner: float = 0.0
    invert: bool = False


@dataclass(frozen=True, slots=True)
class Transition:
    """A transition out of a segment into the next one on its track."""

    name: str
    duration: int
    kind: str
    """The ffmpeg xfade transition that stands in for `name`."""


@dataclass(frozen=True, slots=True)
class Animation:
    """One entry of `material_animations`, times relative to the segment start."""

    name: str
    type: str
    start: int
    duration: int


@dataclass(frozen=True, slots=True)
class Background:
    """`canvases` fill behind a bottom-track segment: a colour or a blurred copy."""

    kind: Literal["color", "blur"]
    color: str = "#000000"
    blur: float = 0.0


@dataclass(frozen=True, slots=True)
class Chroma:
    """A `chromas` material (色度抠图, chroma key; draft-format.md §5.10): the key colour and the app's 0–1 sliders.

    ``plan/chroma.py`` draws it with ffmpeg ``colorkey``, an approximation of the app's keyer.
    """

    color: str
    """``RRGGBB`` hex, upper-case, no ``#``."""
    intensity: float
    shadow: float


@dataclass(frozen=True, slots=True)
class Look:
    """A filter or video effect drawn as an approximation: a recipe family of ``read/looks.py``.

    `strength` is a filter's intensity or an effect's main parameter (0–1),
    `speed` an effect's speed parameter (0–1).
    """

    kind: Literal["filter", "effect"]
    name: str
    family: str
    strength: float = 1.0
    speed: float = 0.5


@dataclass(frozen=True, slots=True)
class CanvasLook:
    """A segment of a filter or effect track: `look` over everything painted below `z`, for its time."""

    segment_id: str
    look: Look
    start: int
    duration: int
    z: tuple[int, int]

    @property
    def end(self) -> int:
        return self.start + self.duration


@dataclass(frozen=True, slots=True)
class NestedDraft:
    """A compound clip's (复合片段) nested draft: a whole ``draft_content`` shown as one video clip.

    `run/compound.py` renders it to an intermediate file before probing; until then the clip's
    `media` is a stand-in path that names no file.
    """

    material_id: str
    name: str
    draft: dict[str, Any]


@dataclass(frozen=True, slots=True)
class VisualClip:
    """A video, photo or text segment as it appears on the canvas.

    `keyframes` maps a property (``x``, ``y``, ``scale_x``, ``scale_y``,
    ``rotation``, ``alpha``) to a curve that replaces the static `transform`
    value; ``saturation``, ``contrast`` and ``brightness`` curves (−1…1, 0 =
    unchanged) adjust the colours. `z` orders painting: ``(render_index, track position)``.
    """

    segment_id: str
    kind: Literal["video", "photo", "text"]
    material_id: str
    start: int
    duration: int
    z: tuple[int, int]
    track: int
    media: Path | None = None
    text: dict[str, object] | None = None
    source_start: int = 0
    speed: float = 1.0
    transform: Clip = field(default_factory=Clip)
    keyframes: dict[str, Curve] = field(default_factory=dict)
    crop: Crop | None = None
    mask: MaskShape | None = None
    animations: tuple[Animation, ...] = ()
    transition: Transition | None = None
    background: Background | None = None
    material_size: tuple[int, int] = (0, 0)
    text_effect: str | None = None
    """A text's 花字: the effect's name (or id when the draft has no name); drawn approximately."""
    looks: tuple[Look, ...] = ()
    """Filters and effects attached to this segment, in the order they apply."""
    blend: str | None = None
    """Blend mode (``plan/blend.py`` key) the layer is composited with; None = normal."""
    compound: NestedDraft | None = None
    """Set for a compound clip until its nested draft is rendered (``run/compound.py``)."""
    chroma: Chroma | None = None
    """Chroma key (色度抠图): pixels near its colour become transparent (video and photo clips)."""

    @property
    def end(self) -> int:
        return self.start + self.duration


@dataclass(frozen=True, slots=True)
class AudioClip:
    """Sound placed on the timeline: an audio segment or a video segment's own track.

    `volume_curve`, when present, replaces `volume` (keyframes win over the
    static value). `from_video` clips are dropped after probing when the file
    has no audio stream.
    """

    segment_id: str
    media: Path
    start: int
    duration: int
    material_id: str = ""
    source_start: int = 0
    speed: float = 1.0
    volume: float = 1.0
    volume_curve: Curve = ()
    fade_in: int = 0
    fade_out: int = 0
    keep_pitch: bool = True
    from_video: bool = False
    reverse: bool = False
    """Played backwards: the source range runs from its end to its start (``areverse``)."""
    effects: tuple[str, ...] = ()
    """ffmpeg filters standing in for the segment's audio effects (``read/audio_effects.py``), run on the
    sound after its speed and before its volume; ``{rate}`` / ``{rate*X}`` stand for the sample rate."""
    effect_tail: int = 0
    """µs of earlier sound the `effects` depend on (reverb, echo): fed in first when a window starts mid-clip."""
    picture: VisualClip | None = None
    """For `from_video` clips: the clip drawn on the video track. Its track's transitions cross-fade the
    sound over the same frames as the picture (``plan/audio.py``). Such a clip is kept even when silent (a
    photo, volume 0), because its transition still fades its neighbour's sound out or in."""

    @property
    def end(self) -> int:
        return self.start + self.duration


@dataclass(frozen=True, slots=True)
class Timeline:
    """Everything the planner needs from one draft."""

    width: int
    height: int
    fps: float
    duration: int
    visuals: tuple[VisualClip, ...]
    audios: tuple[AudioClip, ...]
    unsupported: tuple[Unsupported, ...] = ()
    base_track: int | None = None
    """Track position of the bottom video track: the first visible one with something to draw
    (``read/load.py``); transitions there use xfade, gaps there are black canvas."""
    looks: tuple[CanvasLook, ...] = ()
    """Filter- and effect-track segments, applied to the composite at their place in the layer order."""
    draft_duration: int | None = None
    """The draft's own ``duration`` field (None when absent); `duration` is the timeline length rendered:
    the longer of it and every segment's end (``read/length.py``)."""
    labels: Mapping[str, SegmentLabel] = field(default_factory=dict)
    """Segment id → place and material name of every segment in the draft, to name it in notes."""
