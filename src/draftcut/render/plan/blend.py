"""Blend modes (混合模式, a ``mix_mode`` material on a segment) composited in RGB.

ffmpeg's ``blend`` works plane by plane, which on YUV frames would multiply
chroma values (grey × grey came out green) and its burn/dodge take their
operands the other way round from the usual definitions. So the layer is
placed on a canvas-sized frame, the frame below it and the layer go to
planar RGB, ``lut2`` applies the standard formula (x = below, y = the
layer; 8 bit, computed once per graph), and the result is laid over the
frame below with the layer's own alpha: where the layer is half transparent
the blend is too. Formulas: the W3C compositing definitions (soft light is
the W3C one; Jianying's own curves are not published).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from draftcut.render.model.resources import OutputFormat
from draftcut.render.plan.graph import Graph

if TYPE_CHECKING:
    from draftcut.render.plan.layer import Layer

__all__ = ["BLEND_MODES", "blend_over"]

_B, _S = "(x/255)", "(y/255)"
_SOFT = (f"255*if(lte(y,127.5),{_B}-(1-2*{_S})*{_B}*(1-{_B}),"
         f"{_B}+(2*{_S}-1)*(if(lte(x,63.75),((16*{_B}-12)*{_B}+4)*{_B},sqrt({_B}))-{_B}))")

BLEND_MODES: dict[str, str] = {
    "multiply": "x*y/255",
    "screen": "255-(255-x)*(255-y)/255",
    "overlay": "if(lt(x,128),2*x*y/255,255-2*(255-x)*(255-y)/255)",
    "hardlight": "if(lt(y,128),2*x*y/255,255-2*(255-x)*(255-y)/255)",
    "softlight": _SOFT,
    "darken": "min(x,y)",
    "lighten": "max(x,y)",
    "colordodge": "if(gte(y,255),if(gt(x,0),255,0),min(255,x*255/(255-y)))",
    "colorburn": "if(lte(y,0),if(lt(x,255),0,255),255-min(255,(255-x)*255/y))",
    "linearburn": "max(0,x+y-255)",
    "lineardodge": "min(255,x+y)",
    "difference": "abs(x-y)",
    "exclusion": "x+y-2*x*y/255",
}
"""Mode → lut2 expression of x (the frame below) and y (the layer), 0–255."""

def blend_over(g: Graph, fmt_: OutputFormat, below: str, layer: Layer, mode: str, first: int, count: int) -> str:
    """`layer` composited onto `below` (yuv420p, `count` frames from timestamp `first`) with `mode`."""
    expr = f"round({BLEND_MODES[mode]})"  # lut2 would truncate
    size = f"{fmt_.width}x{fmt_.height}"
    canvas = g.chain([], [f"color=c=black@0:s={size}:r={fmt_.fps}", "format=rgba", f"trim=end_frame={count}",
                          f"setpts=PTS+{first}"], "bc")
    placed = g.chain([canvas, layer.label], [
        f"overlay=x='{layer.x}':y='{layer.y}':eof_action=pass:format=rgb", "format=gbrap"], "bp")
    colour, alpha = g.split(placed, 2, "bs")
    colour = g.chain([colour], ["format=gbrp"], "bl")
    alpha = g.chain([alpha], ["alphaextract"], "ba")
    under, base = g.split(below, 2, "bu")
    base = g.chain([base], ["scale=in_color_matrix=bt709:in_range=tv", "format=gbrp"], "bb")
    mixed = g.chain([base, colour], [f"lut2=c0='{expr}':c1='{expr}':c2='{expr}'"], "bm")
    mixed = g.chain([mixed, alpha], ["alphamerge", "scale=out_color_matrix=bt709:out_range=tv",
                                     "format=yuva420p"], "bm")
    return g.chain([under, mixed], ["overlay=eof_action=pass:format=yuv420", "format=yuv420p"], "bo")
