"""Animation states: one layout, many rasters of one size and one centre."""

from __future__ import annotations

import numpy as np
from test_text import _ink, _mat, _style

from draftcut.render.text import TextRaster, TextState, rasterize_states, rasterize_text

W, H = 1080, 1920
BLACK_STROKE = {"content": {"solid": {"alpha": 1.0, "color": [0.0, 0.0, 0.0]}}, "width": 0.08}


def _arrays(rasters: list[TextRaster]) -> list[np.ndarray]:
    return [np.asarray(r.image) for r in rasters]


def _first_diff_column(a: np.ndarray, b: np.ndarray) -> int:
    cols = np.nonzero((a != b).any(axis=(0, 2)))[0]
    assert len(cols), "images are identical"
    return int(cols[0])


def test_states_share_size_and_centre() -> None:
    states = [TextState(), TextState(reveal=1), TextState(reveal=0), TextState(blur=0.3),
              TextState(recolor=((0, 2, (1.0, 0.0, 0.0)),)), TextState(alpha=0.25)]
    rasters = rasterize_states(_mat("你好世界", alignment=1), W, H, states)
    assert len(rasters) == len(states)
    assert len({r.image.size for r in rasters}) == 1
    assert len({r.box_center for r in rasters}) == 1
    assert all(r.unsupported == () for r in rasters)
    full, blurred = _arrays(rasters)[0], _arrays(rasters)[3]
    # the blur margin is part of the shared canvas: the blurred ink reaches past the sharp ink
    assert (blurred[..., 3] > 0).sum() > (full[..., 3] > 0).sum()
    assert rasterize_states(_mat("你好"), W, H, []) == []


def test_single_full_state_is_rasterize_text() -> None:
    m = _mat("你好 AB", [_style(0, 5, [1.0, 0.5, 0.0], strokes=[BLACK_STROKE], underline=True)])
    (state,) = rasterize_states(m, W, H, [TextState()])
    plain = rasterize_text(m, W, H)
    assert state.box_center == plain.box_center
    assert np.array_equal(np.asarray(state.image), np.asarray(plain.image))


def test_reveal_hides_later_glyphs_and_keeps_earlier_ones_pixel_identical() -> None:
    # letter spacing keeps the outlines of neighbours apart: where they touch, the
    # union of a layer's coverage legitimately differs once one of them is hidden
    m = _mat("你好世界", [_style(0, 4, strokes=[BLACK_STROKE])], letter_spacing=0.3)
    full, half, none = _arrays(rasterize_states(m, W, H, [TextState(), TextState(reveal=2), TextState(reveal=0)]))
    split = _first_diff_column(full, half)
    assert split > 0.4 * full.shape[1]  # the first two characters are untouched...
    assert np.array_equal(full[:, :split], half[:, :split])
    shown = half[..., 3] > 0
    assert np.array_equal(full[shown], half[shown])  # ...and nothing else moved
    assert half[:, int(0.6 * full.shape[1]):, 3].max() == 0  # the last two are hidden
    assert none[..., 3].max() == 0


def test_reveal_counts_utf16_code_units() -> None:
    # "A😀B": the emoji is units 1–2, so reveal 2 cuts it (hidden) and 4 shows B
    m = _mat("A\U0001F600B", [_style(0, 4)])
    r1, r2, r3, r4 = _arrays(rasterize_states(m, W, H, [TextState(reveal=k) for k in (1, 2, 3, 4)]))
    assert np.array_equal(r1, r2)  # reveal 2 has only half the emoji: hidden
    assert (r3[..., 3] > 0).sum() > (r2[..., 3] > 0).sum()  # 3 shows it (drawn from the emoji face)
    assert (r4[..., 3] > 0).sum() > (r3[..., 3] > 0).sum()


def test_recolor_changes_only_that_ranges_fill() -> None:
    m = _mat("你好世界", [_style(0, 4, strokes=[BLACK_STROKE])])
    full, hot = _arrays(rasterize_states(m, W, H, [TextState(), TextState(recolor=((2, 4, (1.0, 0.0, 0.0)),))]))
    split = _first_diff_column(full, hot)
    assert split > 0.4 * full.shape[1]
    assert np.array_equal(full[:, :split], hot[:, :split])
    right = slice(split, None)
    assert _ink(hot[:, right], (255, 0, 0)).sum() > 300 and _ink(full[:, right], (255, 0, 0)).sum() == 0
    stroke = _ink(full, (0, 0, 0), tol=0, min_alpha=255)
    assert np.array_equal(full[stroke], hot[stroke])  # outlines keep their colour
    assert np.array_equal(full[..., 3], hot[..., 3])  # and no ink appears or disappears


def test_later_recolor_wins() -> None:
    m = _mat("你好", [_style(0, 2)])
    (px,) = _arrays(rasterize_states(m, W, H, [TextState(recolor=((0, 2, (1.0, 0.0, 0.0)),
                                                                   (0, 2, (0.0, 0.0, 1.0))))]))
    assert _ink(px, (0, 0, 255)).sum() > 500 and _ink(px, (255, 0, 0)).sum() == 0


def test_alpha_scales_and_rendering_is_deterministic() -> None:
    m = _mat("你好", [_style(0, 2, [0.2, 0.4, 0.6])], alignment=1)
    states = [TextState(), TextState(alpha=0.5), TextState(blur=0.1, reveal=1)]
    a, b = _arrays(rasterize_states(m, W, H, states)), _arrays(rasterize_states(m, W, H, states))
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert a[0][..., 3].max() == 255 and abs(int(a[1][..., 3].max()) - 128) <= 1
    opaque = a[0][..., 3] == 255
    assert np.array_equal(a[0][opaque][:, :3], a[1][opaque][:, :3])
