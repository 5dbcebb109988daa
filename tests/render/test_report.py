"""Render reports: notes named by material and time, identical notes grouped, approximated apart from left out,
and the CLI's summary (model/report.py, read/labels.py)."""

from __future__ import annotations

from dataclasses import asdict, replace
from pathlib import Path

import pytest
from drafts import SEC, Draft
from mediagen import color_video

from draftcut.cli import main
from draftcut.render import RenderResult, Unsupported
from draftcut.render.model.report import (
    SHOWN_RANGES,
    build_report,
    group_notes,
    length_note,
    notes_from_json,
    report_json,
)

W, H = 160, 120
QUARTER = SEC // 4


def _note(i: int, material: str = "red.mp4") -> Unsupported:
    return Unsupported(f"s{i}", "video effect", "星火: not rendered", "omitted", material, i * 100_000,
                       (i + 1) * 100_000)


def test_32_identical_notes_are_one_group_with_a_count() -> None:
    filtered = Unsupported("s0", "filter", "黑白: approximated as black and white", "approximated", "red.mp4", 0, 1)
    groups = group_notes([*(_note(i) for i in range(32)), filtered])
    assert [(g.feature, g.count) for g in groups] == [("video effect", 32), ("filter", 1)]
    effect = groups[0]
    assert effect.segment_ids == tuple(f"s{i}" for i in range(32)) and effect.kind == "omitted"
    assert effect.ranges == tuple((i * 100_000, (i + 1) * 100_000) for i in range(SHOWN_RANGES))
    assert effect.message == ("video effect: 星火: not rendered — red.mp4, 32 segments at 0.00 s–0.10 s, "
                              "0.10 s–0.20 s, 0.20 s–0.30 s, 0.30 s–0.40 s, 0.40 s–0.50 s, … (27 more)")
    # the same note on another material, or with another detail, is another line
    assert len(group_notes([_note(0), _note(1, "blue.mp4"), replace(_note(2), detail="x")])) == 3


def test_report_splits_approximated_from_left_out_and_compares_the_length() -> None:
    notes = [_note(0), Unsupported("s1", "filter", "黑白: approximated as black and white", "approximated")]
    exact = build_report(notes)
    assert [g.feature for g in exact.approximated] == ["filter"] and [g.feature for g in exact.omitted] == [
        "video effect"]
    assert not exact.exact and exact.duration_matches and exact.length is None
    longer = length_note(2 * SEC, SEC, 25.0)
    assert longer is not None and longer.detail == "the output is 2.00 s; the draft's duration is 1.00 s"
    report = build_report([*notes, longer])
    assert not report.duration_matches and report.length == longer.detail
    assert len(report.approximated) == len(report.omitted) == 1  # the length is no approximation of its own
    assert length_note(SEC + 39_000, SEC, 25.0) is None  # within one frame
    shorter, unknown = length_note(SEC, 2 * SEC, 25.0), length_note(SEC, None, 25.0)
    assert shorter is not None and shorter.kind == "omitted"
    assert unknown is not None and "no duration" in unknown.detail
    assert build_report([]).exact and build_report([longer]).exact


def test_stored_notes_round_trip_and_old_ones_get_a_kind_from_their_wording() -> None:
    notes = [_note(0), Unsupported(None, "canvas", "no canvas size", "approximated")]
    assert notes_from_json([asdict(n) for n in notes]) == notes
    old = notes_from_json([{"segment_id": "a", "feature": "filter", "detail": "x: approximated as warm"},
                           {"segment_id": "b", "feature": "mask", "detail": "unknown mask 'y': not applied"}])
    assert [n.kind for n in old] == ["approximated", "omitted"] and old[0].material is None
    data = report_json(build_report(notes))
    assert data["exact"] is False and data["duration_matches"] is True
    (group,) = data["omitted"]
    assert group["count"] == 1 and group["segment_ids"] == ["s0"] and group["material"] == "red.mp4"
    assert group["ranges"] == [{"start_us": 0, "end_us": 100_000}] and group["message"].startswith("video effect")


def _draft(rmedia: Path) -> tuple[Draft, Path, list[dict[str, object]], dict[str, str]]:
    """Four cuts of one clip, each with the same unmapped effect, a nameless HSL adjustment, a mapped
    filter and a nameless bubble; a caption with a glow."""
    d = Draft(W, H)
    d.data["materials"]["hsl"] = []
    red = color_video(rmedia, "red", size=(W, H), seconds=1.0)
    ids = {"effect": d.video_effect("星火"), "hsl": d.effect("hsl", type="hsl"), "filter": d.filter_material("黑白"),
           "bubble": d.effect("effects", type="text_shape")}
    track = d.track("video")
    segs = [d.video(track, red, i * QUARTER, QUARTER, size=(W, H), source_start=i * QUARTER,
                    refs=list(ids.values())) for i in range(4)]
    caption = d.text(d.track("text"), "Hello report world, a caption too long to show", 0, SEC // 2)
    d.data["materials"]["texts"][0]["check_flag"] = 7 | 64  # glow: not drawn
    return d, red, [*segs, caption], ids


def test_notes_name_the_material_and_the_time_not_the_id(rmedia: Path, tmp_path: Path) -> None:
    from draftcut.render import render

    d, red, segs, ids = _draft(rmedia)
    result = render(d.save(tmp_path / "d"), tmp_path / "o.mp4")
    by = {(n.segment_id, n.feature): n for n in result.unsupported}
    for i, seg in enumerate(segs[:4]):
        effect = by[(str(seg["id"]), "video effect")]
        assert effect.detail == "星火: not rendered (no approximation for this effect)" and effect.kind == "omitted"
        assert (effect.material, effect.start_us, effect.end_us) == (red.name, i * QUARTER, (i + 1) * QUARTER)
        assert by[(str(seg["id"]), "HSL adjustment")].detail == "not rendered"  # no name: no id either
        assert by[(str(seg["id"]), "text bubble")].detail == "not rendered"
        assert by[(str(seg["id"]), "filter")].kind == "approximated"
    glow = by[(str(segs[4]["id"]), "text")]  # a note of the rasteriser, made after the timeline was read
    assert glow.detail == "glow (check_flag 64)" and glow.kind == "omitted"
    assert (glow.material, glow.start_us, glow.end_us) == ("“Hello report world, a ca…”", 0, SEC // 2)
    assert not any(i in n.detail for n in result.unsupported for i in ids.values())
    groups = {g.feature: g for g in group_notes(result.unsupported)}
    assert groups["video effect"].count == 4 and groups["HSL adjustment"].count == 4
    assert groups["video effect"].segment_ids == tuple(str(s["id"]) for s in segs[:4])
    assert isinstance(result, RenderResult) and result.segments == 5 and result.draft_duration_us == SEC


@pytest.mark.parametrize("declared", [SEC, SEC // 2])
def test_cli_groups_notes_and_ends_with_a_summary(rmedia: Path, tmp_path: Path, declared: int,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    d, red, segs, _ = _draft(rmedia)
    d.data["duration"] = declared  # shorter than the segments: the output still runs to their end
    folder = d.save(tmp_path / "d")
    assert main(["render", str(folder), "-o", str(tmp_path / "o.mp4"), "--fps", "10"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "approximated (1):" in out and "left out (4):" in out
    effect = next(line for line in out if line.startswith("  - video effect:"))
    assert effect == (f"  - video effect: 星火: not rendered (no approximation for this effect) — {red.name}, "
                      "4 segments at 0.00 s–0.25 s, 0.25 s–0.50 s, 0.50 s–0.75 s, 0.75 s–1.00 s")
    assert sum("video effect" in line for line in out) == 1 + 1  # its group line and the summary's list
    summary = out[out.index("summary:"):]
    glow = next(line for line in out if line.startswith("  - text:"))  # one segment: named by its id
    assert glow == (f"  - text: glow (check_flag 64) — “Hello report world, a ca…”, segment {segs[4]['id']} "
                    "at 0.00 s–0.50 s")
    assert summary[1] == "  rendered exactly: 0 of 5 segments (the others are listed above)"
    assert summary[2] == "  approximated: 1 kind(s) of note, 4 in all: filter"
    assert summary[3] == ("  left out: 4 kind(s) of note, 13 in all: video effect, HSL adjustment, text bubble, "
                          "text")
    expected = ("  length: 1.00 s, the draft's duration" if declared == SEC else
                "  length: differs: the output is 1.00 s; the draft's duration is 0.50 s")
    assert summary[4] == expected and len(summary) == 5
