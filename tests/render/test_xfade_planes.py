"""Transitions run plane by plane (`_basetrack.PLANEWISE_KINDS`) look like xfade in yuv444p.

Running xfade on the Y, U and V planes as gray streams is only right for kinds
whose result on a plane depends on that plane alone; a kind wrongly listed
(fading to black or white, noise patterns) would tint the picture. Each listed
kind is compared with plain xfade, mid-transition, on a colourful picture.
"""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
from mediagen import FFMPEG

from draftcut.render.plan.basetrack import PLANEWISE_KINDS, _planewise
from draftcut.render.plan.graph import Graph

W, H = 160, 96
SOURCES = (f"testsrc2=s={W}x{H}:r=10:d=1,format=yuv420p", f"smptehdbars=s={W}x{H}:r=10:d=1,format=yuv420p")


def _frames(graph: str) -> np.ndarray:
    cmd = [FFMPEG, "-hide_banner", "-loglevel", "error", *[a for s in SOURCES for a in ("-f", "lavfi", "-i", s)],
           "-filter_complex", graph, "-map", "[out]", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"]
    raw = subprocess.run(cmd, check=True, capture_output=True).stdout
    # Y, U and V planes of each frame as they are: no RGB conversion, whose matrix would depend on tags
    return np.frombuffer(raw, np.uint8).reshape(-1, W * H * 3 // 2).astype(int)


@pytest.mark.parametrize("kind", sorted(PLANEWISE_KINDS))
def test_planewise_matches_yuv444_xfade(kind: str) -> None:
    xfade = f"xfade=transition={kind}:duration=1:offset=0"
    g = Graph()
    out = _planewise(g, "0:v", "1:v", xfade)
    planes = _frames(g.text().strip() + f";\n[{out}]null[out]")
    plain = _frames(f"[0:v][1:v]{xfade},format=yuv420p[out]")
    assert planes.shape == plain.shape and len(plain) == 10
    for i in (3, 5, 7):  # inside the transition, where the kinds differ from a cut
        diff = np.abs(planes[i] - plain[i])
        assert diff.mean() < 3, (kind, i, diff.mean())


def test_a_colour_fade_would_be_caught() -> None:
    """The check above can fail: fadeblack done plane-wise turns chroma to 0 (green), not neutral."""
    xfade = "xfade=transition=fadeblack:duration=1:offset=0"
    g = Graph()
    out = _planewise(g, "0:v", "1:v", xfade)
    planes = _frames(g.text().strip() + f";\n[{out}]null[out]")
    plain = _frames(f"[0:v][1:v]{xfade},format=yuv420p[out]")
    assert np.abs(planes[5] - plain[5]).mean() >= 3
