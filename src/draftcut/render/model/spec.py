"""What the caller asks for (`RenderSpec`) and what it gets back (`RenderResult`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

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
