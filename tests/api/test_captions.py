"""add_captions and add_subtitles over HTTP: what lands in the draft, and every error case."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from utils.server_fixtures import Server, call, create_draft, draft_content


@pytest.fixture(scope="module")
def strict_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    with Server(Path(tmp_path_factory.mktemp("strict-text")), env={"DRAFTCUT_STRICT_NAMES": "true"}) as srv, \
            httpx.Client(base_url=srv.url, timeout=60) as client:
        yield client


def _u16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _segment(content: dict[str, Any], segment_id: str) -> dict[str, Any]:
    return next(s for t in content["tracks"] for s in t["segments"] if s["id"] == segment_id)


def _material(content: dict[str, Any], kind: str, ids: list[str]) -> dict[str, Any]:
    return next(m for m in content["materials"].get(kind, []) if m["id"] in ids)


def _text(content: dict[str, Any], segment_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    seg = _segment(content, segment_id)
    material = _material(content, "texts", [seg["material_id"]])
    return material, json.loads(material["content"])


def test_captions_write_every_style_field(api: httpx.Client) -> None:
    url = create_draft(api, 1080, 1920)
    text = "😀AI绘画很酷，AI也很酷"
    data = call(api, "add_captions", {
        "draft_url": url, "text_color": "#00ff00", "border_color": "#000000", "alignment": 4, "alpha": 0.8,
        "font": "思源中宋", "font_size": 9, "letter_spacing": 2, "line_spacing": 3, "bold": True, "italic": True,
        "underline": True, "has_shadow": True, "transform_x": 108, "transform_y": -960, "scale_x": 1.5,
        "captions": json.dumps([{
            "start": 0, "end": 2_000_000, "text": text, "keyword": "AI|AI绘画", "keyword_color": "#FF0000",
            "keyword_font_size": 12, "keyword_border_color": "#ffffff", "keyword_has_shadow": True,
            "keyword_shadow_info": {"shadow_color": "#0000ff", "shadow_alpha": 0.5},
            "in_animation": "向上滑动", "in_animation_duration": "0.3s", "out_animation": "渐隐",
            "out_animation_duration": 400000, "loop_animation": "VHS"}], ensure_ascii=False)})
    assert data["segment_infos"] == [{"id": data["segment_ids"][0], "start": 0, "end": 2_000_000, "caption": 0}]
    assert "warnings" not in data
    content = draft_content(api, url)
    track = next(t for t in content["tracks"] if t["id"] == data["track_id"])
    assert track["type"] == "text" and track["name"].startswith("caption_track_")
    material, body = _text(content, data["segment_ids"][0])
    assert body["text"] == text and material["type"] == "subtitle"
    assert (material["alignment"], material["typesetting"]) == (0, 1)  # 4 = vertical, left
    assert material["global_alpha"] == 0.8 and material["check_flag"] == 7 | 8 | 32
    assert material["letter_spacing"] == pytest.approx(0.1) and material["line_spacing"] == pytest.approx(0.17)
    ranges = [tuple(s["range"]) for s in body["styles"]]
    # UTF-16 units: the emoji is two; "AI绘画" claims its "AI" before the shorter keyword; runs tile the text
    assert ranges == [(0, 2), (2, 6), (6, 9), (9, 11), (11, 14)]
    assert ranges[-1][1] == _u16(text)
    keyword = [s for s in body["styles"] if s.get("useLetterColor")]
    assert [tuple(s["range"]) for s in keyword] == [(2, 6), (9, 11)]
    for s in keyword:
        assert s["fill"]["content"]["solid"]["color"] == [1.0, 0.0, 0.0] and s["size"] == 12
        assert s["strokes"][0]["content"]["solid"]["color"] == [1.0, 1.0, 1.0]
        assert s["shadows"][0]["alpha"] == 0.5 and s["shadows"][0]["content"]["solid"]["color"] == [0.0, 0.0, 1.0]
    plain = body["styles"][0]
    assert plain["fill"]["content"]["solid"]["color"] == [0.0, 1.0, 0.0] and plain["size"] == 9
    assert plain["bold"] and plain["italic"] and plain["underline"]
    assert plain["shadows"][0]["alpha"] == 0.9 and plain["strokes"][0]["width"] == 0.08
    assert plain["font"]["id"] and plain["font"]["path"] == "D:"
    seg = _segment(content, data["segment_ids"][0])
    assert seg["clip"]["transform"] == {"x": 0.1, "y": -0.5} and seg["clip"]["scale"]["x"] == 1.5
    assert seg["source_timerange"] is None
    anims = _material(content, "material_animations", seg["extra_material_refs"])["animations"]
    timing = {a["type"]: (a["name"], a["start"], a["duration"]) for a in anims}
    assert timing == {"in": ("向上滑动", 0, 300_000), "out": ("渐隐", 1_600_000, 400_000),
                      "loop": ("VHS", 300_000, 1_300_000)}


def test_text_effect_top_level_and_per_caption(api: httpx.Client) -> None:
    url = create_draft(api)
    data = call(api, "add_captions", {
        "draft_url": url, "text_effect": "黑色描边花字", "text_color": "#ff0000", "border_color": "#00ff00",
        "has_shadow": True, "captions": [
            {"start": 0, "end": 1_000_000, "text": "top"},
            {"start": 1_000_000, "end": 2_000_000, "text": "own", "text_effect": "7403676308145802522"}]})
    content = draft_content(api, url)
    effects = []
    for seg_id in data["segment_ids"]:
        seg = _segment(content, seg_id)
        effect = _material(content, "effects", seg["extra_material_refs"])
        assert effect["type"] == "text_effect"
        _, body = _text(content, seg_id)
        style = body["styles"][0]
        assert style["effectStyle"] == {"id": effect["effect_id"], "path": "C:"}
        # a 花字 brings its own look: white text, no stroke, no shadow (as capcut-mate writes it)
        assert style["fill"]["content"]["solid"]["color"] == [1.0, 1.0, 1.0]
        assert style["strokes"] == [] and "shadows" not in style
        effects.append((effect["effect_id"], effect["name"]))
    assert effects[0] == ("7404884940837473590", "黑色描边花字")
    assert effects[1] == ("7403676308145802522", "立体综艺花字")


def test_word_level_highlight_makes_one_segment_per_word(api: httpx.Client) -> None:
    url = create_draft(api)
    data = call(api, "add_captions", {"draft_url": url, "highlight_color": "#ffff00", "captions": [{
        "start": 0, "end": 3_000_000, "text": "Hello big world", "in_animation": "渐显",
        "out_animation": "渐隐",
        "words": [{"text": "Hello", "start": 500_000, "end": 1_000_000},
                  {"text": "big", "start": 1_000_000, "end": 1_500_000},
                  {"text": "world", "start": 1_500_000, "end": 2_500_000}]}]})
    infos = data["segment_infos"]
    assert [(i["start"], i["end"]) for i in infos] == [(0, 500_000), (500_000, 1_000_000),
                                                      (1_000_000, 1_500_000), (1_500_000, 3_000_000)]
    assert {i["caption"] for i in infos} == {0} and len(data["track_ids"]) == 1
    content = draft_content(api, url)
    lit = []
    for info in infos:
        _, body = _text(content, info["id"])
        lit.append([tuple(s["range"]) for s in body["styles"] if s.get("useLetterColor")])
        for s in body["styles"]:
            if s.get("useLetterColor"):
                assert s["fill"]["content"]["solid"]["color"] == [1.0, 1.0, 0.0]
    assert lit == [[], [(0, 5)], [(6, 9)], [(10, 15)]]
    kinds = []
    for info in infos:
        refs = _segment(content, info["id"])["extra_material_refs"]
        anims = [a for m in content["materials"]["material_animations"] if m["id"] in refs for a in m["animations"]]
        kinds.append([a["type"] for a in anims])
    assert kinds == [["in"], [], [], ["out"]]


def test_unknown_names_warn_by_default(api: httpx.Client) -> None:
    url = create_draft(api)
    data = call(api, "add_captions", {"draft_url": url, "font": "没有这个字体", "text_effect": "nope花字", "captions": [
        {"start": 0, "end": 1_000_000, "text": "你好世界", "keyword": "不在", "in_animation": "向上滑",
         "keyword_font": "思源中"}]})
    fields = {w["field"]: w for w in data["warnings"]}
    assert set(fields) == {"font", "text_effect", "captions[0].keyword", "captions[0].in_animation"}
    assert "向上滑动" in fields["captions[0].in_animation"]["suggestions"]
    assert fields["captions[0].keyword"]["name"] == "不在"
    content = draft_content(api, url)
    _, body = _text(content, data["segment_ids"][0])
    assert "font" not in body["styles"][0]  # unknown: the app's default font
    assert not content["materials"].get("effects")


@pytest.mark.parametrize("extra, code, field", [
    ({"font": "没有这个字体"}, 3003, "font"),
    ({"text_effect": "不存在的花字"}, 2022, "text_effect"),
    ({"captions": [{"start": 0, "end": 1, "text": "x", "out_animation": "nope"}]}, 3002,
     "captions[0].out_animation"),
])
def test_unknown_names_are_400_in_strict_mode(strict_api: httpx.Client, extra: dict[str, Any], code: int,
                                              field: str) -> None:
    url = create_draft(strict_api)
    before = draft_content(strict_api, url)
    body = {"draft_url": url, "captions": [{"start": 0, "end": 1_000_000, "text": "x"}], **extra}
    data = call(strict_api, "add_captions", body, status=400, code=code)
    assert data["detail"].startswith(f"{field}:")
    assert draft_content(strict_api, url) == before


@pytest.mark.parametrize("captions, field", [
    ("[{\"start\": 0, \"end\": 1000", "captions"),
    ([{"start": 1000, "end": 1000, "text": "x"}], "captions[0]"),
    ([{"start": 0, "end": 10, "text": "   "}], "captions[0]"),
    ([{"start": 0, "text": "x"}], "captions[0].end"),
    ([{"start": 0, "end": 10, "text": "x", "keyword_color": "red"}], "captions[0].keyword_color"),
    ([{"start": 0, "end": 10, "text": "x", "in_animation_duration": "soon"}], "captions[0].in_animation_duration"),
    ([{"start": 0, "end": 10, "text": "x", "loop_animation_duration": {}}], "captions[0].loop_animation_duration"),
    ([{"start": 0, "end": 10, "text": "x", "keyword_shadow_info": {"shadow_alpha": 3}}],
     "captions[0].keyword_shadow_info.shadow_alpha"),
    ([{"start": 0, "end": 10, "text": "a b", "words": [{"text": "c", "start": 0, "end": 5}]}],
     "captions[0].words[0].text"),
    ([{"start": 0, "end": 10, "text": "a", "words": [{"text": "a", "start": 0, "end": 50}]}], "captions[0]"),
    ([], "captions"),
])
def test_bad_captions_are_2018_naming_the_field(api: httpx.Client, captions: Any, field: str) -> None:
    url = create_draft(api)
    before = draft_content(api, url)
    data = call(api, "add_captions", {"draft_url": url, "captions": captions}, status=400, code=2018)
    assert field in data["detail"], data
    assert draft_content(api, url) == before


@pytest.mark.parametrize("body, field", [
    ({"alignment": 6}, "alignment"),
    ({"text_color": "white"}, "text_color"),
    ({"shadow_info": {"shadow_angle": 270}}, "shadow_info.shadow_angle"),
])
def test_bad_caption_style_is_1001_naming_the_field(api: httpx.Client, body: dict[str, Any], field: str) -> None:
    url = create_draft(api)
    data = call(api, "add_captions", {"draft_url": url, "captions": [{"start": 0, "end": 10, "text": "x"}], **body},
                status=400, code=1001)
    assert field in data["detail"]


def test_blank_and_zero_optional_fields_mean_not_given(api: httpx.Client) -> None:
    """Coze and n8n send "" and 0 for fields a user left empty."""
    url = create_draft(api)
    data = call(api, "add_captions", {"draft_url": url, "font": "", "border_color": "", "text_effect": "",
                                      "font_size": 0, "captions": [
        {"start": 0, "end": 1_000_000, "text": "x", "keyword": "", "keyword_color": "", "font_size": 0,
         "in_animation": "", "in_animation_duration": "", "out_animation_duration": 0}]})
    _, body = _text(draft_content(api, url), data["segment_ids"][0])
    assert body["styles"][0]["size"] == 15 and body["styles"][0]["strokes"] == []


def test_digits_only_duration_is_microseconds(api: httpx.Client) -> None:
    url = create_draft(api)
    data = call(api, "add_captions", {"draft_url": url, "captions": [
        {"start": 0, "end": 2_000_000, "text": "x", "in_animation": "渐显", "in_animation_duration": "700000"},
        {"start": 2_000_000, "end": 4_000_000, "text": "y", "in_animation": "渐显", "in_animation_duration": "1m"}]})
    content = draft_content(api, url)
    lengths = []
    for seg_id in data["segment_ids"]:
        refs = _segment(content, seg_id)["extra_material_refs"]
        lengths.append(_material(content, "material_animations", refs)["animations"][0]["duration"])
    assert lengths == [700_000, 2_000_000]  # "1m" is capped at the caption's length


def test_overlapping_captions_open_another_lane(api: httpx.Client) -> None:
    url = create_draft(api)
    data = call(api, "add_captions", {"draft_url": url, "captions": [
        {"start": 0, "end": 2_000_000, "text": "a"}, {"start": 1_000_000, "end": 3_000_000, "text": "b"}]})
    assert len(data["track_ids"]) == 2


SRT = """1
00:00:00,500 --> 00:00:02,000
第一句 <i>hello</i>

2
00:00:02,000 --> 00:00:03,250
second line
two
"""


def test_add_subtitles_styles_every_cue(api: httpx.Client) -> None:
    url = create_draft(api)
    data = call(api, "add_subtitles", {"draft_url": url, "srt": SRT, "keyword": "hello|second",
                                       "keyword_color": "#00ff00", "text_color": "#ffff00", "font_size": 7,
                                       "in_animation": "渐显", "alignment": 1, "transform_y": -700})
    assert [(i["start"], i["end"]) for i in data["segment_infos"]] == [(500_000, 2_000_000), (2_000_000, 3_250_000)]
    content = draft_content(api, url)
    texts = []
    for seg_id in data["segment_ids"]:
        _, body = _text(content, seg_id)
        texts.append(body["text"])
        lit = [s for s in body["styles"] if s.get("useLetterColor")]
        assert lit and lit[0]["fill"]["content"]["solid"]["color"] == [0.0, 1.0, 0.0]
        assert body["styles"][0]["size"] == 7
        assert _segment(content, seg_id)["clip"]["transform"]["y"] == pytest.approx(-700 / 1080)
    assert texts == ["第一句 hello", "second line\ntwo"]


def test_malformed_srt_names_cue_and_line(api: httpx.Client) -> None:
    url = create_draft(api)
    before = draft_content(api, url)
    bad = SRT.replace("00:00:03,250", "00:00:01,000")
    data = call(api, "add_subtitles", {"draft_url": url, "srt": bad}, status=400, code=3005)
    assert "cue 2" in data["detail"] and "line 6" in data["detail"] and data["detail"].startswith("srt:")
    assert draft_content(api, url) == before
    data = call(api, "srt_infos", {"srt": "1\n00:00:01,000 -> 00:00:02,000\nx\n"}, status=400, code=3005)
    assert "line" in data["detail"]


def test_srt_infos_from_text_and_url(api: httpx.Client, media: Any, media_dir: Path) -> None:
    infos = json.loads(call(api, "srt_infos", {"srt": SRT})["infos"])
    assert infos == [{"start": 500_000, "end": 2_000_000, "text": "第一句 hello"},
                     {"start": 2_000_000, "end": 3_250_000, "text": "second line\ntwo"}]
    (media_dir / "subs.srt").write_bytes(b"\xef\xbb\xbf" + SRT.replace("\n", "\r\n").encode())
    assert json.loads(call(api, "srt_infos", {"srt": media.url("subs.srt")})["infos"]) == infos
    # the infos feed add_captions unchanged
    url = create_draft(api)
    call(api, "add_captions", {"draft_url": url, "captions": call(api, "srt_infos", {"srt": SRT})["infos"]})


def test_srt_url_goes_through_the_media_guard(api: httpx.Client, media: Any) -> None:
    data = call(api, "srt_infos", {"srt": "http://169.254.169.254/latest/meta-data"}, status=400, code=2005)
    assert data["detail"].startswith("srt")
    call(api, "srt_infos", {"srt": media.url("missing.srt")}, status=404, code=2005)
    call(api, "srt_infos", {"srt": media.url("video_red_2s.mp4")}, status=400, code=3010)
