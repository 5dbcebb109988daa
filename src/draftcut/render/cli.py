"""``draftcut render`` and ``draftcut preview``: the renderer from a terminal.

A draft is a folder, a ``draft_content.json``/``draft_info.json`` file, a zip
of a draft folder, or a ``draft_url`` (``http(s)://…?draft_id=…``), which is
downloaded first. Local drafts may use absolute media paths (the user pointed
us at them); downloaded ones may not leave their folder. A zip is unpacked
safely into a temporary folder and its media are found inside it the way
`import_draft` finds them (`draftcut.handoff.match`): by placeholder path,
relative path, or file name; a material whose file is not in the zip fails
the render with an error naming it.

``render --from S --to S`` renders that part of the timeline only (seconds;
the output starts at 0); the summary says why the output is as long as it
is when that differs from the draft's ``duration`` (``read/length.py``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from draftcut.errors import DraftcutError, InvalidRenderRange
from draftcut.render.model.report import summary_lines
from draftcut.render.model.spec import RenderResult, RenderSpec

__all__ = ["add_render_parsers"]

_BAR = 30
_ZIP_MAX_BYTES = 64 * 1024**3
"""What a zip given to the CLI may unpack to: the user's own file, so only the disk limits it (bombs are
still refused by their compression ratio)."""
_MAX_SECONDS = 86_400.0


def add_render_parsers(subparsers: Any) -> None:
    """Register ``render`` and ``preview`` on an argparse sub-parser set."""
    render = subparsers.add_parser("render", help="render a draft to MP4 (H.264 + AAC)")
    render.add_argument("draft", help="draft folder, draft_content.json, zip of a draft folder, or draft_url")
    render.add_argument("-o", "--output", type=Path, required=True, help="output .mp4")
    _size_args(render)
    render.add_argument("--fps", type=float, help="frame rate (default: the draft's)")
    render.add_argument("--crf", type=int, default=23, help="x264 quality, lower is better (default 23)")
    render.add_argument("--preset", default="veryfast", help="x264 preset (default veryfast)")
    render.add_argument("--parallel", type=int, default=0, help="window jobs at once (default: CPU cores)")
    render.add_argument("--window", type=float,
                        help="seconds per parallel window (default: duration / 2 per core, 3–10)")
    render.add_argument("--from", dest="range_from", type=_seconds, metavar="S",
                        help="render from this time on the timeline, in seconds (default 0); the output starts at 0")
    render.add_argument("--to", dest="range_to", type=_seconds, metavar="S",
                        help="render up to this time on the timeline, in seconds (default: the timeline's end)")
    render.set_defaults(func=_cmd_render)
    preview = subparsers.add_parser("preview", help="write the frame at a given time as PNG")
    preview.add_argument("draft", help="draft folder, draft_content.json, zip of a draft folder, or draft_url")
    preview.add_argument("--at", type=float, required=True, help="time in seconds")
    preview.add_argument("-o", "--output", type=Path, required=True, help="output .png")
    _size_args(preview)
    preview.set_defaults(func=_cmd_preview)


def _seconds(text: str) -> float:
    """A time on the timeline for ``--from``/``--to``: a finite number of seconds, 0 to 24 h."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 <= value <= _MAX_SECONDS:  # NaN fails this too
        raise argparse.ArgumentTypeError(f"must be from 0 to {_MAX_SECONDS:g} seconds, got {text!r}")
    return value


def _range(args: argparse.Namespace) -> tuple[int, int | None] | None:
    if args.range_from is None and args.range_to is None:
        return None
    return (round((args.range_from or 0.0) * 1_000_000),
            None if args.range_to is None else round(args.range_to * 1_000_000))


def _size_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--width", type=int, help="output width (default: the draft's canvas)")
    parser.add_argument("--height", type=int, help="output height (default: the draft's canvas)")


@dataclass(frozen=True, slots=True)
class _Source:
    draft: Path | dict[str, Any]
    local: bool
    """Absolute media paths allowed (a draft on this machine that the user pointed us at)."""
    resolve: Callable[[dict[str, Any]], Path] | None = None


@contextmanager
def _source(draft: str) -> Iterator[_Source]:
    """The draft to render from a folder, file, zip or URL."""
    if draft.startswith(("http://", "https://")):
        from draftcut.render.run.fetch import fetch_draft_folder  # deferred: httpx is only needed for URLs

        with tempfile.TemporaryDirectory(prefix="draftcut-fetch-") as tmp:
            yield _Source(fetch_draft_folder(draft, Path(tmp)), False)
        return
    path = Path(draft)
    from draftcut.handoff.safezip import is_zip

    if not (path.is_file() and is_zip(path)):
        yield _Source(path, True)
        return
    from draftcut.handoff.match import UploadFiles, find_timeline
    from draftcut.handoff.safezip import ZipLimits, extract

    with tempfile.TemporaryDirectory(prefix="draftcut-zip-") as tmp:
        root = Path(tmp)
        extract(path, root, ZipLimits(max_total_bytes=_ZIP_MAX_BYTES))
        timeline = find_timeline(root)
        # A dict has no folder, so every material path goes through the hook: only files of the zip are used.
        yield _Source(timeline.content, False, UploadFiles.scan(root).resolver(timeline.folder))


def _bar(percent: float, phase: str) -> None:
    filled = int(_BAR * percent / 100)
    sys.stderr.write(f"\r[{'#' * filled}{'-' * (_BAR - filled)}] {percent:5.1f}% {phase:<6}")
    sys.stderr.flush()


def _report(result: RenderResult) -> None:
    sys.stderr.write("\n")
    print(f"{result.output}: {result.width}x{result.height} {result.fps:g} fps, "
          f"{result.duration_us / 1e6:.2f} s, rendered in {result.elapsed_s:.1f} s")
    for line in result.length_notes:
        print(f"length: {line}")
    for line in summary_lines(result):  # identical notes grouped, then the summary
        print(line)


def _output(path: Path) -> Path:
    """`-o` as an absolute path, fixed before anything runs.

    ffmpeg runs with a temporary working directory as its cwd, and a draft_url
    is downloaded into another one: a relative path means the user's cwd.
    """
    return path.expanduser().absolute()


def _cmd_render(args: argparse.Namespace) -> int:
    from draftcut.render.run.render import render

    spec = RenderSpec(width=args.width, height=args.height, fps=args.fps, crf=args.crf, preset=args.preset,
                      parallel=args.parallel, window_s=args.window, range=_range(args))
    output = _output(args.output)
    try:
        with _source(args.draft) as source:
            result = render(source.draft, output, spec=spec, progress=_bar, resolve_media=source.resolve,
                            allow_outside_paths=source.local)
    except DraftcutError as exc:
        if isinstance(exc, InvalidRenderRange):  # name the flag, not the API's field
            exc.field = {"start": "--from", "end": "--to"}.get(exc.field or "", exc.field)
        sys.stderr.write(f"\nerror: {exc.describe() or exc.message('en')}\n")
        return 1
    _report(result)
    return 0


def _cmd_preview(args: argparse.Namespace) -> int:
    from draftcut.render.preview.frame import preview_frame

    spec = RenderSpec(width=args.width, height=args.height)
    output = _output(args.output)
    try:
        with _source(args.draft) as source:
            out = preview_frame(source.draft, int(args.at * 1_000_000), output, spec=spec,
                                resolve_media=source.resolve, allow_outside_paths=source.local)
    except DraftcutError as exc:
        sys.stderr.write(f"error: {exc.describe() or exc.message('en')}\n")
        return 1
    print(out)
    return 0
