"""Jianying/CapCut transition names → ffmpeg ``xfade`` transitions (data only).

Names are the catalogue's display names (pyJianYingDraft ``TransitionType``,
``materials.transitions[].name``) plus a few CapCut English names. Keys are
compared after removing spaces and lower-casing. Everything not listed falls
back to a cross-fade and is reported as approximated. The choices are by
name and look only: the app's effects are shader resources we do not have.
"""

from __future__ import annotations

__all__ = ["FALLBACK_KIND", "TRANSITION_KINDS"]

FALLBACK_KIND = "fade"

TRANSITION_KINDS: dict[str, str] = {
    # cross-fades
    "叠化": "fade",
    "叠加": "fade",
    "溶解": "fade",
    "色彩溶解": "fade",
    "dissolve": "fade",
    "mix": "fade",
    "crossfade": "fade",
    # through a colour
    "闪黑": "fadeblack",
    "黑场": "fadeblack",
    "闪白": "fadewhite",
    "闪白ii": "fadewhite",
    "泛白": "fadewhite",
    "白光快闪": "fadewhite",
    "blackfade": "fadeblack",
    "fadetoblack": "fadeblack",
    "whiteflash": "fadewhite",
    "flash": "fadewhite",
    # pushes / slides
    "向左": "slideleft",
    "向右": "slideright",
    "向上": "slideup",
    "向下": "slidedown",
    "左移": "slideleft",
    "右移": "slideright",
    "上移": "slideup",
    "下移": "slidedown",
    "滑动": "slideleft",
    "下滑": "slidedown",
    "slideleft": "slideleft",
    "slideright": "slideright",
    "slideup": "slideup",
    "slidedown": "slidedown",
    # wipes
    "向左擦除": "wipeleft",
    "向右擦除": "wiperight",
    "向上擦除": "wipeup",
    "向下擦除": "wipedown",
    "向左上": "wipetl",
    "向右上": "wipetr",
    "向左下": "wipebl",
    "向右下": "wipebr",
    "渐变擦除": "smoothleft",
    "wipeleft": "wipeleft",
    "wiperight": "wiperight",
    "wipeup": "wipeup",
    "wipedown": "wipedown",
    # shapes and curtains
    "圆形遮罩": "circleopen",
    "圆形遮罩ii": "circleclose",
    "圆形扫描": "radial",
    "横向拉幕": "vertopen",
    "竖向拉幕": "horzopen",
    "开幕": "vertopen",
    "circle": "circleopen",
    # zoom, blur, pixels
    "推近": "zoomin",
    "pullin": "zoomin",
    "zoomin": "zoomin",
    "模糊": "hblur",
    "横向模糊": "hblur",
    "blur": "hblur",
    "马赛克": "pixelize",
    "mosaic": "pixelize",
}
