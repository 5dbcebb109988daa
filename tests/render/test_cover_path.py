"""Which moving video layers take the scale-and-crop path (render/plan/cover.py), and which keep the overlay.

The pixels of both paths are checked on drafts built through the API
(tests/api/test_zoom_render.py); this pins the choice itself, so a change
that quietly sends every Ken Burns clip back through the overlay (the slower
path) or sends a clip that leaves the canvas visible through the crop (which
would draw the wrong picture) fails here.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from draftcut.draft.clip import Clip
from draftcut.render.model.resources import MediaInfo, OutputFormat, Resources
from draftcut.render.model.timeline import Curve, VisualClip
from draftcut.render.plan.graph import Graph
from draftcut.render.plan.layer import LayerJob, build_layer
from draftcut.render.plan.spans import Span

FMT = OutputFormat(320, 240, Fraction(30))
SEC = 1_000_000
SRC = Path("/media/clip.mp4")


PHOTO = Path("/media/picture.png")


def _layer(keyframes: dict[str, Curve], kind: str = "video", **transform: float | bool) -> tuple[str, object]:
    media = SRC if kind == "video" else PHOTO
    clip = VisualClip(segment_id="s", kind=kind, material_id="m", start=0, duration=2 * SEC,  # type: ignore[arg-type]
                      z=(0, 0), track=0, media=media, transform=Clip(**transform),  # type: ignore[arg-type]
                      keyframes=keyframes)
    g = Graph()
    res = Resources(media={SRC: MediaInfo(320, 240, 3 * SEC, True, False),
                           PHOTO: MediaInfo(320, 240, 0, True, False, is_image=True)})
    layer = build_layer(g, FMT, res, LayerJob(Span(clip, 0, 60, base=True), 0, 0, 60))
    return ";".join(g.chains), layer.box


def _ramp(a: float, b: float) -> Curve:
    return ((0, a), (2 * SEC, b))


@pytest.mark.parametrize(("keyframes", "transform"), [
    ({"scale_x": _ramp(1.0, 1.5), "scale_y": _ramp(1.0, 1.5)}, {}),
    ({"scale_x": _ramp(1.5, 1.0), "scale_y": _ramp(1.5, 1.0)}, {}),
    ({"scale_x": _ramp(1.0, 1.5), "scale_y": _ramp(1.0, 1.5), "x": _ramp(0.0, -0.2)}, {}),
    ({"scale_x": _ramp(1.3, 1.3), "scale_y": _ramp(1.3, 1.3), "x": _ramp(-0.1, 0.1), "y": _ramp(0.1, -0.1)}, {}),
    ({"scale_x": _ramp(1.0, 1.5), "scale_y": _ramp(1.0, 1.0)}, {}),
    ({"scale_x": _ramp(1.0, 1.5), "scale_y": _ramp(1.0, 1.5)}, {"flip_h": True}),
], ids=["zoom in", "zoom out", "zoom and pan", "pan inside a steady zoom", "stretched wider", "mirrored"])
@pytest.mark.parametrize("kind", ["video", "photo"])
def test_a_clip_covering_every_frame_is_scaled_and_cropped(keyframes: dict[str, Curve],
                                                           transform: dict[str, float | bool], kind: str) -> None:
    chains, box = _layer(keyframes, kind, **transform)
    assert box == (0, 0, 320, 240)
    assert "crop=320:240" in chains and "overlay" not in chains
    # a video is resampled once, straight from the source; a picture once to its peak size, then per frame
    assert chains.count("scale=") == (1 if kind == "video" else 2)
    assert ("hflip" in chains) == bool(transform.get("flip_h"))


@pytest.mark.parametrize(("keyframes", "transform"), [
    ({"scale_x": _ramp(1.0, 1.5), "scale_y": _ramp(1.0, 1.5), "x": _ramp(0.2, 0.2)}, {}),  # a strip shows at first
    ({"scale_x": _ramp(0.5, 1.0), "scale_y": _ramp(0.5, 1.0)}, {}),  # smaller than the canvas at first
    ({"scale_x": _ramp(1.0, 1.5), "scale_y": _ramp(1.0, 1.5)}, {"alpha": 0.5}),  # the canvas shows through
    ({"scale_x": _ramp(1.2, 1.5), "scale_y": _ramp(1.2, 1.5)}, {"rotation": 10.0}),  # turned: corners show
], ids=["shifted", "too small", "translucent", "rotated"])
@pytest.mark.parametrize("kind", ["video", "photo"])
def test_other_moving_clips_keep_the_general_path(keyframes: dict[str, Curve],
                                                  transform: dict[str, float | bool], kind: str) -> None:
    chains, box = _layer(keyframes, kind, **transform)
    assert box is None and "crop=320:240" not in chains
