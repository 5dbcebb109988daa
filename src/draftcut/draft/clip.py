"""A segment's ``clip``: where its picture sits on the canvas (draft-format.md §4.2).

One type for both ends: the editor writes it into segments
(`segments.visual_segment`) and the renderer reads segments back into it
(`render.read.segments`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Clip"]


@dataclass(frozen=True, slots=True)
class Clip:
    """Placement in half-canvas units with +y up, clockwise degrees, opacity 0–1 and mirror flags.

    ``x = 1`` puts the picture's centre on the canvas's right edge (the app's
    ``transform.x``); the API's pixel offsets are divided by the canvas size
    before they get here.
    """

    x: float = 0.0
    y: float = 0.0
    scale_x: float = 1.0
    scale_y: float = 1.0
    rotation: float = 0.0
    alpha: float = 1.0
    flip_h: bool = False
    flip_v: bool = False

    def to_json(self) -> dict[str, Any]:
        """The segment's ``clip`` object as the apps write it."""
        return {"alpha": self.alpha, "flip": {"horizontal": self.flip_h, "vertical": self.flip_v},
                "rotation": self.rotation, "scale": {"x": self.scale_x, "y": self.scale_y},
                "transform": {"x": self.x, "y": self.y}}
