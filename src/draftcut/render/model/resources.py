"""Facts the planner needs from outside the draft: probed media, text rasters, output format.

They are gathered by the executor (PyAV probing, Pillow rasterising) and
handed to the planner as plain data, which keeps planning free of I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

__all__ = ["MediaInfo", "OutputFormat", "Resources", "TextAsset"]


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """Display size (rotation and pixel aspect applied), length and streams of a file."""

    width: int
    height: int
    duration_us: int
    has_video: bool
    has_audio: bool
    audio_channels: int = 0
    has_alpha: bool = False
    is_image: bool = False
    assumed_matrix: str | None = None
    """YCbCr matrix to assume for YUV pixels the file does not tag (``plan/colour.py``); None when tagged."""


@dataclass(frozen=True, slots=True)
class TextAsset:
    """A text raster written as PNG, padded so the text box centre is the image centre.

    `states` is set when the text itself changes over the segment (typewriter,
    karaoke, blur): ``(segment-local start µs, PNG)`` in time order, the first
    at 0, every PNG the size of `path`, which is then the fully drawn text.
    """

    path: Path
    width: int
    height: int
    states: tuple[tuple[int, Path], ...] = ()


@dataclass(frozen=True, slots=True)
class OutputFormat:
    width: int
    height: int
    fps: Fraction
    sample_rate: int = 48_000


@dataclass(frozen=True, slots=True)
class Resources:
    media: dict[Path, MediaInfo] = field(default_factory=dict)
    texts: dict[str, TextAsset] = field(default_factory=dict)
