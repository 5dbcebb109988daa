"""Rendered sound: levels, volume, fades, silence, mixing, mono, speed, volume keyframes.

A sine of amplitude A has RMS A/√2; levels are read per window on the first channel.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from checks import RenderFn
from drafts import SEC, Draft, kf
from mediagen import audio_samples, audio_track, color_video, rms, step_audio

SINE_05 = 0.5 / math.sqrt(2)


def _silent_base(d: Draft, rmedia: Path, seconds: float) -> None:
    d.video(d.track("video"), color_video(rmedia, "black", seconds=seconds), 0, int(seconds * SEC),
            size=(320, 240))


def test_single_track_keeps_its_level(rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft()
    d.audio(d.track("audio"), audio_track(rmedia, 440), 0, 2 * SEC)
    samples, rate = audio_samples(render_draft(d).output)
    assert rms(samples, rate, 0.2, 1.8) == pytest.approx(SINE_05, rel=0.03)
    assert len(samples) == pytest.approx(2 * rate, abs=2048)


def test_volume_fades_and_silence(rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft()
    _silent_base(d, rmedia, 4.5)
    d.audio(d.track("audio"), audio_track(rmedia, 440), SEC // 2, 3 * SEC, volume=0.5, fade=(SEC, SEC))
    samples, rate = audio_samples(render_draft(d).output)
    assert rms(samples, rate, 0.05, 0.45) < 0.002  # before the segment
    ramp = [rms(samples, rate, t, t + 0.1) for t in (0.55, 0.8, 1.05, 1.3)]
    assert ramp == sorted(ramp) and ramp[0] < 0.3 * SINE_05 * 0.5
    assert rms(samples, rate, 0.95, 1.05) == pytest.approx(SINE_05 * 0.5 * 0.5, rel=0.12)  # half-way in
    assert rms(samples, rate, 1.6, 2.4) == pytest.approx(SINE_05 * 0.5, rel=0.03)
    assert rms(samples, rate, 2.95, 3.05) == pytest.approx(SINE_05 * 0.5 * 0.5, rel=0.12)  # half-way out
    assert rms(samples, rate, 3.6, 4.4) < 0.002  # after it


def test_mix_with_video_sound_and_muted_track(rmedia: Path, render_draft: RenderFn) -> None:
    # quieter sources: ffmpeg's AAC encoder at 192k loses ~4% RMS on a two-tone mix peaking at 0 dBFS
    d = Draft()
    d.video(d.track("video"), color_video(rmedia, "red", tone_hz=880, level=0.3), 0, 2 * SEC, size=(320, 240))
    d.audio(d.track("audio"), audio_track(rmedia, 330, level=0.3), 0, 2 * SEC)
    samples, rate = audio_samples(render_draft(d).output)
    assert rms(samples, rate, 0.2, 1.8) == pytest.approx(0.3, rel=0.03)  # two 0.3/√2 tones add in power
    muted = Draft()
    muted.video(muted.track("video", attribute=1), color_video(rmedia, "red", tone_hz=880), 0, 2 * SEC,
                size=(320, 240))
    muted.audio(muted.track("audio"), audio_track(rmedia, 330), 0, 2 * SEC)
    samples, rate = audio_samples(render_draft(muted).output)
    assert rms(samples, rate, 0.2, 1.8) == pytest.approx(SINE_05, rel=0.03)


def test_mono_source_is_spread_at_full_level(rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft()
    d.video(d.track("video"), color_video(rmedia, "red", tone_hz=440, mono=True), 0, 2 * SEC, size=(320, 240))
    samples, rate = audio_samples(render_draft(d).output)
    assert rms(samples, rate, 0.2, 1.8) == pytest.approx(SINE_05, rel=0.03)


def test_speed_consumes_source_faster(rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft()
    _silent_base(d, rmedia, 2.0)
    d.audio(d.track("audio"), step_audio(rmedia, step_s=1.0), 0, SEC, speed=2.0)
    samples, rate = audio_samples(render_draft(d).output)
    assert rms(samples, rate, 0.1, 0.4) == pytest.approx(0.5 / math.sqrt(2), rel=0.06)  # source 0.2–0.8 s
    assert rms(samples, rate, 0.6, 0.9) == pytest.approx(0.125 / math.sqrt(2), rel=0.1)  # source 1.2–1.8 s
    assert rms(samples, rate, 1.1, 1.9) < 0.002


def test_volume_keyframes(rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft()
    d.audio(d.track("audio"), audio_track(rmedia, 440), 0, 2 * SEC,
            keyframes=[kf("KFTypeVolume", (0, 1.0), (2 * SEC, 0.0))])
    samples, rate = audio_samples(render_draft(d).output)
    assert rms(samples, rate, 0.45, 0.55) == pytest.approx(SINE_05 * 0.75, rel=0.06)
    assert rms(samples, rate, 1.45, 1.55) == pytest.approx(SINE_05 * 0.25, rel=0.1)
