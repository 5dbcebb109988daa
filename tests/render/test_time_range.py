"""The output's length is the draft's timeline, and `RenderSpec.range` renders a part of it.

Renders are real (320×240 or smaller, ≤ 4 s); every check probes the output.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from checks import RenderFn, assert_color, patch_mean
from drafts import SEC, Draft
from mediagen import audio_samples, color_video, dominant_hz, frame_at, probe_output

from draftcut.cli import main
from draftcut.errors import InvalidRenderRange
from draftcut.render import RenderSpec, render

FPS = 30
RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)
TONES = {"red": 330, "lime": 660, "blue": 990}


def _rgb_draft(rmedia: Path, cuts: tuple[int, int, int, int] = (0, 1_500_000, 3 * SEC, 4 * SEC),
               transition: str | None = None) -> Draft:
    """red, green, blue clips back to back on one track, each with its own tone."""
    d = Draft()
    track = d.track("video")
    for i, color in enumerate(("red", "lime", "blue")):
        refs = [d.transition(transition, 600_000)] if transition and i < 2 else []
        d.video(track, color_video(rmedia, color, seconds=2.0, tone_hz=TONES[color]), cuts[i],
                cuts[i + 1] - cuts[i], size=(320, 240), refs=refs)
    return d


def _audio_s(path: Path) -> float:
    samples, rate = audio_samples(path)
    return len(samples) / rate


def test_a_range_holds_exactly_that_part(rmedia: Path, render_draft: RenderFn) -> None:
    """1.5–3.0 s of red|green|blue is exactly the green clip: no red frame first, no blue frame last."""
    result = render_draft(_rgb_draft(rmedia), range=(1_500_000, 3 * SEC))
    probe = probe_output(result.output)
    assert probe.frames == 45 and abs(probe.duration - 1.5) <= 1 / FPS, probe
    assert result.duration_us == 1_500_000 and result.range_us == (1_500_000, 3 * SEC)
    assert_color(frame_at(result.output, 0.0), 160, 120, GREEN)
    assert_color(frame_at(result.output, 44 / FPS), 160, 120, GREEN)
    assert abs(_audio_s(result.output) - 1.5) <= 1 / FPS + 2048 / 48_000
    samples, rate = audio_samples(result.output)
    assert dominant_hz(samples, rate, 0.05, 0.4) == pytest.approx(TONES["lime"], abs=15)
    assert dominant_hz(samples, rate, 1.1, 1.45) == pytest.approx(TONES["lime"], abs=15)
    assert any("rendered 1.50 s–3.00 s of the 4.00 s timeline" in line for line in result.length_notes)


def test_a_range_from_only_runs_to_the_end_across_windows(rmedia: Path, render_draft: RenderFn) -> None:
    """start only; 0.5 s windows, so the range is cut into pieces that must join at the right frames."""
    result = render_draft(_rgb_draft(rmedia), range=(2 * SEC, None), window_s=0.5)
    probe = probe_output(result.output)
    assert probe.frames == 60 and result.windows >= 4
    assert_color(frame_at(result.output, 0.0), 160, 120, GREEN)
    assert_color(frame_at(result.output, 29 / FPS), 160, 120, GREEN)
    assert_color(frame_at(result.output, 30 / FPS), 160, 120, BLUE)


def test_a_range_cutting_through_a_transition_shows_it_as_it_looks_there(
        rmedia: Path, render_draft: RenderFn) -> None:
    """A dissolve red→green around 1.5 s: a range starting mid-dissolve starts on the mixed frame the full
    render shows there, and ends mid-way through the next one."""
    draft = _rgb_draft(rmedia, transition="叠化")
    full = render_draft(draft)
    part = render_draft(draft, range=(1_500_000, 3_100_000))
    assert probe_output(part.output).frames == 48
    for offset in (0, 5, 47):  # first frame (mid red→green), inside, last (mid green→blue)
        want = frame_at(full.output, (45 + offset) / FPS).astype(int)
        got = frame_at(part.output, offset / FPS).astype(int)
        assert np.abs(patch_mean(got, 160, 120) - patch_mean(want, 160, 120)).max() <= 6, offset
    first = patch_mean(frame_at(part.output, 0.0), 160, 120)
    assert first[0] > 60 and first[1] > 60, first  # red and green mixed: a cut inside the dissolve


def test_the_tail_past_the_last_clip_is_black_to_the_drafts_duration(rmedia: Path, render_draft: RenderFn) -> None:
    """duration 3 s, the last clip ends at 2 s, an effect track runs to 3 s: 3 s out, the last second black."""
    d = Draft()
    d.video(d.track("video"), color_video(rmedia, "red", seconds=2.0, tone_hz=440), 0, 2 * SEC, size=(320, 240))
    d.effect_track("暗角", 0, 3 * SEC)
    assert d.data["duration"] == 3 * SEC
    result = render_draft(d)
    probe = probe_output(result.output)
    assert probe.frames == 90 and abs(probe.duration - 3.0) <= 1 / FPS
    assert_color(frame_at(result.output, 1.0), 160, 120, RED)
    for t in (2.05, 2.5, 89 / FPS):
        assert_color(frame_at(result.output, t), 160, 120, (0, 0, 0), tol=8)
    assert abs(_audio_s(result.output) - 3.0) <= 1 / FPS + 2048 / 48_000
    assert not any(u.feature == "timeline length" for u in result.unsupported)  # black is what the app shows
    assert any("black canvas to 3.00 s" in line for line in result.length_notes)


def test_a_duration_past_every_segment_is_rendered_black_and_reported(
        rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft()
    d.video(d.track("video"), color_video(rmedia, "red", seconds=1.0), 0, SEC, size=(160, 120))
    d.data["duration"] = 1_500_000
    result = render_draft(d)
    assert probe_output(result.output).frames == 45
    assert_color(frame_at(result.output, 1.3), 80, 60, (0, 0, 0), tol=8)
    notes = [u for u in result.unsupported if u.feature == "timeline length"]
    assert len(notes) == 1 and notes[0].segment_id is None and "1.50 s" in notes[0].detail


def test_a_duration_shorter_than_the_segments_does_not_cut_them(rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft()
    d.video(d.track("video"), color_video(rmedia, "red", seconds=1.0), 0, SEC, size=(160, 120))
    d.data["duration"] = 500_000
    result = render_draft(d)
    assert probe_output(result.output).frames == 30
    assert any("duration field says 0.50 s" in line for line in result.length_notes)
    assert not any(u.feature == "timeline length" for u in result.unsupported)


@pytest.mark.parametrize(("bad", "field"), [
    ((-1, None), "start"), ((2 * SEC, 2 * SEC), "end"), ((3 * SEC, SEC), "end"), ((0, 5 * SEC), "end"),
    ((4 * SEC, None), "start"), ((0.5, None), "start"), ((0, 10**30), "end"),
])
def test_bad_ranges_are_refused_naming_the_field(rmedia: Path, tmp_path: Path,
                                                 bad: tuple[int, int | None], field: str) -> None:
    folder = _rgb_draft(rmedia).save(tmp_path / "d")
    with pytest.raises(InvalidRenderRange) as caught:
        render(folder, tmp_path / "o.mp4", spec=RenderSpec(range=bad))  # type: ignore[arg-type]
    assert caught.value.field == field and caught.value.status == 400
    assert not (tmp_path / "o.mp4").exists()


def test_cli_from_to(rmedia: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _rgb_draft(rmedia).save(tmp_path / "d")
    out = tmp_path / "o.mp4"
    assert main(["render", str(folder), "-o", str(out), "--width", "160", "--from", "1.5", "--to", "3"]) == 0
    printed = capsys.readouterr().out
    assert "1.50 s" in printed and "rendered 1.50 s–3.00 s of the 4.00 s timeline" in printed
    assert probe_output(out).frames == 45
    assert_color(frame_at(out, 0.0), 80, 60, GREEN)
    assert main(["render", str(folder), "-o", str(out), "--from", "3", "--to", "2"]) == 1
    assert "--to" in capsys.readouterr().err
    assert main(["render", str(folder), "-o", str(out), "--to", "9"]) == 1
    assert "past the timeline's end" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["render", str(folder), "-o", str(out), "--from", "nan"])
    assert "--from" in capsys.readouterr().err
