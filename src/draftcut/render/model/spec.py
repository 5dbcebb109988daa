"""What the caller asks for (`RenderSpec`) and what it gets back (`RenderResult`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from draftcut.errors import InvalidRenderRange, TimelineTooLong
from draftcut.render.model.timeline import Unsupported

__all__ = ["DEFAULT_SPEC", "PROXY_SPEC", "RenderResult", "RenderSpec"]


@dataclass(frozen=True)
class RenderSpec:
    """Output and execution settings; `None` sizes and fps mean the draft's own.

    Giving only one of width/height keeps the draft's aspect ratio. A
    different aspect ratio re-lays the canvas out the way the app does when
    the project ratio changes (positions and fits are canvas-relative).
    """

    width: int | None = None
    height: int | None = None
    short_side: int | None = None
    """Scale the canvas, aspect kept, so its shorter side is this many pixels (never up); with no width/height."""
    fps: float | None = None
    max_fps: float | None = None
    """Render at most this many frames per second (the draft's own rate when lower)."""
    crf: int = 23
    preset: str = "veryfast"
    window_s: float | None = None
    """Length of the time windows rendered as separate ffmpeg jobs; None = duration / (2 × cores), 3–10 s."""
    parallel: int = 0
    """Window jobs at once; 0 = one per CPU core (at most 8)."""
    threads: int = 0
    """x264 threads per window job; 0 = cores / parallel."""
    max_inputs: int = 24
    """Windows holding more overlapping clips than this are split further (bounds open files)."""
    memory_mb: int = 1536
    """Estimated peak memory of the windows running at once; windows are split and queued to stay under it."""
    audio_window_s: float = 120.0
    audio_bitrate: str = "192k"
    sample_rate: int = 48_000
    keep_workdir: bool = False
    """Leave the intermediate files (graphs, chunks) next to the output for debugging."""
    range: tuple[int, int | None] | None = None
    """Render only ``[start, end)`` of the timeline, in µs (end None: to the timeline's end); the output
    starts at 0 and is end − start long. None: the whole timeline. Checked by `span_us`."""
    max_length_s: float | None = None
    """The longest output rendered (`TimelineTooLong` beyond it); None: no limit. The service sets it
    (``DRAFTCUT_RENDER_MAX_SECONDS``): an imported draft can claim any `duration`."""

    def __post_init__(self) -> None:
        if isinstance(self.range, list):  # from JSON (the corpus' ``render``)
            object.__setattr__(self, "range", tuple(self.range))

    def span_us(self, length: int) -> tuple[int, int]:
        """``(start, end)`` µs of the timeline to render; `length` is the timeline's.

        Raises `InvalidRenderRange` naming ``start`` or ``end`` for a range
        that is not a part of ``[0, length]``: negative, not a whole number,
        empty or reversed, or past the end.
        """
        if self.range is None:
            self._check_length(length)
            return 0, length
        start, end = self.range
        for name, value in (("start", start), ("end", end)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise InvalidRenderRange(f"must be a whole number of µs, got {value!r}", field=name)
        first, last = start or 0, length if end is None else end
        if first < 0:
            raise InvalidRenderRange(f"must be >= 0, got {first}", field="start")
        if first >= length:
            raise InvalidRenderRange(f"{_s(first)} is not before the timeline's end ({_s(length)})", field="start")
        if last > length:
            raise InvalidRenderRange(f"{_s(last)} is past the timeline's end ({_s(length)})", field="end")
        if last <= first:
            raise InvalidRenderRange(f"{_s(last)} must be after start ({_s(first)})", field="end")
        self._check_length(last - first)
        return first, last

    def _check_length(self, span: int) -> None:
        if self.max_length_s is not None and span > self.max_length_s * 1_000_000:
            field = "duration" if self.range is None else "end"
            raise TimelineTooLong(f"{_s(span)} to render, more than the {self.max_length_s:g} s this service "
                                  "renders (DRAFTCUT_RENDER_MAX_SECONDS); render a part with start/end", field=field)


def _s(us: int) -> str:
    return f"{us / 1e6:g} s ({us} µs)"


DEFAULT_SPEC = RenderSpec()
"""The draft's own size and fps, automatic windows (frozen, so one shared default is safe)."""

PROXY_SPEC = RenderSpec(short_side=360, max_fps=30, crf=30, preset="ultrafast", audio_bitrate="96k")
"""gen_video's `quality: "preview"`: 360p, x264's fastest preset at a higher crf, lighter sound,
so a whole draft can be watched seconds after asking (a proxy, not the deliverable)."""


@dataclass
class RenderResult:
    output: Path
    duration_us: int
    unsupported: list[Unsupported]
    width: int = 0
    height: int = 0
    fps: float = 0.0
    frames: int = 0
    windows: int = 0
    elapsed_s: float = 0.0
    workdir: Path | None = field(default=None)
    range_us: tuple[int, int] = (0, 0)
    """The part of the timeline rendered, µs (the whole of it unless `RenderSpec.range` asked for less)."""
    length_notes: list[str] = field(default_factory=list)
    """Why the output is as long as it is, in words (``read/length.py``): the CLI's summary says them."""
    draft_duration_us: int | None = None
    """The draft's own ``duration`` field (None when it has none), to compare the output's length with."""
    segments: int = 0
    """Segments in the draft: the report counts those with no note as rendered exactly."""
