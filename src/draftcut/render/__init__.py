"""Render Jianying/CapCut drafts to MP4 with ffmpeg.

``load_timeline`` parses a draft into plain data, the planner turns it into
per-window ffmpeg graphs, and ``render`` runs them; ``preview_frame``
composites a single frame. See ``_spans.py`` for the transition timing
convention and ``_timeline.py`` for how tracks are read.
"""

from draftcut.render._model import Timeline, Unsupported
from draftcut.render._render import render
from draftcut.render._spec import DEFAULT_SPEC, PROXY_SPEC, RenderResult, RenderSpec
from draftcut.render._timeline import load_timeline
from draftcut.render.preview import preview_frame

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
