"""Audio effects, reversed sound and cross-fades under video transitions, measured on the rendered sound.

Each effect draft puts a dry copy of the source next to the processed ones on
one track, so every check compares the effect with the same sound untouched.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from checks import RenderFn
from drafts import SEC, Draft, audio_effect
from mediagen import (
    audio_samples,
    audio_track,
    chirp_audio,
    chirp_video,
    color_video,
    dominant_hz,
    noise_audio,
    rms,
    spectrum,
    tone_burst,
)

from draftcut.render import load_timeline
from draftcut.render.model.resources import MediaInfo, OutputFormat, Resources
from draftcut.render.model.timeline import Unsupported
from draftcut.render.plan.audio import audible, audio_graph
from draftcut.render.plan.graph import Graph

SINE_05 = 0.5 / math.sqrt(2)


def _notes(unsupported: list[Unsupported] | tuple[Unsupported, ...], feature: str) -> dict[str | None, str]:
    return {n.segment_id: n.detail for n in unsupported if n.feature == feature}


def _band(freqs: np.ndarray, power: np.ndarray, low: float, high: float) -> float:
    return float(power[(freqs >= low) & (freqs < high)].sum())


def _envelope(samples: np.ndarray, rate: int, start: float, end: float, step: float = 0.01) -> np.ndarray:
    return np.array([rms(samples, rate, t, t + step) for t in np.arange(start, end, step)])


def _tone_amplitude(samples: np.ndarray, rate: int, hz: float, start: float, end: float) -> float:
    """Amplitude of the `hz` sine in ``[start, end)`` (projection on sin/cos; windows hold whole periods)."""
    a, b = int(start * rate), int(end * rate)
    t = np.arange(a, b) / rate
    return float(2 * abs(np.sum(samples[a:b] * np.exp(-2j * np.pi * hz * t))) / (b - a))


def test_reverb_and_echo_ring_on_after_a_burst(rmedia: Path, render_draft: RenderFn) -> None:
    """A 0.3 s burst, then silence: the 200 ms after it stay silent dry and ring with reverb or echo."""
    d = Draft()
    track, burst = d.track("audio"), tone_burst(rmedia)
    d.audio(track, burst, 0, 2 * SEC)
    reverb = d.audio(track, burst, 2 * SEC, 2 * SEC)
    echo = d.audio(track, burst, 4 * SEC, 2 * SEC)
    audio_effect(d, reverb, "超级混响")
    audio_effect(d, echo, "回音")
    result = render_draft(d)
    samples, rate = audio_samples(result.output)
    dry_tail = rms(samples, rate, 0.32, 0.52)
    assert dry_tail < 0.005
    for offset in (2.0, 4.0):
        assert rms(samples, rate, offset + 0.05, offset + 0.25) > 0.1  # the burst itself still sounds
        assert rms(samples, rate, offset + 0.32, offset + 0.52) > max(0.03, 10 * dry_tail)
    notes = _notes(result.unsupported, "audio effect")
    assert notes[reverb["id"]].startswith("超级混响: approximated")
    assert notes[echo["id"]].startswith("回音: approximated")
    # rendered in short audio windows (cut inside the tails), the sound is the same
    split, _ = audio_samples(render_draft(d, audio_window_s=0.7).output)
    assert len(split) == pytest.approx(len(samples), abs=2048)
    whole, parts = _envelope(samples, rate, 0, 5.9, 0.05), _envelope(split, rate, 0, 5.9, 0.05)
    assert np.max(np.abs(whole - parts)) < 0.01


def test_telephone_keeps_only_the_voice_band(rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft()
    track, noise = d.track("audio"), noise_audio(rmedia)
    d.audio(track, noise, 0, 2 * SEC)
    phone = d.audio(track, noise, 2 * SEC, 2 * SEC)
    audio_effect(d, phone, "电话")
    samples, rate = audio_samples(render_draft(d).output)
    dry, wet = spectrum(samples, rate, 0.2, 1.8), spectrum(samples, rate, 2.2, 3.8)

    def shares(spec: tuple[np.ndarray, np.ndarray]) -> tuple[float, float]:
        mid = _band(*spec, 500, 3000)
        return _band(*spec, 20, 150) / mid, _band(*spec, 6000, 16000) / mid

    (dry_low, dry_high), (low, high) = shares(dry), shares(wet)
    assert dry_low > 0.02 and dry_high > 1.0  # white noise: every band has its share
    assert low < dry_low / 10
    assert high < dry_high / 10


def test_voice_effects_move_the_pitch_and_keep_the_length(rmedia: Path, render_draft: RenderFn) -> None:
    """花栗鼠 (chipmunk) +8 and 大叔 (uncle) −4 semitones; 机器人 (robot) turns the sine into a buzz."""
    d = Draft()
    track, tone = d.track("audio"), audio_track(rmedia, 440)
    d.audio(track, tone, 0, 2 * SEC)
    segs = {name: d.audio(track, tone, int(at * SEC), 2 * SEC)
            for name, at in (("花栗鼠", 2.5), ("大叔", 5.0), ("机器人", 7.5))}
    for name, seg in segs.items():
        audio_effect(d, seg, name, "tone")
    result = render_draft(d)
    samples, rate = audio_samples(result.output)
    assert dominant_hz(samples, rate, 0.3, 1.7) == pytest.approx(440, rel=0.01)
    for offset, semitones in ((2.5, 8), (5.0, -4)):
        assert dominant_hz(samples, rate, offset + 0.3, offset + 1.7) == pytest.approx(
            440 * 2 ** (semitones / 12), rel=0.05)
        env = _envelope(samples, rate, offset - 0.3, offset + 2.3)
        steady = float(np.median(_envelope(samples, rate, offset + 0.2, offset + 1.8)))
        assert steady == pytest.approx(SINE_05, rel=0.25)
        assert np.count_nonzero(env > steady / 2) * 0.01 == pytest.approx(2.0, rel=0.02)

    def off_tone(start: float) -> float:
        freqs, power = spectrum(samples, rate, start, start + 1.4)
        return 1 - _band(freqs, power, 400, 480) / float(power.sum())

    assert off_tone(0.3) < 0.02
    assert off_tone(7.8) > 0.3  # harmonics of the FFT hop rate
    assert rms(samples, rate, 7.8, 9.2) > 0.3 * SINE_05
    notes = _notes(result.unsupported, "audio effect")
    assert notes[segs["花栗鼠"]["id"]] == "花栗鼠: approximated (pitch +8.0 semitones)"
    assert notes[segs["机器人"]["id"]].startswith("机器人: approximated")


def test_effects_are_reported_by_name(tmp_path: Path) -> None:
    media = tmp_path / "src" / "a.wav"
    media.parent.mkdir(parents=True)
    media.write_bytes(b"not really media")  # parsing never opens media
    d = Draft()
    track = d.track("audio")
    cases = [("超级混响", "sound_effect"), ("森林", "sound_effect"), ("不存在的效果", "sound_effect"),
             ("民谣", "speech_to_song"), ("大叔", "tone"), ("广告男声", "tone")]
    segs = []
    for i, (name, category) in enumerate(cases):
        seg = d.audio(track, media, i * SEC, SEC)
        audio_effect(d, seg, name, category)
        segs.append(seg)
    tl = load_timeline(d.save(tmp_path / "d"))
    notes = _notes(tl.unsupported, "audio effect")
    assert [notes[s["id"]].split(" (")[0] for s in segs] == [
        "超级混响: approximated", "森林: not rendered", "不存在的效果: not rendered", "民谣",
        "大叔: approximated", "广告男声: not rendered"]
    assert notes[segs[3]["id"]] == "民谣 (speech to song): not rendered"
    effects = {c.segment_id: c.effects for c in tl.audios}
    assert effects[segs[0]["id"]] and effects[segs[4]["id"]]
    assert not effects[segs[1]["id"]] and not effects[segs[2]["id"]]
    # a strength of 0 leaves the sound as it is, and says so
    quiet = d.audio(track, media, 8 * SEC, SEC)
    audio_effect(d, quiet, "回音", change_voice_param_strength=0.0)
    tl = load_timeline(d.save(tmp_path / "d2"))
    assert _notes(tl.unsupported, "audio effect")[quiet["id"]] == "回音: approximated (strength 0: unchanged)"


def test_transition_cross_fades_the_clips_sound(rmedia: Path, render_draft: RenderFn) -> None:
    """A 1 s dissolve centred on the cut at 2 s: 440 Hz fades out and 880 Hz in over 1.5–2.5 s."""
    d = Draft()
    v = d.track("video")
    d.video(v, color_video(rmedia, "red", tone_hz=440), 0, 2 * SEC, size=(320, 240),
            refs=[d.transition("叠化", SEC)])
    d.video(v, color_video(rmedia, "blue", tone_hz=880, seconds=4.0), 2 * SEC, 2 * SEC, size=(320, 240),
            source_start=SEC)
    samples, rate = audio_samples(render_draft(d).output)
    env = _envelope(samples, rate, 0.2, 3.8, 0.02)
    assert env.min() > 0.3 * SINE_05  # no gap at the cut
    a = [_tone_amplitude(samples, rate, 440, t - 0.025, t + 0.025) for t in (1.3, 1.75, 2.0, 2.25, 2.7)]
    b = [_tone_amplitude(samples, rate, 880, t - 0.025, t + 0.025) for t in (1.3, 1.75, 2.0, 2.25, 2.7)]
    assert a == pytest.approx([0.5, 0.375, 0.25, 0.125, 0.0], abs=0.04)  # linear, as the picture's
    assert b == pytest.approx([0.0, 0.125, 0.25, 0.375, 0.5], abs=0.04)


def test_reversed_sound_plays_backwards(rmedia: Path, render_draft: RenderFn) -> None:
    """A chirp rising 300 → 1500 Hz comes out falling, from an audio segment and from a video's own sound."""
    d = Draft()
    video = d.video(d.track("video"), chirp_video(rmedia), 0, 2 * SEC, size=(160, 120))
    audio = d.audio(d.track("audio"), chirp_audio(rmedia), 2 * SEC, 2 * SEC)
    video["reverse"] = audio["reverse"] = True
    result = render_draft(d)
    samples, rate = audio_samples(result.output)
    for offset in (0.0, 2.0):
        # output time t plays source time 2 − t, where the chirp is at 300 + 600·(2 − t) Hz
        assert dominant_hz(samples, rate, offset + 0.2, offset + 0.4) == pytest.approx(1320, rel=0.05)
        assert dominant_hz(samples, rate, offset + 1.6, offset + 1.8) == pytest.approx(480, rel=0.05)
    notes = _notes(result.unsupported, "reverse playback")
    assert audio["id"] not in notes
    assert notes.get(video["id"], "picture played forwards") == "picture played forwards"


def test_transition_into_a_photo_fades_the_video_sound_out(tmp_path: Path) -> None:
    """The photo has no sound, yet its transition still carries the video's sound 0.5 s on, fading out."""
    folder = tmp_path / "src"
    folder.mkdir()
    video, photo = folder / "v.mp4", folder / "p.png"
    for path in (video, photo):
        path.write_bytes(b"not really media")  # planning never opens media
    d = Draft()
    track = d.track("video")
    moving = d.video(track, video, 0, 2 * SEC, size=(320, 240), refs=[d.transition("叠化", SEC)])
    still = d.video(track, photo, 2 * SEC, 2 * SEC, size=(320, 240), photo=True)
    tl = load_timeline(d.save(tmp_path / "d"))
    draft_folder = tmp_path / "d" / "Resources" / "local"
    res = Resources(media={(draft_folder / "v.mp4").resolve(): MediaInfo(320, 240, 10 * SEC, True, True, 2),
                           (draft_folder / "p.png").resolve(): MediaInfo(320, 240, 0, True, False, is_image=True)})
    clips, notes = audible(tl.audios, res)
    assert not notes
    assert [(c.segment_id, c.volume) for c in clips] == [(moving["id"], 1.0), (still["id"], 0.0)]
    g = Graph(prefix="a")
    audio_graph(g, OutputFormat(320, 240, Fraction(30)), res, clips, 0, 120, 0, 4 * 48_000)
    assert len(g.inputs) == 1  # the photo adds no input
    args = g.argv_inputs()
    assert float(args[args.index("-t") + 1]) >= 2.5  # 0.5 s past the video's end
    assert "volume='" in g.text()  # the fade-out ramp
    # without the transition the silent photo is dropped and the video's sound stops at its end
    moving["extra_material_refs"] = moving["extra_material_refs"][:1]
    clips, _ = audible(load_timeline(d.save(tmp_path / "d")).audios, res)
    assert [c.segment_id for c in clips] == [moving["id"]]
