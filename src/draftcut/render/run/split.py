"""One render as three steps that need not run in one process: prepare, run each part, join.

`render` runs them in one process (its parts on lanes of threads); a
distributed render runs the same steps as tasks: `prepare_parts` once, each
`run_part` on any worker, then `join_parts`. The steps hand over a
`PartsManifest` (JSON) and a work dir (shared storage, or a copy of the files
a part `needs`).

A part runs on another machine, so nothing it carries may name a path of
the preparing one: work-dir files are named relative to the work dir
(ffmpeg runs there), media relative to the draft folder, which each worker
materialises wherever it likes and passes to `run_part`. Only media the
draft takes from outside its folder (`allow_outside_paths`, a
`resolve_media` hook, a dict draft without a folder) keep their absolute
path: such a manifest is not `portable`.

Each part writes a private temporary file and renames it into place, so a
retried or duplicated part never leaves a half-written window for the join,
and running a part twice gives the same file.
"""

from __future__ import annotations

import json
import math
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from fractions import Fraction
from pathlib import Path, PurePosixPath
from typing import Any

from draftcut.errors import RenderError
from draftcut.render.model.resources import MediaInfo, Resources, TextAsset
from draftcut.render.model.spec import DEFAULT_SPEC, RenderResult, RenderSpec
from draftcut.render.model.timeline import Timeline, Unsupported
from draftcut.render.plan.plan import Job, output_format, plan_render
from draftcut.render.read.labels import label_notes
from draftcut.render.read.length import length_summary
from draftcut.render.read.load import load_timeline
from draftcut.render.run.assets import scaled_text, write_files, write_masks, write_texts
from draftcut.render.run.compound import NestedContext, draft_folder, render_compounds
from draftcut.render.run.ffmpeg import run_ffmpeg
from draftcut.render.run.probe import probe_all

__all__ = ["JoinStep", "MediaArg", "Part", "PartProgress", "PartsManifest", "ResolveHook", "gather_resources",
           "join_parts", "prepare_parts", "resolve_ffmpeg", "resolve_spec", "run_part"]

ResolveHook = Callable[[dict[str, Any]], Path]
PartProgress = Callable[[float], None]
"""How far a part (or the join) has got, 0–1 of its output's duration."""
Stop = threading.Event | Sequence[threading.Event] | None

MANIFEST_VERSION = 1
_JOINED = "joined.mp4"
"""The join's output in the manifest; `join_parts` puts the real path in its place."""
_MAX_AUTO_PARALLEL = 8
_MIN_WINDOW_S, _MAX_WINDOW_S = 3.0, 10.0
_WINDOWS_PER_CORE = 2  # more windows than workers: the pool evens out uneven windows
_LISTED = re.compile(r"^file '(.*)'$", re.MULTILINE)


# -- the facts a plan needs ---------------------------------------------------------------------

def resolve_ffmpeg(ffmpeg: str | None) -> str:
    if ffmpeg:
        return ffmpeg
    from draftcut.config import get_settings  # deferred: pydantic settings cost ~0.15 s to import

    return get_settings().ffmpeg_exe()


def probe_media(tl: Timeline) -> dict[Path, MediaInfo]:
    """Probe every file the timeline uses; a bad file is reported with its material."""
    owners = {c.media: c.material_id for c in tl.visuals if c.media is not None}
    for clip in tl.audios:
        owners.setdefault(clip.media, clip.material_id)
    return probe_all(owners)


def gather_resources(tl: Timeline, spec: RenderSpec, workdir: Path) -> tuple[Resources, list[Any]]:
    """Probed media and text rasters (written into `workdir`), plus text notes.

    An output smaller than the canvas with its aspect (a proxy, a small
    preview) gets its captions drawn at the canvas size and scaled like
    pictures: drawn small, glyph metrics round differently and a line may
    wrap elsewhere than in the full-size render.
    """
    fmt_, canvas = output_format(tl, spec), output_format(tl, DEFAULT_SPEC)
    factor = fmt_.width / canvas.width
    if factor < 1 and abs(fmt_.height / canvas.height - factor) < 0.01:
        texts, notes = write_texts(tl, canvas, workdir)
        texts = {segment_id: scaled_text(asset, factor) for segment_id, asset in texts.items()}
    else:
        texts, notes = write_texts(tl, fmt_, workdir)
    return Resources(media=probe_media(tl), texts=texts), notes


def resolve_spec(spec: RenderSpec, duration_us: int) -> RenderSpec:
    """Fill in the automatic settings: window length, windows at once, threads per window.

    Short drafts are cut into two windows per core (3–10 s each) so every core
    stays busy to the end; x264 and the decoders get the cores left per window.
    """
    cores = os.cpu_count() or 1
    seconds = duration_us / 1e6
    window = spec.window_s or min(_MAX_WINDOW_S, max(_MIN_WINDOW_S, seconds / (_WINDOWS_PER_CORE * cores)))
    jobs = max(1, math.ceil(seconds / window))
    parallel = spec.parallel or max(1, min(_MAX_AUTO_PARALLEL, cores, jobs))
    threads = spec.threads or max(1, cores // parallel)
    return replace(spec, window_s=window, parallel=parallel, threads=threads)


# -- the manifest -------------------------------------------------------------------------------

@dataclass(frozen=True)
class MediaArg:
    """A media file a part reads: `args[index]`, resolved against the draft folder by `run_part`."""

    index: int
    path: str
    """Relative to the draft folder (POSIX); absolute only for media outside it (not portable)."""


@dataclass(frozen=True)
class Part:
    """One video window or audio job, runnable alone (`run_part`)."""

    name: str
    kind: str
    """"video" or "audio": the progress phase, and the lane `render` runs it on."""
    args: tuple[str, ...]
    """ffmpeg argv after the global flags, run in the work dir; its last item is `output`."""
    media: tuple[MediaArg, ...]
    needs: tuple[str, ...]
    """Work-dir files it reads (graphs, side files, masks, text rasters, nested drafts' renders)."""
    output: str
    duration_us: int
    weight: float
    """Its share of the render's progress."""
    memory: float
    """Estimated peak bytes, for scheduling parts side by side."""


@dataclass(frozen=True)
class JoinStep:
    """The final join: the windows' video copied (no re-encoding), the sound encoded once."""

    name: str
    args: tuple[str, ...]
    """Its last item is the output, written as `joined.mp4` here."""
    needs: tuple[str, ...]
    """Work-dir files it reads: its concat lists and every part's output."""
    duration_us: int
    weight: float


@dataclass(frozen=True)
class PartsManifest:
    """Everything the later steps need, as plain data (`to_json` / `from_json`)."""

    parts: tuple[Part, ...]
    join: JoinStep
    width: int
    height: int
    fps: str
    """The output rate as an exact fraction ("30", "30000/1001")."""
    frames: int
    duration_us: int
    range_us: tuple[int, int]
    draft_duration_us: int | None
    segments: int
    notes: tuple[Unsupported, ...]
    length_notes: tuple[str, ...]
    parallel: int
    """Video parts meant to run at once (their x264 threads are sized for it)."""
    memory_mb: int
    keep_workdir: bool
    prepared_at: float
    """Wall-clock time (epoch s) of the preparation, for the result's elapsed time."""
    version: int = MANIFEST_VERSION

    @property
    def windows(self) -> int:
        return sum(1 for p in self.parts if p.kind == "video")

    @property
    def portable(self) -> bool:
        """Whether every part can run on another machine (no media outside the draft folder)."""
        return not any(Path(m.path).is_absolute() for p in self.parts for m in p.media)

    def part_index(self, name: str) -> int:
        return next(i for i, p in enumerate(self.parts) if p.name == name)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> PartsManifest:
        try:
            data = json.loads(text)
            if data.get("version") != MANIFEST_VERSION:
                raise ValueError(f"version {data.get('version')!r}, this renderer reads {MANIFEST_VERSION}")
            parts = tuple(Part(**{**p, "args": tuple(p["args"]), "needs": tuple(p["needs"]),
                                  "media": tuple(MediaArg(**m) for m in p["media"])}) for p in data["parts"])
            join = JoinStep(**{**data["join"], "args": tuple(data["join"]["args"]),
                               "needs": tuple(data["join"]["needs"])})
            return cls(**{**data, "parts": parts, "join": join, "range_us": tuple(data["range_us"]),
                          "notes": tuple(Unsupported(**n) for n in data["notes"]),
                          "length_notes": tuple(data["length_notes"])})
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise RenderError(f"not a render parts manifest: {exc}") from exc


# -- step 1: prepare ----------------------------------------------------------------------------

def prepare_parts(source: Path | dict[str, Any], workdir: Path, *, spec: RenderSpec = DEFAULT_SPEC,
                  resolve_media: ResolveHook | None = None, allow_outside_paths: bool = False,
                  folder: Path | None = None, ffmpeg: str | None = None,
                  cancel: threading.Event | None = None) -> PartsManifest:
    """Load, check the range, render compound clips, draw texts, plan, and write every part's files.

    `folder` overrides the folder media paths are relative to (`render`'s
    rule); `ffmpeg` and `cancel` serve the nested drafts of compound clips,
    rendered here into `workdir`. Raises what `render` raises before its jobs run.
    """
    workdir = Path(workdir).absolute()
    folder = folder or draft_folder(source)
    tl = load_timeline(source if isinstance(source, dict) else Path(source), resolve_media=resolve_media,
                       allow_outside_paths=allow_outside_paths, folder=folder)
    first, last = spec.span_us(tl.duration)  # a bad range fails before any work
    exe = resolve_ffmpeg(ffmpeg)
    workdir.mkdir(parents=True, exist_ok=True)
    tl, nested_notes = render_compounds(tl, output_format(tl, spec), spec, workdir, NestedContext(
        folder, exe, resolve_media, allow_outside_paths, cancel))
    res, text_notes = gather_resources(tl, spec, workdir)
    res = replace(res, texts={k: _local_text(t, workdir) for k, t in res.texts.items()})
    spec = resolve_spec(spec, last - first)
    plan = plan_render(tl, res, spec, threads=spec.threads, final=_JOINED)
    for job in (*plan.video, *plan.audio, plan.mux):
        write_files(job.files, workdir)
        write_masks(job.masks, workdir)
    places = _Places(workdir, folder.resolve() if folder is not None else None, {str(p) for p in res.media})
    return PartsManifest(
        parts=tuple(places.part(job) for job in (*plan.video, *plan.audio)), join=places.join(plan.mux),
        width=plan.fmt.width, height=plan.fmt.height, fps=str(plan.fmt.fps), frames=plan.frames,
        duration_us=plan.duration_us, range_us=(first, last), draft_duration_us=tl.draft_duration,
        segments=len(tl.labels),
        notes=tuple(label_notes([*plan.unsupported, *text_notes, *nested_notes], tl.labels)),
        length_notes=tuple(length_summary(tl, first, last)), parallel=spec.parallel, memory_mb=spec.memory_mb,
        keep_workdir=spec.keep_workdir, prepared_at=time.time())


def _local_text(asset: TextAsset, workdir: Path) -> TextAsset:
    """A text raster named relative to the work dir (argv and the text-state concat lists then are too)."""
    def local(path: Path) -> Path:
        return path.relative_to(workdir) if path.is_absolute() and path.is_relative_to(workdir) else path

    return replace(asset, path=local(asset.path), states=tuple((t, local(p)) for t, p in asset.states))


@dataclass(frozen=True)
class _Places:
    """Turns a planned job's paths into the manifest's: work-dir names and draft-folder media."""

    workdir: Path
    folder: Path | None
    media: set[str]

    def part(self, job: Job) -> Part:
        args, media, needs = self._inputs(job)
        if args[-1] != job.output:
            raise RenderError(f"internal: part {job.name} does not end with its output {job.output}")
        return Part(job.name, job.kind, args, media, needs, job.output, job.duration_us, job.weight, job.memory)

    def join(self, job: Job) -> JoinStep:
        args, media, needs = self._inputs(job)
        if media or args[-1] != _JOINED:
            raise RenderError("internal: the join reads media or does not end with its output")
        return JoinStep(job.name, args, needs, job.duration_us, job.weight)

    def _inputs(self, job: Job) -> tuple[tuple[str, ...], tuple[MediaArg, ...], tuple[str, ...]]:
        args, media = list(job.args), []
        needs: dict[str, None] = dict.fromkeys([*job.files, *(m.name for m in job.masks)])
        for i, value in enumerate(args):
            if i == 0 or args[i - 1] != "-i":
                continue
            path = Path(value)
            if path.is_absolute() and self._in_workdir(path):
                args[i] = path.relative_to(self.workdir).as_posix()
                needs[args[i]] = None
            elif path.is_absolute():
                inside = self.folder is not None and path.is_relative_to(self.folder)
                rel = path.relative_to(self.folder).as_posix() if inside and self.folder else value
                args[i] = rel
                media.append(MediaArg(i, rel))
            elif (self.workdir / path).is_file():
                needs[path.as_posix()] = None
        for text in job.files.values():
            needs.update((name, None) for name in _LISTED.findall(text) if not Path(name).is_absolute())
        self._check(job, args, {m.index for m in media})
        return tuple(args), tuple(media), tuple(needs)

    def _in_workdir(self, path: Path) -> bool:
        """Under the work dir, and not in a draft folder kept inside it (then the deeper folder names it)."""
        if not path.is_relative_to(self.workdir):
            return False
        return self.folder is None or not path.is_relative_to(self.folder) or self.workdir.is_relative_to(self.folder)

    def _check(self, job: Job, args: Sequence[str], media: set[int]) -> None:
        """No path of this machine left where a part would carry it elsewhere (a planner change would show)."""
        here = str(self.workdir)
        for i, arg in enumerate(args):
            if i not in media and (here in arg or arg in self.media):
                raise RenderError(f"internal: part {job.name} names a local path in its arguments: {arg}")
        for name, text in job.files.items():
            if here in text:
                raise RenderError(f"internal: part {job.name}'s {name} names a local path")


# -- step 2: run one part -----------------------------------------------------------------------

def run_part(manifest: PartsManifest, index: int, workdir: Path, draft_folder: Path | None = None, *,
             ffmpeg: str | None = None, cancel: Stop = None, progress: PartProgress | None = None) -> str:
    """Run part `index` in `workdir` (holding its `needs`), reading media from `draft_folder`.

    Returns the name of the file it wrote into `workdir`. The file appears
    whole or not at all; running the part again rewrites the same bytes.
    Raises RenderError for a missing input, RenderFailed when ffmpeg fails,
    and RenderError("render cancelled") (`Cancelled`) when `cancel` is set.
    """
    if not 0 <= index < len(manifest.parts):
        raise RenderError(f"no part {index}: the render has {len(manifest.parts)} parts")
    part = manifest.parts[index]
    workdir = Path(workdir).absolute()
    _require(workdir, part.needs, f"part {part.name}")
    args = list(part.args)
    for item in part.media:
        args[item.index] = str(_media_path(item.path, draft_folder, part.name))
    out = Path(part.output)
    temp = f"{out.stem}.tmp-{uuid.uuid4().hex[:12]}{out.suffix}"  # same suffix: ffmpeg picks the format by it
    args[-1] = temp

    def on_time(us: int) -> None:
        if progress is not None:
            progress(min(1.0, us / max(1, part.duration_us)))

    try:
        run_ffmpeg(resolve_ffmpeg(ffmpeg), args, cwd=workdir, on_time=on_time, stop=_events(cancel))
        if not _written(workdir / temp):
            raise RenderError(f"part {part.name}: ffmpeg reported success but wrote no output")
        os.replace(workdir / temp, workdir / part.output)
    finally:
        (workdir / temp).unlink(missing_ok=True)
    return part.output


def _media_path(path: str, folder: Path | None, part: str) -> Path:
    if Path(path).is_absolute():
        found = Path(path)
    elif folder is None:
        raise RenderError(f"part {part} reads {path} from the draft folder, and none was given")
    else:
        found = Path(folder).resolve().joinpath(*PurePosixPath(path).parts)
    if not found.is_file():
        raise RenderError(f"part {part}: media {path} is missing ({found})")
    return found


def _require(workdir: Path, names: Iterable[str], who: str, owners: Mapping[str, str] | None = None) -> None:
    missing = [name for name in names if not (workdir / name).is_file()]
    if not missing:
        return
    owners = owners or {}
    parts = [f"part {owners[name]} ({name})" for name in missing if name in owners]
    others = [name for name in missing if name not in owners]
    if parts:
        also = f" (and it lacks {', '.join(others)})" if others else ""
        raise RenderError(f"{who}: {', '.join(parts)} missing from the work dir {workdir}{also}; run "
                          f"{'it' if len(parts) == 1 else 'them'} first")
    raise RenderError(f"{who}: the work dir {workdir} lacks {', '.join(others)}")


def _events(cancel: Stop) -> tuple[threading.Event, ...]:
    if cancel is None:
        return ()
    return (cancel,) if isinstance(cancel, threading.Event) else tuple(cancel)


def _written(path: Path) -> bool:
    return path.is_file() and path.stat().st_size > 0


# -- step 3: join -------------------------------------------------------------------------------

def join_parts(manifest: PartsManifest, workdir: Path, output: Path, *, ffmpeg: str | None = None,
               cancel: Stop = None, progress: PartProgress | None = None) -> RenderResult:
    """Join the parts' files in `workdir` into `output` without re-encoding the video.

    `output` appears whole or not at all (written beside it, then renamed).
    Raises RenderError naming the parts whose files are missing.
    """
    workdir = Path(workdir).absolute()
    output = Path(output).absolute()
    _require(workdir, manifest.join.needs, "join", {p.output: p.name for p in manifest.parts})
    output.parent.mkdir(parents=True, exist_ok=True)
    temp = output.with_name(f".{output.name}.part")
    args = [*manifest.join.args[:-1], str(temp)]
    duration = max(1, manifest.join.duration_us)
    try:
        run_ffmpeg(resolve_ffmpeg(ffmpeg), args, cwd=workdir, stop=_events(cancel),
                   on_time=None if progress is None else lambda us: progress(min(1.0, us / duration)))
        if not _written(temp):
            raise RenderError("ffmpeg reported success but wrote no output")
        os.replace(temp, output)
    finally:
        temp.unlink(missing_ok=True)
    return RenderResult(output=output, duration_us=manifest.duration_us, unsupported=list(manifest.notes),
                        width=manifest.width, height=manifest.height, fps=float(Fraction(manifest.fps)),
                        frames=manifest.frames, windows=manifest.windows,
                        elapsed_s=max(0.0, time.time() - manifest.prepared_at),
                        workdir=workdir if manifest.keep_workdir else None, range_us=manifest.range_us,
                        length_notes=list(manifest.length_notes), draft_duration_us=manifest.draft_duration_us,
                        segments=manifest.segments)
