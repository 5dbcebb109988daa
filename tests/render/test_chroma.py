"""Chroma key (色度抠图): a green-screen clip keyed on green shows the clip below through the green."""

from __future__ import annotations

from pathlib import Path

from checks import RenderFn, assert_color
from drafts import SEC, Draft
from mediagen import color_video, frame_at
from PIL import Image


def _green_screen(folder: Path) -> Path:
    """A 320×240 pure green picture with a red 100×100 square in the middle."""
    out = folder / "green_screen_red_square.png"
    if not out.exists():
        im = Image.new("RGB", (320, 240), (0, 255, 0))
        im.paste(Image.new("RGB", (100, 100), (255, 0, 0)), (110, 70))
        im.save(out)
    return out


def _chroma(d: Draft, color: str = "#00FF00FF", intensity: float = 0.5) -> str:
    return d.effect("chromas", type="chroma", version="v2", color=color, intensity_value=intensity,
                    shadow_value=0.0, edge_smooth_value=0.0, spill_value=0.0, should_transfer_color=True)


def test_green_is_keyed_and_the_red_square_stays(rmedia: Path, render_draft: RenderFn) -> None:
    d = Draft()
    d.data["materials"]["chromas"] = []
    d.video(d.track("video"), color_video(rmedia, "blue", seconds=1.0), 0, SEC, size=(320, 240))
    key = _chroma(d)
    seg = d.video(d.track("video"), _green_screen(rmedia), 0, SEC, size=(320, 240), photo=True, refs=[key])
    result = render_draft(d)
    frame = frame_at(result.output, 0.5)
    assert_color(frame, 40, 40, (0, 0, 255))  # green area: the blue clip below shows
    assert_color(frame, 290, 200, (0, 0, 255))
    assert_color(frame, 160, 120, (255, 0, 0))  # the red square stays
    notes = [u for u in result.unsupported if u.segment_id == seg["id"]]
    assert any("色度抠图" in u.feature and "approximated" in u.detail for u in notes), notes


def test_a_key_on_another_colour_keeps_the_green(rmedia: Path, render_draft: RenderFn) -> None:
    """Keyed on magenta, far from both colours: nothing goes (the key colour is the draft's, not a guess)."""
    d = Draft()
    d.data["materials"]["chromas"] = []
    d.video(d.track("video"), color_video(rmedia, "blue", seconds=1.0), 0, SEC, size=(320, 240))
    d.video(d.track("video"), _green_screen(rmedia), 0, SEC, size=(320, 240), photo=True,
            refs=[_chroma(d, "#FF00FF")])
    frame = frame_at(render_draft(d).output, 0.5)
    assert_color(frame, 40, 40, (0, 255, 0))
    assert_color(frame, 160, 120, (255, 0, 0))


def test_chroma_with_a_mask_keeps_both(rmedia: Path, render_draft: RenderFn) -> None:
    """A rectangle mask over the keyed clip: outside the mask and on green the blue shows, red stays inside."""
    d = Draft()
    d.data["materials"]["chromas"] = []
    d.video(d.track("video"), color_video(rmedia, "blue", seconds=1.0), 0, SEC, size=(320, 240))
    mask = d.mask("rectangle", "矩形", width=0.5, height=0.5)
    d.video(d.track("video"), _green_screen(rmedia), 0, SEC, size=(320, 240), photo=True, refs=[_chroma(d), mask])
    frame = frame_at(render_draft(d).output, 0.5)
    assert_color(frame, 160, 120, (255, 0, 0))  # inside the mask and the square
    assert_color(frame, 100, 90, (0, 0, 255))  # inside the mask, green: keyed
    assert_color(frame, 20, 20, (0, 0, 255))  # outside the mask
