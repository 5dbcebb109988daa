"""The benchmark timeline composed with MoviePy 2.x (the `bench` extra), for comparison.

    python bench/moviepy_compose.py <media dir> <out.mp4>

Same composition as `render_bench.main_draft`: three fitted 1920x1080 clips
with 1 s transitions centred on the cuts (MoviePy has no wipe, so both are
cross-fades), a circle-masked picture-in-picture at alpha 0.8, an outlined
caption, and background music at volume 0.5 with fades mixed over the clips'
sound. Encoder settings match draftcut's (libx264 veryfast, crf 23, AAC).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from moviepy import (AudioFileClip, ColorClip, CompositeAudioClip, CompositeVideoClip, ImageClip, TextClip,
                     VideoFileClip, afx, vfx)

W, H = 1080, 1920
FONT = Path(__file__).resolve().parents[1] / "src" / "draftcut" / "render" / "fonts" / "wqy-microhei.ttc"


def _circle_mask(size: int, feather: float, alpha: float) -> np.ndarray:
    ys, xs = np.mgrid[0:size, 0:size] + 0.5
    d = size / 2 - np.hypot(xs - size / 2, ys - size / 2)
    return np.asarray(alpha * np.clip(d / feather + 0.5, 0.0, 1.0))


def compose(media: Path, out: Path) -> None:
    a = VideoFileClip(str(media / "clipA.mp4")).subclipped(0, 8.0).resized(width=W)
    b = VideoFileClip(str(media / "clipB.mp4")).subclipped(0.5, 7.5).resized(width=W)
    c = VideoFileClip(str(media / "clipC.mp4")).subclipped(0, 7.0).resized(width=W)
    a = a.with_start(0).with_position("center")
    b = b.with_start(7.0).with_position("center").with_effects([vfx.CrossFadeIn(1.0)])
    c = c.with_start(13.0).with_position("center").with_effects([vfx.CrossFadeIn(1.0)])
    pip = (ImageClip(str(media / "pip.png")).resized((324, 324))
           .with_mask(ImageClip(_circle_mask(324, 12.0, 0.8), is_mask=True))
           .with_start(2).with_duration(14).with_position((648, 318)))
    caption = TextClip(font=str(FONT), text="Draft caption 123", font_size=72, color="white",
                       stroke_color="black", stroke_width=6)
    caption = caption.with_start(1).with_duration(18).with_position(("center", 1498 - caption.h // 2))
    background = ColorClip((W, H), color=(0, 0, 0)).with_duration(20)
    video = CompositeVideoClip([background, a, b, c, pip, caption], size=(W, H)).with_duration(20)
    bgm = AudioFileClip(str(media / "bgm.m4a")).subclipped(0, 20).with_effects(
        [afx.MultiplyVolume(0.5), afx.AudioFadeIn(1.0), afx.AudioFadeOut(2.0)])
    sounds = [clip.audio.with_start(clip.start) for clip in (a, b, c) if clip.audio is not None]
    video = video.with_audio(CompositeAudioClip([*sounds, bgm]).with_duration(20))
    video.write_videofile(str(out), fps=30, codec="libx264", preset="veryfast", audio_codec="aac",
                          audio_bitrate="192k", audio_fps=48000, threads=2, pixel_format="yuv420p",
                          ffmpeg_params=["-crf", "23", "-movflags", "+faststart"], logger=None)


if __name__ == "__main__":
    compose(Path(sys.argv[1]), Path(sys.argv[2]))
