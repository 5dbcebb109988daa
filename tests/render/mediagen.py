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

__all__ = ["Probe", "audio_samples", "audio_track", "chirp_audio", "chirp_video", "color_image", "color_video",
           "counter_video", "dominant_hz", "frame_at", "noise_audio", "probe_output", "rms", "spectrum", "split_image",
           "step_audio", "tone_burst"]

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


def _wav(folder: Path, name: str, source: str) -> Path:
    """A lavfi audio source written as 16-bit stereo WAV (lossless: spectra are the generator's own)."""
    out = folder / f"{name}.wav"
    if not out.exists():
        _run(["-f", "lavfi", "-i", source, "-ac", "2", "-c:a", "pcm_s16le", str(out)])
    return out


def tone_burst(folder: Path, tone_hz: int = 440, *, burst_s: float = 0.3, seconds: float = 2.0,
               level: float = 0.5) -> Path:
    """A tone for the first `burst_s`, then silence: what follows the burst is the effect's tail."""
    expr = f"{level}*sin(2*PI*{tone_hz}*t)*lt(t\\,{burst_s})"
    return _wav(folder, f"burst_{tone_hz}_{burst_s}_{seconds}_{level}", f"aevalsrc={expr}:s=48000:d={seconds}")


def noise_audio(folder: Path, *, seconds: float = 2.0, level: float = 0.3) -> Path:
    """White noise: energy spread evenly over the whole band."""
    return _wav(folder, f"noise_{seconds}_{level}", f"anoisesrc=d={seconds}:c=white:r=48000:a={level}:seed=7")


def chirp_audio(folder: Path, *, f0: float = 300.0, f1: float = 1500.0, seconds: float = 2.0,
                level: float = 0.5) -> Path:
    """A sine sweeping linearly from `f0` to `f1` Hz: frequency at t is f0 + (f1 − f0)·t / seconds."""
    k = (f1 - f0) / seconds
    expr = f"{level}*sin(2*PI*({f0}*t+{k / 2}*t*t))"
    return _wav(folder, f"chirp_{f0}_{f1}_{seconds}_{level}", f"aevalsrc={expr}:s=48000:d={seconds}")


def chirp_video(folder: Path, *, f0: float = 300.0, f1: float = 1500.0, seconds: float = 2.0,
                size: tuple[int, int] = (160, 120)) -> Path:
    """A grey H.264 clip whose sound is the chirp of `chirp_audio`."""
    out = folder / f"vchirp_{f0}_{f1}_{seconds}_{size[0]}x{size[1]}.mp4"
    if not out.exists():
        _run(["-f", "lavfi", "-i", f"color=c=gray:s={size[0]}x{size[1]}:r=30:d={seconds}",
              "-i", str(chirp_audio(folder, f0=f0, f1=f1, seconds=seconds)), "-c:v", "libx264", "-preset",
              "ultrafast", "-g", "10", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "192k", "-shortest", str(out)])
    return out


def spectrum(samples: np.ndarray, rate: int, start: float, end: float) -> tuple[np.ndarray, np.ndarray]:
    """(frequencies, power) of ``[start, end)`` seconds, Hann-windowed."""
    seg = samples[int(start * rate):int(end * rate)].astype(np.float64)
    power = np.abs(np.fft.rfft(seg * np.hanning(len(seg)))) ** 2
    return np.fft.rfftfreq(len(seg), 1 / rate), power


def dominant_hz(samples: np.ndarray, rate: int, start: float, end: float) -> float:
    """The strongest frequency of ``[start, end)``, refined by a parabola through the peak bins."""
    freqs, power = spectrum(samples, rate, start, end)
    i = int(np.argmax(power[1:-1])) + 1
    a, b, c = np.log(power[i - 1:i + 2] + 1e-30)
    shift = 0.5 * (a - c) / (a - 2 * b + c) if a - 2 * b + c else 0.0
    return float(freqs[i] + shift * (freqs[1] - freqs[0]))
