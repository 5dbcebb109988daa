"""Mix-mode names (混合模式, Chinese or English) → the blend mode keys `plan.blend` composites.

Reading a draft needs only the key; the formulas live with the graph code
that applies them (`plan/blend.py`), which has one formula per key here.
"""

from __future__ import annotations

__all__ = ["MODE_KEYS", "blend_mode"]

MODE_KEYS = frozenset({"multiply", "screen", "overlay", "hardlight", "softlight", "darken", "lighten", "colordodge",
                       "colorburn", "linearburn", "lineardodge", "difference", "exclusion"})
"""Every blend mode the renderer composites (besides ``normal``)."""

_NAMES = {
    "正片叠底": "multiply", "滤色": "screen", "叠加": "overlay", "强光": "hardlight", "柔光": "softlight",
    "变暗": "darken", "变亮": "lighten", "颜色减淡": "colordodge", "颜色加深": "colorburn", "线性加深": "linearburn",
    "线性减淡": "lineardodge", "相加": "lineardodge", "差值": "difference", "排除": "exclusion",
    "color dodge": "colordodge", "color burn": "colorburn", "linear burn": "linearburn", "soft light": "softlight",
    "hard light": "hardlight", "linear dodge": "lineardodge", "add": "lineardodge",
}


def blend_mode(name: str) -> str | None:
    """The mode key for a mix-mode name (Chinese or English), None when unknown; 正常/normal is ``normal``."""
    key = name.strip().lower()
    if key in ("正常", "normal", ""):
        return "normal"
    compact = key.replace(" ", "")
    return compact if compact in MODE_KEYS else _NAMES.get(key)
