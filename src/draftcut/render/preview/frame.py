"""`preview_frame`: one composited frame as PNG, without rendering the timeline.

Only the clips that can show at the requested time are kept (plus their
transition partners), so only their files are probed and only their inputs
are opened; each input seeks with ``-ss`` before ``-i`` and decodes from the
nearest keyframe to that time. The graph is the same one a render uses for
that frame. `preview/warm.py` keeps a draft ready for many previews (the server's
scrubbing path); this function is the one-shot path of the CLI.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from draftcut.render.model.spec import DEFAULT_SPEC, RenderSpec
from draftcut.render.model.timeline import Timeline
from draftcut.render.plan.plan import output_format, plan_preview
from draftcut.render.read.load import load_timeline
from draftcut.render.run.assets import write_files, write_masks
from draftcut.render.run.compound import NestedContext, draft_folder, render_compounds
from draftcut.render.run.ffmpeg import run_ffmpeg
from draftcut.render.run.render import gather_resources, resolve_ffmpeg

__all__ = ["preview_frame", "visible_at"]


def visible_at(tl: Timeline, at_us: int) -> Timeline:
    """The timeline reduced to the visual clips that can be on screen at `at_us`."""
    slack = max((c.transition.duration for c in tl.visuals if c.transition), default=0)
    keep = tuple(c for c in tl.visuals if c.start - slack <= at_us < c.end + slack)
    return replace(tl, visuals=keep, audios=())


def preview_frame(source: Path | dict[str, Any], at_us: int, output_png: Path, *,
                  spec: RenderSpec = DEFAULT_SPEC, ffmpeg: str | None = None,
                  resolve_media: Callable[[dict[str, Any]], Path] | None = None,
                  allow_outside_paths: bool = False) -> Path:
    """Write the frame shown at `at_us` (clamped to the timeline) to `output_png`."""
    output_png = Path(output_png).absolute()  # ffmpeg's cwd is the work directory
    full = load_timeline(source if isinstance(source, dict) else Path(source), resolve_media=resolve_media,
                         allow_outside_paths=allow_outside_paths)
    tl = visible_at(full, max(0, at_us))
    output_png.parent.mkdir(parents=True, exist_ok=True)
    part = output_png.with_name(f".{output_png.name}.part")
    workdir = Path(tempfile.mkdtemp(prefix="draftcut-preview-"))
    try:
        # a compound clip on screen: its nested draft is rendered whole first (run/compound.py)
        tl, _ = render_compounds(tl, output_format(full, spec), spec, workdir, NestedContext(
            draft_folder(source), ffmpeg, resolve_media, allow_outside_paths))
        res, _ = gather_resources(tl, spec, workdir)
        job = plan_preview(tl, res, output_format(full, spec), max(0, at_us), str(part))
        write_files(job.files, workdir)
        write_masks(job.masks, workdir)
        run_ffmpeg(resolve_ffmpeg(ffmpeg), list(job.args), cwd=workdir)
        os.replace(part, output_png)
    finally:
        part.unlink(missing_ok=True)
        shutil.rmtree(workdir, ignore_errors=True)
    return output_png
