"""Generated test media and PyAV readers for checking rendered output.

Media are solid colours and pure tones, so expected pixels and levels are
known analytically (rendering.md §3.7). Files are cached per session by
their parameters.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import imageio_ffmpeg
import numpy as np
from PIL import Image

__all__ = ["Probe", "audio_samples", "audio_track", "color_image", "color_video", "counter_video", "frame_at",
           "probe_output", "rms", "split_image", "step_audio"]

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()


def _run(args: list[str]) -> None:
    proc = subprocess.run([FFMPEG, "-hide_banner", "-loglevel", "error", "-y", *args],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)


def color_video(folder: Path, color: str, *, size: tuple[int, int] = (320, 240), seconds: float = 3.0,
                fps: int = 30, tone_hz: int | None = None, level: float = 0.5, mono: bool = False) -> Path:
    """A solid-colour H.264 clip (keyframe every 10 frames), with a sine tone if `tone_hz`."""
    out = folder / f"v_{color}_{size[0]}x{size[1]}_{seconds}_{fps}_{tone_hz}_{level}_{mono}.mp4"
    if out.exists():
        return out
    args = ["-f", "lavfi", "-i", f"color=c={color}:s={size[0]}x{size[1]}:r={fps}:d={seconds}"]
    if tone_hz:
        layout = "mono" if mono else "stereo"
        args += ["-f", "lavfi", "-i", f"aevalsrc={level}*sin(2*PI*{tone_hz}*t):s=48000:c={layout}:d={seconds}"]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-g", "10", "-pix_fmt", "yuv420p"]
    args += ["-c:a", "aac", "-b:a", "128k"] if tone_hz else []
    _run([*args, str(out)])
    return out


def counter_video(folder: Path, *, size: tuple[int, int] = (320, 240), seconds: float = 4.0,
                  fps: int = 30) -> Path:
    """Grey level rises with time (value = 8 + 40·t), to see which source time is shown."""
    out = folder / f"counter_{size[0]}x{size[1]}_{seconds}_{fps}.mp4"
    if not out.exists():
        _run(["-f", "lavfi", "-i", f"color=c=black:s={size[0]}x{size[1]}:r={fps}:d={seconds}",
              "-vf", "geq=lum='8+40*T':cb=128:cr=128", "-c:v", "libx264", "-preset", "ultrafast",
              "-g", "10", "-pix_fmt", "yuv420p", str(out)])
    return out


def color_image(folder: Path, rgba: tuple[int, int, int, int], size: tuple[int, int] = (200, 200)) -> Path:
    out = folder / f"img_{'_'.join(map(str, rgba))}_{size[0]}x{size[1]}.png"
    if not out.exists():
        Image.new("RGBA", size, rgba).save(out)
    return out


def audio_track(folder: Path, tone_hz: int, *, seconds: float = 4.0, level: float = 0.5) -> Path:
    out = folder / f"a_{tone_hz}_{seconds}_{level}.m4a"
    if not out.exists():
        _run(["-f", "lavfi", "-i", f"aevalsrc={level}*sin(2*PI*{tone_hz}*t):s=48000:c=stereo:d={seconds}",
              "-c:a", "aac", "-b:a", "192k", str(out)])
    return out




@dataclass
class Probe:
    duration: float
    video_codec: str
    audio_codec: str
    width: int
    height: int
    fps: Fraction
    frames: int
    sample_rate: int
    channels: int


def probe_output(path: Path) -> Probe:
    with av.open(str(path)) as c:
        v, a = c.streams.video[0], c.streams.audio[0]
        frames = sum(1 for p in c.demux(v) if p.size)
        return Probe(duration=float(c.duration or 0) / 1e6, video_codec=v.codec_context.name,
                     audio_codec=a.codec_context.name, width=v.codec_context.width,
                     height=v.codec_context.height, fps=Fraction(v.average_rate), frames=frames,
                     sample_rate=a.codec_context.sample_rate, channels=a.codec_context.channels)


def frame_at(path: Path, t: float) -> np.ndarray:
    """The RGB frame shown at time `t` (seconds) as an H×W×3 uint8 array."""
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        best = None
        for frame in c.decode(stream):
            if frame.time is not None and frame.time > t + 1e-3:
                break
            best = frame
        assert best is not None, f"no frame at {t}"
        return best.to_ndarray(format="rgb24")


def audio_samples(path: Path) -> tuple[np.ndarray, int]:
    """First channel of the audio as float32, and its sample rate."""
    with av.open(str(path)) as c:
        stream = c.streams.audio[0]
        chunks = [f.to_ndarray()[0] if f.to_ndarray().ndim == 2 else f.to_ndarray()
                  for f in c.decode(stream)]
        return np.concatenate(chunks).astype(np.float32), stream.codec_context.sample_rate


def rms(samples: np.ndarray, rate: int, start: float, end: float) -> float:
    a, b = int(start * rate), int(end * rate)
    seg = samples[a:b]
    return float(np.sqrt(np.mean(seg.astype(np.float64) ** 2))) if len(seg) else 0.0


def split_image(folder: Path, left: tuple[int, int, int, int], right: tuple[int, int, int, int],
                size: tuple[int, int] = (200, 200)) -> Path:
    """Left half one colour, right half another."""
    out = folder / f"split_{'_'.join(map(str, left + right))}_{size[0]}x{size[1]}.png"
    if not out.exists():
        im = Image.new("RGBA", size, right)
        im.paste(Image.new("RGBA", (size[0] // 2, size[1]), left), (0, 0))
        im.save(out)
    return out


def step_audio(folder: Path, tone_hz: int = 440, *, first: float = 0.5, second: float = 0.125,
               step_s: float = 1.0, seconds: float = 3.0) -> Path:
    """A tone at level `first` until `step_s`, then at `second`."""
    out = folder / f"step_{tone_hz}_{first}_{second}_{step_s}_{seconds}.m4a"
    if not out.exists():
        expr = f"({first}*lt(t,{step_s})+{second}*gte(t,{step_s}))*sin(2*PI*{tone_hz}*t)"
        _run(["-f", "lavfi", "-i", f"aevalsrc='{expr}':s=48000:c=stereo:d={seconds}",
              "-c:a", "aac", "-b:a", "192k", str(out)])
    return out
