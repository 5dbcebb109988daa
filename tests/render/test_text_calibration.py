"""Text size calibration: em = size × canvas width / 160, checked on rendered ink."""

from __future__ import annotations

import numpy as np
import pytest
from test_text import _mat, _style

from draftcut.render.text import rasterize_text, text_px_size
from draftcut.render.text.fonts import load_font


def _ink_per_em(ch: str) -> float:
    """The glyph's ink height / em, measured from the font at a large size."""
    em = 2000
    _, top, _, bottom = load_font(em).getbbox(ch, anchor="ls")
    return (bottom - top) / em


@pytest.mark.parametrize(("size", "w", "h", "em_px"), [(10.0, 1080, 1920, 67.5), (6.0, 1920, 1080, 72.0)])
def test_rendered_ink_height_matches_the_published_calibration(size: float, w: int, h: int, em_px: float) -> None:
    # soatori/jianying-preview measured 67.5 px/character for size 10 on a 1080×1920
    # Jianying export, and 72 px for a landscape draft's size 6: em = size × width / 160
    assert text_px_size(size, w, h) == em_px
    alpha = np.asarray(rasterize_text(_mat("国", [_style(0, 1, size=size)]), w, h).image)[..., 3]
    rows = np.nonzero((alpha > 0).any(axis=1))[0]
    ink = rows[-1] - rows[0] + 1
    expected = em_px * _ink_per_em("国")
    assert abs(ink - expected) <= 0.05 * expected, (ink, expected)


def test_portrait_and_landscape_defaults_are_the_same_absolute_size() -> None:
    # the cross-check in the calibration note: portrait size 10 ≈ landscape size 6
    assert abs(text_px_size(10.0, 1080, 1920) - text_px_size(6.0, 1920, 1080)) < 5
