"""Pixel and geometry assertions on decoded frames (RGB uint8 arrays)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from draftcut.render import RenderResult

__all__ = ["RenderFn", "assert_color", "bbox", "patch_mean"]

RenderFn = Callable[..., RenderResult]
"""The `render_draft` fixture: ``render_draft(draft, **spec) -> RenderResult``."""


def patch_mean(frame: np.ndarray, x: int, y: int, r: int = 2) -> np.ndarray:
    return frame[max(0, y - r):y + r + 1, max(0, x - r):x + r + 1].reshape(-1, 3).mean(axis=0)


def assert_color(frame: np.ndarray, x: int, y: int, rgb: tuple[int, int, int], tol: float = 24) -> None:
    got = patch_mean(frame, x, y)
    assert np.all(np.abs(got - np.array(rgb)) <= tol), f"at ({x},{y}) got {got.round()} expected {rgb}"


def bbox(mask: np.ndarray) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) inclusive of a boolean mask."""
    ys, xs = np.nonzero(mask)
    assert len(xs), "empty mask"
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())
