"""Effects are looked up by `effect_id` / `resource_id` first: a localised name draws the effect its id names.

A CapCut with a Vietnamese UI writes Vietnamese names; the ids are Jianying's
(draft/data/*.json). Midpoint checks follow test_render_visual's wipe test.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from checks import RenderFn, patch_mean
from drafts import SEC, Draft, clip
from mediagen import color_image, color_video, frame_at

from draftcut.draft.catalog import get_catalog


def _ids(kind: str, name: str) -> dict[str, str]:
    entry = get_catalog(kind).find(name)
    assert entry is not None
    return {"resource_id": entry.resource_id, "effect_id": entry.effect_id}


def _transition(d: Draft, name: str, duration: int, **ids: str) -> str:
    mid = d.transition(name, duration)
    d.data["materials"]["transitions"][-1].update(ids)
    return mid


def _two_clips(d: Draft, rmedia: Path, transition: str) -> None:
    v = d.track("video")
    d.video(v, color_video(rmedia, "red", seconds=2.0), 0, SEC, size=(320, 240), refs=[transition])
    d.video(v, color_video(rmedia, "blue", seconds=2.0), SEC, SEC, size=(320, 240))


def _dominant(frame: np.ndarray, x: int, y: int) -> int:
    return int(np.argmax(patch_mean(frame, x, y)))


def test_vietnamese_transition_with_jianying_id_slides(rmedia: Path, render_draft: RenderFn) -> None:
    """"Trượt xuống" with 向下's ids is a downward slide: the midpoint splits top/bottom, not a purple blend."""
    d = Draft()
    _two_clips(d, rmedia, _transition(d, "Trượt xuống", 600_000, **_ids("transitions", "向下")))
    result = render_draft(d)
    mid = frame_at(result.output, 1.0)
    top, bottom = _dominant(mid, 160, 30), _dominant(mid, 160, 210)
    assert {top, bottom} == {0, 2}  # half red, half blue, split across the vertical direction
    assert _dominant(mid, 30, 30) == _dominant(mid, 290, 30) == top
    assert patch_mean(mid, 160, 30).min() < 40  # a pure colour, not the cross-fade's purple
    assert not [u for u in result.unsupported if u.feature == "transition"]


def test_name_without_id_still_resolves_by_name(rmedia: Path, render_draft: RenderFn) -> None:
    """CapCut's English "Wipe Left" with no ids: the CapCut catalog names it 向左擦除, a left/right split."""
    d = Draft()
    _two_clips(d, rmedia, d.transition("Wipe Left", 600_000))
    mid = frame_at(render_draft(d).output, 1.0)
    assert {_dominant(mid, 30, 120), _dominant(mid, 290, 120)} == {0, 2}
    assert _dominant(mid, 30, 30) == _dominant(mid, 30, 210)


def test_unmapped_localised_transition_is_reported_with_its_catalog_name(rmedia: Path,
                                                                         render_draft: RenderFn) -> None:
    d = Draft()
    _two_clips(d, rmedia, _transition(d, "Không gian 3D", 600_000, **_ids("transitions", "3D空间")))
    notes = [u.detail for u in render_draft(d).unsupported if u.feature == "transition"]
    assert notes == ["'Không gian 3D (3D空间)' approximated as a cross-fade"], notes


def test_animation_resolved_by_id(rmedia: Path, render_draft: RenderFn) -> None:
    """A video intro "Hiện dần" with 渐显's ids fades in."""
    d = Draft()
    d.video(d.track("video"), color_video(rmedia, "black", seconds=2.0), 0, 2 * SEC, size=(320, 240))
    anim = d.animations(("in", "Hiện dần", 0, SEC))
    d.data["materials"]["material_animations"][-1]["animations"][0].update(_ids("video_intros", "渐显"))
    d.video(d.track("video"), color_image(rmedia, (255, 255, 255, 255), (100, 100)), 0, 2 * SEC,
            size=(100, 100), photo=True, clip=clip(scale=0.5), refs=[anim])
    result = render_draft(d)
    early = patch_mean(frame_at(result.output, 0.25), 160, 120).mean()
    late = patch_mean(frame_at(result.output, 1.5), 160, 120).mean()
    assert 30 < early < 110 and late > 240, (early, late)
    assert not [u for u in result.unsupported if u.feature == "animation"]


def test_filter_resolved_by_id_and_named_in_the_report(rmedia: Path, render_draft: RenderFn) -> None:
    """A filter "Phim câm" with 默片's ids is drawn as black and white, and reported as "Phim câm (默片)"."""
    d = Draft()
    key = d.filter_material("Phim câm")
    d.data["materials"]["effects"][-1].update(_ids("filters", "默片"))
    seg = d.video(d.track("video"), color_video(rmedia, "red", seconds=1.0), 0, SEC, size=(320, 240), refs=[key])
    result = render_draft(d)
    px = patch_mean(frame_at(result.output, 0.5), 160, 120)
    assert px.max() - px.min() < 20, px  # grey, not red
    notes = [u.detail for u in result.unsupported if u.segment_id == seg["id"] and u.feature == "filter"]
    assert notes and notes[0].startswith("Phim câm (默片): approximated as"), notes
