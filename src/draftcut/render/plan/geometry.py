"""Canvas geometry of a clip (draft-format.md §4.2, §9.3).

Scale 1.0 means the (cropped) material fitted inside the canvas; text uses its
own raster size instead. `clip.transform` moves the centre in half-canvas
units with +y up, so the pixel centre is ``(W/2·(1+x), H/2·(1−y))``.
"""

from __future__ import annotations

import math

from draftcut.render.model.timeline import Crop

__all__ = ["canvas_center", "cropped_size", "even", "fit_factor", "rotated_box"]

MIN_SIDE = 2


def cropped_size(width: int, height: int, crop: Crop | None) -> tuple[float, float]:
    if crop is None:
        return float(width), float(height)
    return width * (crop.right - crop.left), height * (crop.bottom - crop.top)


def fit_factor(width: float, height: float, canvas_w: int, canvas_h: int) -> float:
    """The 'contain' factor that makes scale 1.0."""
    return min(canvas_w / width, canvas_h / height)


def even(value: float) -> int:
    """Nearest even integer ≥ MIN_SIDE: yuv420p layers need even sizes."""
    return max(MIN_SIDE, 2 * round(value / 2))


def canvas_center(x: float, y: float, canvas_w: int, canvas_h: int) -> tuple[float, float]:
    return canvas_w / 2 * (1 + x), canvas_h / 2 * (1 - y)


def rotated_box(width: float, height: float, degrees: float) -> tuple[float, float]:
    """Bounding box of a w×h rectangle rotated by `degrees`."""
    rad = math.radians(degrees)
    c, s = abs(math.cos(rad)), abs(math.sin(rad))
    return width * c + height * s, width * s + height * c
