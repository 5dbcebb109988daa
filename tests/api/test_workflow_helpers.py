"""The workflow helpers: catalogs, sticker search, timelines, the `*_infos` builders and the adapters.

Over real HTTP against the session's server; expected values are capcut-mate's
verified examples (`capcut-mate-api.md` §4 and §6) where it has them.
"""

from __future__ import annotations

import json
import random
from typing import Any

import httpx
import pytest
from utils.server_fixtures import call, create_draft

from draftcut.draft import workflow
from draftcut.schemas.workflow import TimelinesRequest

# --- catalogs -------------------------------------------------------------------------------------------------


def test_get_image_animations_filters_by_mode_and_type(api: httpx.Client) -> None:
    every = call(api, "get_image_animations", {})["effects"]
    assert len(every) == 155 + 124 + 123
    assert [e["type"] for e in every] == sorted((e["type"] for e in every), key=["in", "out", "loop"].index)
    assert {(e["type"], e["category_id"], e["category_name"]) for e in every} == {
        ("in", "pic_ruchang", "图片入场"), ("out", "pic_chuchang", "图片出场"), ("loop", "pic_xunhuan", "图片循环")}
    vip_in = call(api, "get_image_animations", {"mode": 1, "type": "in"})["effects"]
    assert len(vip_in) == 117 and all(e["type"] == "in" for e in vip_in)
    free_loops = call(api, "get_image_animations", {"mode": 2, "type": "loop"})["effects"]
    assert len(free_loops) == 123 - 16
    first = free_loops[0]
    assert first["name"] == "三分割" and first["duration"] == 500_000 and first["material_type"] == "sticker"
    assert set(first) == {"resource_id", "type", "category_id", "category_name", "duration", "id", "name",
                          "request_id", "start", "icon_url", "material_type", "panel", "path", "platform"}


@pytest.mark.parametrize("body, field", [({"mode": 3}, "mode"), ({"mode": -1}, "mode"),
                                         ({"type": "sideways"}, "type"), ({"mode": "x"}, "mode")])
def test_get_image_animations_rejects_bad_mode_and_type(api: httpx.Client, body: dict[str, Any],
                                                        field: str) -> None:
    """capcut-mate answers 2033 for a bad mode; the schema refuses it here, naming the field (its §H.20)."""
    assert call(api, "get_image_animations", body, status=400, code=1001)["detail"].startswith(field)


def test_get_filters_matches_capcut_mates_example(api: httpx.Client) -> None:
    every = call(api, "get_filters", {})["filters"]
    assert len(every) == 1052
    assert every[0] == {"name": "1980", "is_vip": False, "resource_id": "7127828208690433311",
                        "effect_id": "7127828208690433311", "has_params": False}
    assert len(call(api, "get_filters", {"mode": 1})["filters"]) == 802
    call(api, "get_filters", {"mode": 5}, status=400, code=1001)


def test_get_effects_lists_scene_and_character_effects(api: httpx.Client) -> None:
    """capcut-mate lists only scene effects, though add_effects takes character effects too (its §H.18)."""
    every = call(api, "get_effects", {})["effects"]
    assert len(every) == 1097 + 240
    assert every[0] == {"name": "1998", "is_vip": False, "resource_id": "6981791065204331044",
                        "effect_id": "1183068", "icon_url": "", "has_params": True, "kind": "scene"}
    character = [e for e in every if e["kind"] == "character"]
    assert len(character) == 240 and any(e["name"] == "BOOM！" for e in character)
    free = call(api, "get_effects", {"mode": 2})["effects"]
    assert len(free) == (1097 - 462) + (240 - 81) and not any(e["is_vip"] for e in free)


def test_search_sticker_matches_titles_ignoring_case(api: httpx.Client) -> None:
    found = call(api, "search_sticker", {"keyword": "大笑"})["data"]
    assert [s["title"] for s in found] == ["大笑", "大笑"]
    assert found[0]["sticker_id"] == "7521200021564427545"
    assert found[0]["sticker"]["sticker_package"] == {"height_per_frame": 540, "size": 305932,
                                                      "width_per_frame": 540}
    assert set(found[0]["sticker"]) == {"large_image", "preview_cover", "sticker_package", "sticker_type",
                                        "track_thumbnail"}
    assert [s["title"] for s in call(api, "search_sticker", {"keyword": "hot"})["data"]] == [
        "抢购火爆热卖艺术字标签火焰HOT电商促销"]
    many = call(api, "search_sticker", {"keyword": "电商"})["data"]
    assert 0 < len(many) <= 50 and all("电商" in s["title"] for s in many)


def test_search_sticker_without_match_is_empty_not_random(api: httpx.Client) -> None:
    """capcut-mate returns 50 random stickers when nothing matches; a workflow could not tell them apart."""
    assert call(api, "search_sticker", {"keyword": "no such sticker"})["data"] == []
    call(api, "search_sticker", {}, status=400, code=1001)


# --- catalog search for agents --------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["叠化", "dissolve", "Cross Dissolve", "diehua", "Die Hua", "dh"])
def test_catalog_finds_by_chinese_alias_and_pinyin(api: httpx.Client, query: str) -> None:
    data = call(api, "catalog", {"kind": "transitions", "query": query})
    assert data["kind"] == "transitions" and data["total"] >= 1
    assert data["items"][0] == {"name": "叠化", "is_vip": False, "resource_id": data["items"][0]["resource_id"],
                                "effect_id": data["items"][0]["effect_id"], "kind": "transitions",
                                "duration": 500_000}


def test_catalog_ranks_exact_then_prefix_then_substring(api: httpx.Client) -> None:
    names = [i["name"] for i in call(api, "catalog", {"kind": "transitions", "query": "叠化"})["items"]]
    assert names[0] == "叠化"
    prefix = [n for n in names if n.startswith("叠化") and n != "叠化"]
    inner = [n for n in names if not n.startswith("叠化")]
    assert prefix and inner and names == ["叠化", *prefix, *inner]
    effects = call(api, "catalog", {"kind": "effects", "query": "boom"})["items"]
    assert effects[0]["name"] == "BOOM！" and effects[0]["kind"] == "video_character_effects"
    assert "duration" not in effects[0]


def test_catalog_pages_and_filters(api: httpx.Client) -> None:
    first = call(api, "catalog", {"kind": "filters", "page_size": 10})
    second = call(api, "catalog", {"kind": "filters", "page": 2, "page_size": 10})
    assert first["total"] == second["total"] == 1052
    assert len(first["items"]) == len(second["items"]) == 10
    assert not {i["name"] for i in first["items"]} & {i["name"] for i in second["items"]}
    assert call(api, "catalog", {"kind": "filters", "page": 106, "page_size": 10})["items"][0]["name"]
    assert call(api, "catalog", {"kind": "filters", "page": 200, "page_size": 10})["items"] == []
    vip = call(api, "catalog", {"kind": "filters", "vip": True, "page_size": 500})
    assert vip["total"] == 802 and all(i["is_vip"] for i in vip["items"]) and len(vip["items"]) == 500
    group = call(api, "catalog", {"kind": "Text-Animations", "query": "VHS"})
    assert group["kind"] == "text_animations" and group["items"][0]["kind"] == "text_loops"
    assert call(api, "catalog", {"kind": "text_animations"})["total"] == 145 + 97 + 93


@pytest.mark.parametrize("body, field", [({"kind": "colours"}, "kind"), ({}, "kind"),
                                         ({"kind": "filters", "page_size": 501}, "page_size"),
                                         ({"kind": "filters", "page": 0}, "page")])
def test_catalog_rejects_bad_input(api: httpx.Client, body: dict[str, Any], field: str) -> None:
    detail = call(api, "catalog", body, status=400, code=1001)["detail"]
    assert detail.startswith(field)
    if body.get("kind") == "colours":
        assert "transitions" in detail and "text_animations" in detail


# --- media durations ------------------------------------------------------------------------------------------


def test_get_audio_duration(api: httpx.Client, media: Any) -> None:
    short = call(api, "get_audio_duration", {"mp3_url": media.url("audio_2s.mp3")})["duration"]
    long = call(api, "get_audio_duration", {"mp3_url": media.url("long_audio_30s.mp3")})["duration"]
    assert isinstance(short, int) and 1_950_000 <= short <= 2_150_000
    assert 29_900_000 <= long <= 30_200_000


@pytest.mark.parametrize("name, status, code", [("missing.mp3", 404, 2005), ("garbage.mp4", 400, 2034),
                                                ("image_blue.png", 400, 2034)])
def test_get_audio_duration_failures_name_the_field(api: httpx.Client, media: Any, name: str, status: int,
                                                    code: int) -> None:
    """Download failures keep 2005; a file without a duration is capcut-mate's 2034."""
    data = call(api, "get_audio_duration", {"mp3_url": media.url(name)}, status=status, code=code)
    assert data["detail"].startswith("mp3_url")
    if code == 2034:
        assert data["message"].startswith("获取音频时长失败")


def test_get_audio_duration_needs_an_http_url(api: httpx.Client) -> None:
    assert call(api, "get_audio_duration", {"mp3_url": "abc"}, status=400, code=1001)["detail"].startswith("mp3_url")


def test_audio_timelines_are_back_to_back(api: httpx.Client, media: Any) -> None:
    short = call(api, "get_audio_duration", {"mp3_url": media.url("audio_2s.mp3")})["duration"]
    long = call(api, "get_audio_duration", {"mp3_url": media.url("long_audio_30s.mp3")})["duration"]
    links = [media.url("audio_2s.mp3"), media.url("long_audio_30s.mp3")]
    for body in ({"links": links}, {"links": json.dumps(links)}):
        data = call(api, "audio_timelines", body)
        assert data["timelines"] == [{"start": 0, "end": short}, {"start": short, "end": short + long}]
        assert data["all_timelines"] == [{"start": 0, "end": short + long}]
    empty = call(api, "audio_timelines", {"links": []})
    assert empty["timelines"] == [] and empty["all_timelines"] == [{"start": 0, "end": 0}]


def test_audio_timelines_name_the_failing_link(api: httpx.Client, media: Any) -> None:
    links = [media.url("audio_2s.mp3"), media.url("missing.mp3")]
    assert call(api, "audio_timelines", {"links": links}, status=404, code=2005)["detail"].startswith("links[1]")
    call(api, "audio_timelines", {"links": "not json"}, status=400, code=1001)


# --- timelines ------------------------------------------------------------------------------------------------


def test_timelines_equal_split_matches_capcut_mate(api: httpx.Client) -> None:
    data = call(api, "timelines", {"duration": 10_000_000, "num": 3, "start": 0, "type": 0})
    assert data["timelines"] == [{"start": 0, "end": 3333333}, {"start": 3333333, "end": 6666666},
                                 {"start": 6666666, "end": 10000000}]
    assert data["all_timelines"] == [{"start": 0, "end": 10_000_000}]
    # start and type are optional (openapi.yaml), and start shifts every piece
    assert call(api, "timelines", {"duration": 10_000_000, "num": 3})["timelines"] == data["timelines"]
    shifted = call(api, "timelines", {"duration": 10, "num": 3, "start": 5, "type": None})
    assert shifted["timelines"] == [{"start": 5, "end": 8}, {"start": 8, "end": 11}, {"start": 11, "end": 15}]
    assert shifted["all_timelines"] == [{"start": 5, "end": 15}]
    assert call(api, "timelines", {"duration": 100, "num": 0})["timelines"] == []
    assert call(api, "timelines", {"duration": 100, "num": -2})["timelines"] == []


def test_timelines_random_split_is_deterministic_and_complete(api: httpx.Client) -> None:
    body = {"duration": 10_000_000, "num": 5, "start": 1_000, "type": 1}
    first = call(api, "timelines", body)["timelines"]
    assert call(api, "timelines", body)["timelines"] == first
    assert call(api, "timelines", {**body, "type": "random"})["timelines"] == first
    assert len(first) == 5 and first[0]["start"] == 1_000 and first[-1]["end"] == 10_001_000
    assert all(a["end"] == b["start"] for a, b in zip(first, first[1:], strict=False))
    assert all(p["end"] > p["start"] for p in first)
    equal = call(api, "timelines", {**body, "type": 0})["timelines"]
    assert first != equal


def test_timelines_random_split_leaves_the_global_rng_alone() -> None:
    """capcut-mate reseeds the process's `random` (its §H.16); a local RNG gives the same pieces whatever its state."""
    req = TimelinesRequest(duration=1_000_000, num=4, type=1)
    random.seed(7)
    state = random.getstate()
    first = workflow.timelines(req)
    assert random.getstate() == state
    random.seed(12345)
    assert workflow.timelines(req) == first


@pytest.mark.parametrize("body, field", [({"duration": 10, "num": 11}, "num"),
                                         ({"duration": 10**9, "num": 10_001}, "num"),
                                         ({"duration": -1, "num": 2}, "duration"),
                                         ({"num": 2}, "duration"),
                                         ({"duration": 10, "num": 2, "type": "sideways"}, "type")])
def test_timelines_rejects_bad_input(api: httpx.Client, body: dict[str, Any], field: str) -> None:
    assert call(api, "timelines", body, status=400, code=1001)["detail"].startswith(field)


# --- *_infos builders -----------------------------------------------------------------------------------------

TWO = [{"start": 0, "end": 1}, {"start": 1, "end": 2}]


def test_audio_infos_matches_capcut_mates_example(api: httpx.Client) -> None:
    data = call(api, "audio_infos", {"mp3_urls": ["u1", "u2", "u3"], "timelines": TWO, "audio_effect": "回音",
                                     "volume": 0.5})
    assert data["infos"].startswith('[{"audio_url": "u1", "start": 0, "end": 1, "audio_effect": "回音", '
                                    '"volume": 0.5}')
    assert json.loads(data["infos"])[1] == {"audio_url": "u2", "start": 1, "end": 2, "audio_effect": "回音",
                                            "volume": 0.5}
    plain = call(api, "audio_infos", {"mp3_urls": json.dumps(["u1"]), "timelines": json.dumps(TWO)})
    assert json.loads(plain["infos"]) == [{"audio_url": "u1", "start": 0, "end": 1}]
    assert call(api, "audio_infos", {"mp3_urls": ["u1"], "timelines": TWO, "volume": 5},
                status=400, code=1001)["detail"].startswith("volume")


def test_imgs_infos_reuses_the_last_name(api: httpx.Client, media: Any) -> None:
    imgs = [media.url("image_blue.png")] * 3
    timelines = [{"start": 0, "end": 1_000_000}, {"start": 1_000_000, "end": 2_000_000},
                 {"start": 2_000_000, "end": 3_000_000}]
    data = call(api, "imgs_infos", {"imgs": imgs, "timelines": timelines, "in_animation": "动感放大|向上滑动",
                                    "in_animation_duration": "0.3s", "out_animation_duration": 400_000,
                                    "transition_duration": 500_000, "width": 320, "height": 0})
    infos = json.loads(data["infos"])
    assert [i["in_animation"] for i in infos] == ["动感放大", "向上滑动", "向上滑动"]
    assert infos[0] == {"image_url": imgs[0], "start": 0, "end": 1_000_000, "width": 320,
                        "in_animation": "动感放大", "in_animation_duration": 300_000}
    # the JSON string is what add_images takes
    added = call(api, "add_images", {"draft_url": create_draft(api), "image_infos": data["infos"]})
    assert [s["end"] for s in added["segment_infos"]] == [1_000_000, 2_000_000, 3_000_000]
    assert "warnings" not in added


def test_effect_and_filter_infos(api: httpx.Client) -> None:
    effects = call(api, "effect_infos", {"effects": ["1998", "BOOM！"], "timelines": json.dumps(TWO)})
    assert json.loads(effects["infos"]) == [{"effect_title": "1998", "start": 0, "end": 1},
                                            {"effect_title": "BOOM！", "start": 1, "end": 2}]
    clamped = call(api, "filter_infos", {"filters": ["1980", "1980"], "timelines": TWO, "intensities": [150, -3]})
    assert [i["intensity"] for i in json.loads(clamped["infos"])] == [100.0, 0.0]
    default = call(api, "filter_infos", {"filters": json.dumps(["1980", "1980"]), "timelines": TWO})
    assert json.loads(default["infos"])[1] == {"filter_title": "1980", "start": 1, "end": 2, "intensity": 100.0}
    shortest = call(api, "filter_infos", {"filters": ["1980", "1980"], "timelines": TWO, "intensities": "[50]"})
    assert len(json.loads(shortest["infos"])) == 1
    call(api, "filter_infos", {"filters": ["1980"], "timelines": TWO, "intensities": ["loud"]},
         status=400, code=1001)


def test_keyframes_infos_matches_capcut_mates_example(api: httpx.Client) -> None:
    segments = [{"id": "seg-a", "start": 0, "end": 2_000_000}]
    data = call(api, "keyframes_infos", {"ctype": "KFTypePositionX", "offsets": "0|50|100",
                                         "values": "0|540|1080", "segment_infos": segments, "width": 1080})
    assert json.loads(data["keyframes_infos"]) == [
        {"offset": 0, "property": "KFTypePositionX", "segment_id": "seg-a", "value": 0.0},
        {"offset": 1_000_000, "property": "KFTypePositionX", "segment_id": "seg-a", "value": 0.5},
        {"offset": 2_000_000, "property": "KFTypePositionX", "segment_id": "seg-a", "value": 1.0}]
    alpha = call(api, "keyframes_infos", {"ctype": "KFTypeAlpha", "offsets": [0, 100], "values": "1|0.5",
                                          "segment_infos": json.dumps(segments * 2), "width": 1080})
    assert [k["value"] for k in json.loads(alpha["keyframes_infos"])] == [1.0, 0.5, 1.0, 0.5]


@pytest.mark.parametrize("offsets, values, field", [("0|50|100", "0|1", "values"), ("0|x", "0|1", "offsets"),
                                                    ("0|50", "0|one", "values"), ("0||100", "0|1|2", "offsets"),
                                                    ("0|150", "0|1", "offsets")])
def test_keyframes_infos_refuses_bad_lists_with_a_400(api: httpx.Client, offsets: str, values: str,
                                                      field: str) -> None:
    """capcut-mate raises a bare ValueError here, answered as 9998 (its §H.8)."""
    body = {"ctype": "KFTypeAlpha", "offsets": offsets, "values": values,
            "segment_infos": [{"id": "s", "start": 0, "end": 10}]}
    assert call(api, "keyframes_infos", body, status=400, code=1001)["detail"].startswith(field)


def test_keyframes_infos_rejects_unknown_properties(api: httpx.Client) -> None:
    body = {"ctype": "position.x", "offsets": "0", "values": "0", "segment_infos": [{"id": "s", "start": 0, "end": 10}]}
    assert call(api, "keyframes_infos", body, status=400, code=1001)["detail"].startswith("ctype")


def test_video_infos(api: httpx.Client) -> None:
    data = call(api, "video_infos", {"video_urls": ["v1", "v2"], "timelines": [{"start": 0, "end": 3}],
                                     "transition": "叠化", "transition_duration": 500_000, "width": 1920})
    assert json.loads(data["infos"]) == [{"video_url": "v1", "start": 0, "end": 3, "duration": 3, "width": 1920,
                                          "transition": "叠化", "transition_duration": 500_000, "volume": 1.0}]
    silent = call(api, "video_infos", {"video_urls": "[\"v1\"]", "timelines": TWO, "volume": None})
    assert json.loads(silent["infos"]) == [{"video_url": "v1", "start": 0, "end": 1, "duration": 1}]
    call(api, "video_infos", {"video_urls": ["v1"], "timelines": TWO, "volume": 11}, status=400, code=1001)
    call(api, "video_infos", {"video_urls": ["v1"], "timelines": [{"start": 5, "end": 1}]}, status=400, code=1001)


# --- adapters -------------------------------------------------------------------------------------------------


def test_trivial_adapters(api: httpx.Client) -> None:
    assert call(api, "get_url", {"output": "abc"})["output"] == "abc"
    assert call(api, "str_to_list", {"obj": "abc"})["infos"] == ["abc"]
    objs = [{"output": "a"}, {"output": "b"}]
    assert call(api, "str_list_to_objs", {"infos": ["a", "b"]})["infos"] == objs
    assert call(api, "str_list_to_objs", {"infos": '["a", "b"]'})["infos"] == objs
    assert call(api, "objs_to_str_list", {"outputs": objs})["infos"] == ["a", "b"]
    assert call(api, "objs_to_str_list", {"outputs": json.dumps(objs)})["infos"] == ["a", "b"]
    assert call(api, "objs_to_str_list", {"outputs": [{"x": 1}]}, status=400, code=1001)["detail"].startswith(
        "outputs[0].output")
