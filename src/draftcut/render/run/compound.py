"""Render compound clips' nested drafts to intermediate files, so they probe and plan like any video.

A compound clip (``read/compound.py``) shows a whole nested timeline as one
clip, with its own placement, speed, keyframes and animations on the outer
track. The simplest faithful way to draw it is the app's: render the nested
draft to a picture-and-sound file first, with the same `render` (so nested
compound clips recurse), then treat that file as the clip's media. It is
rendered at the nested canvas's aspect, no larger than the output canvas (the
clip can never show more pixels than that unless scaled up), at the output
frame rate, and at a low crf since it is encoded twice. Each distinct nested
draft is rendered once however many segments show it. Its report notes come
back prefixed with the compound clip's name.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from draftcut.errors import DraftcutError
from draftcut.render.model.resources import OutputFormat
from draftcut.render.model.spec import RenderSpec
from draftcut.render.model.timeline import NestedDraft, Timeline, Unsupported, VisualClip
from draftcut.render.read.compound import nested_size

__all__ = ["NestedContext", "draft_folder", "render_compounds"]

_MAX_CRF = 16
"""The intermediate is encoded again by the outer render: keep its own loss small."""


@dataclass(frozen=True)
class NestedContext:
    """How the outer draft is rendered, which its nested drafts share (their media sit in its folder)."""

    folder: Path | None
    ffmpeg: str | None = None
    resolve_media: Callable[[dict[str, Any]], Path] | None = None
    allow_outside_paths: bool = False
    cancel: threading.Event | None = None


def draft_folder(source: Path | dict[str, Any]) -> Path | None:
    """The folder a draft's media paths are relative to (`read_draft`'s rule), None for a dict."""
    if isinstance(source, dict):
        return None
    path = Path(source)
    return path if path.is_dir() else path.parent


def render_compounds(tl: Timeline, fmt: OutputFormat, spec: RenderSpec, workdir: Path, ctx: NestedContext,
                     done: dict[str, Path] | None = None) -> tuple[Timeline, list[Unsupported]]:
    """`tl` with every compound clip's media rendered into `workdir`, and the nested drafts' notes.

    `done` maps nested drafts already rendered (by content) to their files; it is
    filled in, and notes come back only for the drafts rendered by this call.
    """
    done = {} if done is None else done
    files: dict[Path, Path] = {}
    notes: list[Unsupported] = []
    for clip in tl.visuals:
        if clip.compound is None or clip.media is None or clip.media in files:
            continue
        key = _key(clip.compound)
        if key not in done:
            out = workdir / f"compound{len(done)}_{key[:8]}.mp4"
            notes.extend(_render_one(clip.compound, out, _nested_spec(clip.compound, fmt, spec), ctx))
            done[key] = out
        files[clip.media] = done[key]
    if not files:
        return tl, notes
    visuals = tuple(_rendered(c, files) for c in tl.visuals)
    audios = tuple(replace(a, media=files[a.media],
                           picture=a.picture and _rendered(a.picture, files))
                   if a.media in files else a for a in tl.audios)
    return replace(tl, visuals=visuals, audios=audios), notes


def _rendered(clip: VisualClip, files: Mapping[Path, Path]) -> VisualClip:
    """`clip` as an ordinary video of its rendered nested draft (the sound's `picture` too)."""
    if clip.media is None or clip.media not in files:
        return clip
    return replace(clip, media=files[clip.media], compound=None)


def _key(nested: NestedDraft) -> str:
    text = json.dumps(nested.draft, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def _nested_spec(nested: NestedDraft, fmt: OutputFormat, spec: RenderSpec) -> RenderSpec:
    """The nested canvas's aspect fitted inside the output canvas (never enlarged), at the output fps."""
    width, height = nested_size(nested)
    factor = min(1.0, fmt.width / width, fmt.height / height)
    return RenderSpec(width=_even(width * factor), height=_even(height * factor), fps=float(fmt.fps),
                      crf=min(spec.crf, _MAX_CRF), preset=spec.preset, window_s=spec.window_s,
                      parallel=spec.parallel, threads=spec.threads, max_inputs=spec.max_inputs,
                      memory_mb=spec.memory_mb, audio_bitrate=spec.audio_bitrate, sample_rate=fmt.sample_rate)


def _render_one(nested: NestedDraft, out: Path, spec: RenderSpec, ctx: NestedContext) -> list[Unsupported]:
    from draftcut.render.run.render import render  # deferred: render.py imports this module

    label = f"compound clip {nested.name or nested.material_id}"
    try:
        result = render(nested.draft, out, spec=spec, ffmpeg=ctx.ffmpeg, resolve_media=ctx.resolve_media,
                        cancel=ctx.cancel, allow_outside_paths=ctx.allow_outside_paths, folder=ctx.folder)
    except DraftcutError as exc:
        # keep the class (and its HTTP status), say which compound clip the failure is in
        exc.detail = f"in {label} (material {nested.material_id}): {exc.detail}"
        exc.args = (exc.describe(),)
        raise
    # the nested draft's times are its own, so only the kind and the material's name carry over
    return [Unsupported(u.segment_id, u.feature, f"inside {label}: {u.detail}", u.kind, u.material)
            for u in result.unsupported]
