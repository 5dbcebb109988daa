"""Draw a Jianying mask (draft-format.md §5.7) as an 8-bit alpha image for ``alphamerge``.

The mask is drawn once per layer size (never per frame: ``geq`` costs
~300 ms per 1080×1920 frame). Geometry is in the layer's pixels: centre in
half-layer units with +y up (the same convention as `clip.transform`; the
sign is not verified against the app), width/height as fractions of the
layer, clockwise rotation. Line keeps the part above the line ("默认遮挡下方
部分"), mirror the band between its two lines. Feather (0–1) is our reading:
at 1 the soft edge is half the shape's smaller side wide.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from draftcut.render.model.timeline import MaskShape

__all__ = ["render_mask"]

_SUPERSAMPLE = 4


def _local(shape: MaskShape, w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates in the shape's own rotated frame (v points down)."""
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64) + 0.5
    cx, cy = w / 2 * (1 + shape.center_x), h / 2 * (1 - shape.center_y)
    rad = math.radians(shape.rotation)
    dx, dy = xs - cx, ys - cy
    return dx * math.cos(rad) + dy * math.sin(rad), -dx * math.sin(rad) + dy * math.cos(rad)


def _feather_px(shape: MaskShape, size: float) -> float:
    return max(1.0, shape.feather * size / 2)


def _signed_distance(shape: MaskShape, u: np.ndarray, v: np.ndarray, sw: float, sh: float) -> np.ndarray:
    """Positive inside, in pixels."""
    if shape.shape == "line":
        return np.asarray(-v, dtype=np.float64)
    if shape.shape == "mirror":
        return np.asarray(sh / 2 - np.abs(v))
    if shape.shape == "circle":
        a, b = max(sw / 2, 0.5), max(sh / 2, 0.5)
        return np.asarray((1 - np.hypot(u / a, v / b)) * min(a, b))
    hx, hy = sw / 2, sh / 2
    r = shape.round_corner * min(hx, hy)
    qx, qy = np.abs(u) - (hx - r), np.abs(v) - (hy - r)
    outside = np.hypot(np.maximum(qx, 0), np.maximum(qy, 0)) + np.minimum(np.maximum(qx, qy), 0) - r
    return np.asarray(-outside, dtype=np.float64)


def _outline(shape: MaskShape) -> list[tuple[float, float]]:
    """Heart or star in a unit box centred on 0 (y down)."""
    if shape.shape == "heart":
        ts = np.linspace(0, 2 * math.pi, 180, endpoint=False)
        xs = 16 * np.sin(ts) ** 3
        ys = -(13 * np.cos(ts) - 5 * np.cos(2 * ts) - 2 * np.cos(3 * ts) - np.cos(4 * ts))
    else:
        angles = [-math.pi / 2 + i * math.pi / 5 for i in range(10)]
        radii = [1.0 if i % 2 == 0 else 0.382 for i in range(10)]
        xs = np.array([r * math.cos(a) for r, a in zip(radii, angles, strict=True)])
        ys = np.array([r * math.sin(a) for r, a in zip(radii, angles, strict=True)])
    xs = (xs - (xs.min() + xs.max()) / 2) / (xs.max() - xs.min())
    ys = (ys - (ys.min() + ys.max()) / 2) / (ys.max() - ys.min())
    return list(zip(xs.tolist(), ys.tolist(), strict=True))


def _polygon_mask(shape: MaskShape, w: int, h: int, sw: float, sh: float) -> Image.Image:
    k = _SUPERSAMPLE
    big = Image.new("L", (w * k, h * k), 0)
    cx, cy = w / 2 * (1 + shape.center_x), h / 2 * (1 - shape.center_y)
    rad = math.radians(shape.rotation)
    points = []
    for px, py in _outline(shape):
        x, y = px * sw, py * sh
        rx, ry = x * math.cos(rad) - y * math.sin(rad), x * math.sin(rad) + y * math.cos(rad)
        points.append(((cx + rx) * k, (cy + ry) * k))
    ImageDraw.Draw(big).polygon(points, fill=255)
    mask = big.resize((w, h), Image.Resampling.BOX)
    if shape.feather > 0:
        mask = mask.filter(ImageFilter.GaussianBlur(_feather_px(shape, min(sw, sh)) / 2))
    return mask


def render_mask(shape: MaskShape, w: int, h: int) -> Image.Image:
    """The mask as a mode-"L" image of the layer's size (255 = visible)."""
    sw, sh = max(1.0, shape.width * w), max(1.0, shape.height * h)
    if shape.shape in ("heart", "star"):
        mask = _polygon_mask(shape, w, h, sw, sh)
    else:
        u, v = _local(shape, w, h)
        size = min(w, h) if shape.shape in ("line", "mirror") else min(sw, sh)
        d = _signed_distance(shape, u, v, sw, sh)
        alpha = np.clip(d / _feather_px(shape, size) + 0.5, 0.0, 1.0)
        mask = Image.fromarray(np.round(alpha * 255).astype(np.uint8), "L")
    return Image.eval(mask, lambda p: 255 - p) if shape.invert else mask
