"""`WarmDraft`: a draft kept ready for previews, so that scrubbing pays for the frame and little else.

`preview_frame` starts from the folder every time: it parses the timeline,
probes every file on screen, rasterises every caption, and lets ffmpeg seek
and decode each clip from the keyframe before the instant. A WarmDraft
parses once, probes each file and rasterises each caption the first time a
preview shows it (per preview size), and takes video frames from a shared
`FramePool`, whose decoders stay where the last preview left them
(``preview/decoders.py``). What is left per frame is planning (a few ms), writing
the decoded frames for ffmpeg, and one ffmpeg run of the very graph
`preview_frame` runs, so the picture is still the render's. Pictures and
caption rasters are decoded once too (``_warm_inputs.StillCache``), and a
small preview runs ffmpeg single-threaded, with a fast PNG level: at 360 px
wide, starting threads and deflating hard cost more than they save.

`width` asks for a smaller picture: the graph is planned on the smaller
canvas (every layer scaled once, straight to its size there), not composed
at full size and then shrunk. Captions are the exception that proves the
rule: they are drawn once at the full canvas size and scaled by the graph
like a picture, because drawn at a smaller size their glyph metrics round
differently and a line can wrap elsewhere than in the render.

A WarmDraft belongs to one version of a draft: an edit means a new one (the
caller keys them by version). The new one takes over what the edit left
valid from the `previous` one: probes of the same files, and the rasters of
captions whose text, style, animations and effect are unchanged, so the
first preview after an edit costs about as much as any other. It is safe to
use from several threads.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from draftcut.render.model.resources import MediaInfo, OutputFormat, Resources, TextAsset
from draftcut.render.model.spec import DEFAULT_SPEC, RenderSpec
from draftcut.render.model.timeline import Timeline, VisualClip
from draftcut.render.plan.plan import output_format, plan_preview
from draftcut.render.preview.decoders import FramePool
from draftcut.render.preview.frame import visible_at
from draftcut.render.preview.inputs import StillCache, warm_inputs
from draftcut.render.preview.spare import Spares, movie_graph
from draftcut.render.read.load import load_timeline
from draftcut.render.run.assets import scaled_text, write_files, write_masks, write_texts
from draftcut.render.run.compound import NestedContext, render_compounds
from draftcut.render.run.ffmpeg import run_ffmpeg
from draftcut.render.run.probe import probe_all
from draftcut.render.run.render import resolve_ffmpeg
from draftcut.render.text.states import text_states

__all__ = ["FramePool", "Spares", "WarmDraft"]

_OUTPUT = "frame.png"
_GRAPH = "p.graph"
_SMALL = 1280 * 720
"""Output pixels up to which ffmpeg runs on one thread: for a small frame, thread start-up costs more."""
_PNG = ("-compression_level", "1")


class WarmDraft:
    """Previews of one draft folder; `workdir` (the caller's, emptied by the caller) holds its rasters."""

    def __init__(self, folder: Path, pool: FramePool, workdir: Path, *, ffmpeg: str | None = None,
                 previous: WarmDraft | None = None, spares: Spares | None = None) -> None:
        self.folder = folder
        self.pool = pool
        self.workdir = workdir
        self.spares = spares
        """Pre-started ffmpeg processes for small previews (``preview/spare.py``), shared by the caller's drafts."""
        self.timeline: Timeline = load_timeline(folder)
        self._exe = resolve_ffmpeg(ffmpeg)
        self._media: dict[Path, MediaInfo] = {}
        self._texts: dict[str, TextAsset] = {}
        """Caption rasters at the full canvas size, by segment id."""
        self._probed: dict[tuple[int, ...], MediaInfo] = {}
        """Probes by file identity (device, inode, size, mtime): they hold across versions."""
        self._rasters: dict[tuple[Any, ...], TextAsset] = {}
        """Caption rasters by everything they are drawn from (`_text_key`): they hold across versions."""
        self._stills = StillCache(self._folder("stills-"))
        self._nested: dict[str, Path] = {}
        """Compound clips' nested drafts rendered so far (whole, at the full canvas size), by content."""
        self._nested_dir: Path | None = None
        self._lock = threading.Lock()
        if previous is not None:
            self._adopt(previous)

    def _adopt(self, previous: WarmDraft) -> None:
        """Take over `previous`'s probes, and its caption rasters (hard-linked: its folder goes away)."""
        with previous._lock:
            self._probed.update(previous._probed)
            rasters = dict(previous._rasters)
        folder = self._folder("text-")
        for key, asset in rasters.items():
            try:
                self._rasters[key] = _linked(asset, folder, len(self._rasters))
            except OSError:  # the previous version's folder is gone already: drawn again when needed
                continue

    def output_format(self, width: int | None = None) -> OutputFormat:
        """The preview's size: the canvas, or `width` wide (even) with the canvas' aspect when narrower."""
        full = self.timeline
        return output_format(full, RenderSpec(width=width) if width and width < full.width else DEFAULT_SPEC)

    def frame(self, at_us: int, *, width: int | None = None) -> bytes:
        """The PNG of the frame shown at `at_us` (clamped to the timeline), at most `width` pixels wide."""
        fmt_ = self.output_format(width)
        at_us = max(0, at_us)
        tl = self._compounds(visible_at(self.timeline, at_us))
        res = self._resources(tl, fmt_)
        small = fmt_.width * fmt_.height <= _SMALL
        job = plan_preview(tl, res, fmt_, at_us, _OUTPUT, encode=(*_PNG, *(("-threads", "1") if small else ())))
        stills = {str(path) for path, info in res.media.items() if info.is_image}
        stills.update(str(text.path) for text in res.texts.values())
        spare = self.spares.take() if small and self.spares is not None else None
        req = spare.folder if spare is not None else self._folder("frame-")
        try:
            write_files(job.files, req)
            write_masks(job.masks, req)
            inputs = warm_inputs(job.inputs, self.pool, req, factor=fmt_.width / self.timeline.width,
                                 stills=self._stills, still_paths=stills)
            if spare is not None and all(i.movie for i in inputs):
                out_label = job.args[job.args.index("-map") + 1].strip("[]")
                png = spare.run(movie_graph(job.files[_GRAPH], [str(i.movie) for i in inputs], out_label))
                if png is not None:
                    return png
            replaced = sum(len(fragment) for fragment in job.inputs)
            threads = ["-filter_threads", "1", "-filter_complex_threads", "1"] if small else []
            run_ffmpeg(self._exe, [*threads, *(arg for i in inputs for arg in i.args), *job.args[replaced:]],
                       cwd=req)
            return (req / _OUTPUT).read_bytes()
        finally:
            if spare is not None:
                spare.discard()
            else:
                shutil.rmtree(req, ignore_errors=True)

    def _folder(self, prefix: str) -> Path:
        return Path(tempfile.mkdtemp(prefix=prefix, dir=self.workdir))

    def _resources(self, tl: Timeline, fmt_: OutputFormat) -> Resources:
        """Probes and caption rasters for `tl`'s clips, made the first time any preview needs them."""
        with self._lock:
            self._probe(tl)
            self._draw(tl)
            factor = fmt_.width / self.output_format().width
            media = {c.media: self._media[c.media] for c in tl.visuals if c.media is not None}
            texts = {c.segment_id: scaled_text(self._texts[c.segment_id], factor) for c in tl.visuals
                     if c.segment_id in self._texts}
            return Resources(media=media, texts=texts)


    def _compounds(self, tl: Timeline) -> Timeline:
        """`tl` with its compound clips' nested drafts rendered, the first time a preview shows each.

        That first preview pays for rendering the whole nested draft (``run/compound.py``); later
        ones decode the file like any video.
        """
        if all(c.compound is None for c in tl.visuals):
            return tl
        with self._lock:
            self._nested_dir = self._nested_dir or self._folder("compound-")
            tl, _ = render_compounds(tl, self.output_format(), DEFAULT_SPEC, self._nested_dir,
                                     NestedContext(self.folder, self._exe), self._nested)
        return tl

    def _probe(self, tl: Timeline) -> None:
        owners: dict[Path, str] = {}
        for clip in tl.visuals:
            if clip.media is None or clip.media in self._media:
                continue
            known = self._probed.get(_identity(clip.media))
            if known is not None:
                self._media[clip.media] = known
            else:
                owners[clip.media] = clip.material_id
        if owners:
            for path, info in probe_all(owners).items():
                self._media[path] = self._probed[_identity(path)] = info

    def _draw(self, tl: Timeline) -> None:
        full = self.output_format()
        missing: dict[str, tuple[Any, ...]] = {}
        for clip in tl.visuals:
            if clip.kind != "text" or clip.text is None or clip.segment_id in self._texts:
                continue
            key = _text_key(clip, full)
            if key in self._rasters:
                self._texts[clip.segment_id] = self._rasters[key]
            else:
                missing[clip.segment_id] = key
        if missing:
            clips = tuple(c for c in tl.visuals if c.segment_id in missing)
            drawn, _ = write_texts(replace(tl, visuals=clips), full, self._folder("text-"))
            for segment_id, asset in drawn.items():
                self._texts[segment_id] = self._rasters[missing[segment_id]] = asset


def _identity(path: Path) -> tuple[int, ...]:
    st = path.stat()
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def _text_key(clip: VisualClip, fmt_: OutputFormat) -> tuple[Any, ...]:
    """What a caption's raster is drawn from: its material, effect, animated states and the canvas."""
    material = json.dumps(clip.text, sort_keys=True, ensure_ascii=False, default=str)
    return material, clip.text_effect, repr(text_states(clip.text or {}, clip.animations)), fmt_.width, fmt_.height


def _linked(asset: TextAsset, folder: Path, index: int) -> TextAsset:
    """`asset` with its files hard-linked into `folder` (its own copy of the name, not of the bytes)."""
    def link(path: Path, name: str) -> Path:
        target = folder / name
        os.link(path, target)
        return target

    states = tuple((t, link(p, f"adopted{index}_{i}.png")) for i, (t, p) in enumerate(asset.states))
    return replace(asset, path=link(asset.path, f"adopted{index}.png"), states=states)

