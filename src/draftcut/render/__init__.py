"""Render Jianying/CapCut drafts to MP4 with ffmpeg.

The packages follow the pipeline: ``read`` parses a draft into the plain
data of ``model`` (``load_timeline``), ``plan`` turns it into per-window
ffmpeg graphs, ``run`` executes them (``render``); ``text`` rasterises
captions and ``preview`` composites single frames (``preview_frame``). See ``plan/spans.py`` for the transition timing
convention and ``read/load.py`` for how tracks are read.
"""

from draftcut.render.model.spec import DEFAULT_SPEC, PROXY_SPEC, RenderResult, RenderSpec
from draftcut.render.model.timeline import Timeline, Unsupported
from draftcut.render.preview.frame import preview_frame
from draftcut.render.read.load import load_timeline
from draftcut.render.run.render import render

__all__ = [
    "DEFAULT_SPEC",
    "PROXY_SPEC",
    "RenderResult",
    "RenderSpec",
    "Timeline",
    "Unsupported",
    "load_timeline",
    "preview_frame",
    "render",
]
