"""A clip's transform over time: static `clip` values, keyframes and animation ramps combined.

Keyframes replace the static value of their property (the app gives
keyframes priority over the overall setting); animation ramps then multiply
(alpha, scale) or add (x, y, rotation). A property is *dynamic* when the
result changes over the segment; the planner then emits a per-frame
expression, otherwise a number.
"""

from __future__ import annotations

from collections.abc import Iterable

from draftcut.render.model.curves import curve_expr, evaluate, extremes, is_constant, product_expr, sum_expr
from draftcut.render.model.timeline import Curve, VisualClip
from draftcut.render.read.animations import modifiers

__all__ = ["PROPS", "Motion"]

PROPS = ("x", "y", "scale_x", "scale_y", "rotation", "alpha")
_ANIM_PROP = {"scale_x": "scale", "scale_y": "scale"}


class Motion:
    """Curves for every transform property of one clip (segment-local µs)."""

    def __init__(self, clip: VisualClip, extra_alpha: Iterable[Curve] = ()) -> None:
        t = clip.transform
        static = {"x": t.x, "y": t.y, "scale_x": abs(t.scale_x), "scale_y": abs(t.scale_y),
                  "rotation": t.rotation, "alpha": t.alpha}
        mods = modifiers(clip.animations)
        self.base: dict[str, Curve] = {}
        self.extra: dict[str, list[Curve]] = {}
        for prop in PROPS:
            curve = clip.keyframes.get(prop) or ((0, static[prop]),)
            if prop.startswith("scale"):
                curve = tuple((tm, abs(v)) for tm, v in curve)
            self.base[prop] = curve
            shared = mods.get(_ANIM_PROP[prop], []) if prop in _ANIM_PROP else []
            self.extra[prop] = [*shared, *mods.get(prop, [])]
        self.extra["alpha"].extend(extra_alpha)

    def multiplied(self, prop: str) -> bool:
        return prop in ("alpha", "scale_x", "scale_y")

    def dynamic(self, prop: str) -> bool:
        return not all(is_constant(c) for c in (self.base[prop], *self.extra[prop]))

    def value(self, prop: str, t_us: float = 0.0) -> float:
        """The property at segment-local time `t_us`."""
        values = [evaluate(c, t_us) for c in self.extra[prop]]
        base = evaluate(self.base[prop], t_us)
        if self.multiplied(prop):
            for v in values:
                base *= v
            return base
        return base + sum(values)

    def peak(self, prop: str) -> float:
        """An upper bound of the property over the segment (for sizing buffers)."""
        top = extremes([self.base[prop]])[1]
        for curve in self.extra[prop]:
            low, high = extremes([curve])
            top = top * max(abs(low), abs(high)) if self.multiplied(prop) else top + max(low, high)
        return top

    def expr(self, prop: str, t: str) -> str:
        """ffmpeg expression of the property; `t` evaluates to segment-local seconds."""
        parts = [curve_expr(c, t) for c in (self.base[prop], *self.extra[prop])]
        return product_expr(parts) if self.multiplied(prop) else sum_expr(parts)
