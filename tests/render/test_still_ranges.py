"""Animated stills drawn range by range: the constant middle is drawn once, the ramps per frame.

The split must not change a pixel: every frame of the ranged render equals the
per-frame render, the frame count is exact, and sampled alphas follow the
intro/outro ramps (a wrong split shows as a frozen ramp or a late fade).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from checks import RenderFn, patch_mean
from drafts import SEC, Draft, clip, kf
from mediagen import color_image, color_video

from draftcut.render.plan import layer as _layer

WHITE = (255, 255, 255, 255)


def _frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24").astype(int) for f in c.decode(c.streams.video[0])]


def _draft(rmedia: Path) -> Draft:
    d = Draft(320, 180)
    d.video(d.track("video"), color_video(rmedia, "black", size=(320, 180), seconds=3.0), 0, 3 * SEC,
            size=(320, 180))
    sq = color_image(rmedia, WHITE, (100, 100))
    # fade in 0–0.5 s, fade out 2.5–3 s: constant (opaque) from 0.5 to 2.5 s
    d.video(d.track("video"), sq, 0, 3 * SEC, size=(100, 100), photo=True, clip=clip(x=-0.5, scale=0.4),
            refs=[d.animations(("in", "渐显", 0, SEC // 2), ("out", "渐隐", 5 * SEC // 2, SEC // 2))])
    # rotation + alpha intro, and a zoom keyframe in the outro: frames change size next to constant ones
    d.video(d.track("video"), sq, 0, 3 * SEC, size=(100, 100), photo=True, clip=clip(x=0.5, scale=0.4),
            keyframes=[kf("KFTypeScaleX", (0, 0.4), (5 * SEC // 2, 0.4), (3 * SEC, 0.6))],
            refs=[d.animations(("in", "旋转", 0, SEC // 2))])
    return d


def test_ranged_still_matches_per_frame(rmedia: Path, render_draft: RenderFn,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[tuple[int, int, bool]] | None] = []
    real = _layer._still_ranges

    def spy(*args: Any) -> list[tuple[int, int, bool]] | None:
        ranges = real(*args)
        seen.append(ranges)
        return ranges

    monkeypatch.setattr(_layer, "_still_ranges", spy)
    ranged = _frames(render_draft(_draft(rmedia), window_s=1.5).output)  # a window cuts a constant range
    split = [r for r in seen if r is not None]
    assert split and any(len(r) > 1 for r in split)  # the split did happen, next to per-frame ramps
    assert all(b > a for r in split for a, b, _ in r)

    monkeypatch.setattr(_layer, "_still_ranges", lambda *args: None)
    per_frame = _frames(render_draft(_draft(rmedia), window_s=1.5).output)

    assert len(ranged) == len(per_frame) == 90
    worst = max(int(np.abs(a - b).max()) for a, b in zip(ranged, per_frame, strict=True))
    assert worst <= 2

    # fade: ~0.5 half-way through the intro and the outro, opaque in the middle
    assert abs(patch_mean(ranged[7], 80, 90)[0] - 119) <= 24  # t=0.233 s: alpha 0.47
    assert patch_mean(ranged[45], 80, 90)[0] > 235
    assert abs(patch_mean(ranged[82], 80, 90)[0] - 136) <= 24  # t=2.733 s: alpha 0.53
    # rotation intro: partly transparent and turned at 0.2 s, an upright opaque square at 1.5 s
    assert patch_mean(ranged[6], 240, 90)[0] < 200
    assert patch_mean(ranged[45], 240, 90)[0] > 235 and patch_mean(ranged[45], 240 - 30, 90 - 30)[0] > 235
    # zoom outro keeps growing after the constant middle
    wide = [int((f[90, :, 0] > 128)[160:].sum()) for f in (ranged[45], ranged[89])]
    assert wide[1] > wide[0] + 10
