"""Text animations: which pictures a text shows over time (states) and how it moves (ramps and waves)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from draftcut.draft.catalog import get_catalog
from draftcut.render.model.curves import evaluate
from draftcut.render.model.timeline import Animation
from draftcut.render.read.animation_table import ANIMATION_RAMPS, ANIMATION_STATES, ANIMATION_WAVES, table_key
from draftcut.render.read.animations import is_rendered, modifiers, wave_curve
from draftcut.render.text import rasterize_states
from draftcut.render.text.states import MAX_STATES, text_states


def _mat(text: str) -> dict[str, object]:
    styles = [{"fill": {"content": {"solid": {"color": [1, 1, 1]}}}, "range": [0, len(text)], "size": 10}]
    return {"id": "t", "content": json.dumps({"text": text, "styles": styles}, ensure_ascii=False)}


def test_typewriter_reveals_every_character_in_order() -> None:
    states = text_states(_mat("ab😀c"), (Animation("打字机 I", "in", 0, 400_000),))
    assert [s.reveal for _, s in states] == [0, 1, 2, 4, None]  # UTF-16: the emoji is two units
    assert [t for t, _ in states] == [0, 100_000, 200_000, 300_000, 400_000]


def test_typewriter_outro_hides_from_the_end() -> None:
    states = text_states(_mat("abcd"), (Animation("打字机 II", "out", 600_000, 400_000),))
    assert [(t, s.reveal) for t, s in states] == [(0, None), (600_000, 4), (700_000, 3), (800_000, 2),
                                                  (900_000, 1), (1_000_000, 0)]


def test_long_text_is_revealed_in_at_most_max_states_steps() -> None:
    states = text_states(_mat("字" * 500), (Animation("逐字显影", "in", 0, 1_000_000),))
    assert len(states) <= MAX_STATES + 2
    reveals = [s.reveal for _, s in states if s.reveal is not None]
    assert reveals == sorted(reveals) and reveals[0] == 0


def test_karaoke_sweeps_the_colour_across() -> None:
    states = text_states(_mat("abcd"), (Animation("卡拉OK", "in", 0, 400_000),))
    swept = [s.recolor[0][1] if s.recolor else 0 for _, s in states]
    assert swept == [0, 1, 2, 3, 4]
    rasters = rasterize_states(_mat("abcd"), 320, 180, [s for _, s in states])
    yellow = [int(((np.asarray(r.image)[..., 0] > 200) & (np.asarray(r.image)[..., 2] < 80)
                   & (np.asarray(r.image)[..., 3] > 128)).sum()) for r in rasters]
    assert yellow[0] == 0 and yellow == sorted(yellow) and yellow[-1] > 0


@pytest.mark.parametrize("kind, blurred_first", [("in", True), ("out", False)])
def test_blur_focuses_in_and_out(kind: str, blurred_first: bool) -> None:
    states = text_states(_mat("模糊"), (Animation("模糊", kind, 0, 600_000),))
    blurs = [s.blur for _, s in states]
    assert (blurs[0] > 0) is blurred_first and (blurs[-1] > 0) is not blurred_first
    assert blurs == sorted(blurs, reverse=blurred_first)


def test_motion_only_animations_have_no_states() -> None:
    assert text_states(_mat("x"), (Animation("渐显", "in", 0, 500_000), Animation("跳动", "loop", 0, 1))) == []


def test_bounce_overshoots_then_settles() -> None:
    curve = modifiers([Animation("弹入", "in", 0, 600_000)])["scale"][0]
    values = [evaluate(curve, t) for t in range(0, 600_001, 50_000)]
    assert values[0] == 0.0 and max(values) > 1.1 and values[-1] == 1.0


@pytest.mark.parametrize("name, prop", [("跳动", "y"), ("摇摆", "rotation"), ("VHS", "alpha")])
def test_loops_repeat_over_their_span_and_end_at_rest(name: str, prop: str) -> None:
    curve = modifiers([Animation(name, "loop", 500_000, 3_000_000)])[prop][0]
    values = [evaluate(curve, t) for t in range(500_000, 3_500_001, 25_000)]
    rest = 1.0 if prop == "alpha" else 0.0
    assert len(set(np.round(values, 4))) > 3  # it moves…
    assert evaluate(curve, 0) == pytest.approx(rest, abs=1e-9) and values[-1] == rest  # …and ends at rest
    changes = sum(1 for a, b in zip(values, values[1:], strict=False) if (b - a) * 1 != 0)
    assert changes > 10  # more than one cycle


def test_wave_points_are_capped() -> None:
    wave = ANIMATION_WAVES[table_key("loop", "颤抖")]
    assert len(wave_curve(wave, 0, 3_600_000_000)) <= 601


def test_every_table_name_is_a_catalog_text_animation_or_a_video_one() -> None:
    """A typo in the tables would make a name silently unrendered: every key must name a real animation."""
    names = {("in", e.name) for e in get_catalog("text_intros")} | {("out", e.name) for e in get_catalog("text_outros")}
    names |= {("loop", e.name) for e in get_catalog("text_loops")}
    names |= {("in", e.name) for e in get_catalog("video_intros")} | {("out", e.name) for e in get_catalog("video_outros")}
    names |= {("group", e.name) for e in get_catalog("video_group_animations")}
    keys = {table_key(kind, name) for kind, name in names}
    english = {"fadein", "fadeout", "zoomin", "zoomout", "slideup", "slidedown", "slideleft", "slideright", "rotate"}
    for key in (*ANIMATION_WAVES, *ANIMATION_STATES, *ANIMATION_RAMPS):
        assert key in keys or key.split(":", 1)[1] in english, key


@pytest.mark.parametrize("kind, name", [
    ("in", "渐显"), ("out", "渐隐"), ("in", "向上滑动"), ("in", "向下滑动"), ("in", "向左滑动"), ("in", "向右滑动"),
    ("in", "放大"), ("in", "缩小"), ("in", "打字机 I"), ("in", "逐字显影"), ("in", "卡拉OK"), ("in", "弹入"),
    ("in", "模糊"), ("in", "旋入"), ("loop", "跳动"), ("loop", "摇摆"), ("loop", "VHS")])
def test_the_issues_list_of_text_animations_is_rendered(kind: str, name: str) -> None:
    assert is_rendered(Animation(name, kind, 0, 500_000))


def test_unknown_animation_is_not_rendered() -> None:
    assert not is_rendered(Animation("彩虹", "loop", 0, 500_000))
