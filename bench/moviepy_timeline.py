"""A transitions composition of the render benchmark, composed with MoviePy 2.x (the `bench` extra).

    python bench/moviepy_timeline.py <plan.json> <out.mp4>

`render_bench.py` writes the plan from the same `compositions.transition_clips`
list it sends to add_videos, so both tools get the same clips and timing:

    {"width": 1080, "height": 1920, "fps": 30, "duration": 20.0,
     "clips": [{"path": ".../port_a.mp4", "start": 0.0, "end": 4.0, "transition_s": 0.8}, ...]}

Each clip is fitted into the canvas (letterboxed) and centred. A transition
is centred on its cut, as in Jianying, and drawn as a cross-fade (MoviePy has
no wipes or slides), which flatters MoviePy slightly. The clips' own sound is
mixed. Encoder settings match draftcut's (libx264 veryfast, crf 23, AAC 192k).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from moviepy import ColorClip, CompositeAudioClip, CompositeVideoClip, VideoFileClip, vfx


def compose(plan: dict[str, Any], out: Path) -> None:
    w, h, duration = int(plan["width"]), int(plan["height"]), float(plan["duration"])
    layers: list[Any] = [ColorClip((w, h), color=(0, 0, 0)).with_duration(duration)]
    before = 0.0  # transition into the current clip
    for c in plan["clips"]:
        after = float(c["transition_s"])  # 0 for the last clip
        start = float(c["start"]) - before / 2
        source = VideoFileClip(c["path"])
        length = min(float(c["end"]) - float(c["start"]) + before / 2 + after / 2, source.duration)
        fit = min(w / source.w, h / source.h)
        clip = source.subclipped(0, length).resized(fit).with_start(max(0.0, start)).with_position("center")
        if before:
            clip = clip.with_effects([vfx.CrossFadeIn(before)])
        layers.append(clip)
        before = after
    video = CompositeVideoClip(layers, size=(w, h)).with_duration(duration)
    sounds = [clip.audio.with_start(clip.start) for clip in layers[1:] if clip.audio is not None]
    video = video.with_audio(CompositeAudioClip(sounds).with_duration(duration))
    video.write_videofile(str(out), fps=int(plan["fps"]), codec="libx264", preset="veryfast", audio_codec="aac",
                          audio_bitrate="192k", audio_fps=48000, threads=os.cpu_count() or 2, pixel_format="yuv420p",
                          ffmpeg_params=["-crf", "23", "-movflags", "+faststart"], logger=None)


if __name__ == "__main__":
    compose(json.loads(Path(sys.argv[1]).read_text()), Path(sys.argv[2]))
