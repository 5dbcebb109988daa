"""The text endpoints that touch no draft: add_text_style, caption_infos and the text catalogs."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from utils.server_fixtures import call, create_draft, draft_content

from draftcut.draft.catalog import get_catalog


def test_add_text_style_matches_capcut_mates_example(api: httpx.Client) -> None:
    data = call(api, "add_text_style", {"text": "快乐每一天顶级思维", "keyword": "快乐|顶级思维"})
    body = json.loads(data["text_style"])
    assert body["text"] == "快乐每一天顶级思维"
    runs = [(s["range"], s["size"], s.get("useLetterColor", False)) for s in body["styles"]]
    assert runs == [([0, 2], 15, True), ([2, 5], 12, False), ([5, 9], 15, True)]
    orange = [1.0, 0.44313725490196076, 0.0]
    assert body["styles"][0]["fill"]["content"]["solid"]["color"] == orange
    assert body["styles"][1]["fill"]["content"]["solid"]["color"] == [1.0, 1.0, 1.0]
    assert body["styles"][0]["font"] == {"id": "", "path": ""}


def test_add_text_style_counts_utf16_and_every_occurrence(api: httpx.Client) -> None:
    data = call(api, "add_text_style", {"text": "🎉好🎉好", "keyword": "好", "keyword_color": "#00ff00",
                                        "keyword_font_size": 20, "font_size": 10})
    styles = json.loads(data["text_style"])["styles"]
    assert [(s["range"], s["size"]) for s in styles] == [([0, 2], 10), ([2, 3], 20), ([3, 5], 10), ([5, 6], 20)]


def test_add_text_style_without_keywords_is_one_white_run(api: httpx.Client) -> None:
    styles = json.loads(call(api, "add_text_style", {"text": "abc", "keyword": ""})["text_style"])["styles"]
    assert [s["range"] for s in styles] == [[0, 3]]
    call(api, "add_text_style", {"text": "abc", "keyword": "a", "keyword_color": "orange"}, status=400, code=1001)


def test_caption_infos_zips_and_copies_options(api: httpx.Client) -> None:
    data = call(api, "caption_infos", {
        "texts": ["a b", "c", "extra"], "timelines": [{"start": 0, "end": 1}, {"start": 1, "end": 2}],
        "keywords": ["a"], "keyword_color": "#ff0000", "in_animation": "渐显", "in_animation_duration": "0.5s",
        "keyword_shadow_info": {"shadow_alpha": 0.5}})
    infos = json.loads(data["infos"])
    assert len(infos) == 2
    assert infos[0] == {"start": 0, "end": 1, "text": "a b", "keyword": "a", "keyword_color": "#ff0000",
                        "in_animation": "渐显", "in_animation_duration": 500_000,
                        "keyword_shadow_info": {"shadow_alpha": 0.5, "shadow_color": "#000000",
                                                "shadow_diffuse": 15.0, "shadow_distance": 5.0,
                                                "shadow_angle": -45.0}}
    assert infos[1]["keyword"] == ""
    # JSON-string arrays work too, and the result feeds add_captions
    data = call(api, "caption_infos", {"texts": json.dumps(["x"]), "timelines": json.dumps([{"start": 0, "end": 9}])})
    url = create_draft(api)
    added = call(api, "add_captions", {"draft_url": url, "captions": data["infos"]})
    assert added["segment_infos"][0]["end"] == 9
    assert draft_content(api, url)["duration"] == 9


def test_get_text_animations_filters_by_mode_and_type(api: httpx.Client) -> None:
    every = call(api, "get_text_animations", {})["effects"]
    assert len(every) == 145 + 97 + 93
    assert [e["type"] for e in every] == sorted((e["type"] for e in every), key=["in", "out", "loop"].index)
    free_loops = call(api, "get_text_animations", {"mode": 2, "type": "loop"})["effects"]
    assert free_loops[0] == {"resource_id": "7399879467457319463", "type": "loop", "category_id": "xunhuan",
                             "category_name": "循环", "duration": 2000000, "id": "77851352", "name": "VHS",
                             "request_id": "", "start": 0, "icon_url": "", "material_type": "sticker",
                             "panel": "", "path": "", "platform": "all"}
    vip_in = call(api, "get_text_animations", {"mode": 1, "type": "in"})["effects"]
    assert len(vip_in) == 78 and all(e["category_id"] == "ruchang" for e in vip_in)
    assert len(call(api, "get_text_animations", {"mode": None, "type": None})["effects"]) == len(every)


@pytest.mark.parametrize("body, field", [({"mode": 3}, "mode"), ({"type": "sideways"}, "type"),
                                         ({"mode": "x"}, "mode")])
def test_get_text_animations_rejects_bad_input(api: httpx.Client, body: dict[str, Any], field: str) -> None:
    assert call(api, "get_text_animations", body, status=400, code=1001)["detail"].startswith(field)


def test_get_text_effects_lists_every_row(api: httpx.Client) -> None:
    every = call(api, "get_text_effects", {})["text_effects"]
    assert len(every) == 1673 and len({e["id"] for e in every}) == 1673
    assert every[0] == {"id": "7539407429763796249", "title": "红黄火焰综艺花字", "is_vip": True}
    free = call(api, "get_text_effects", {"mode": 2})["text_effects"]
    vip = call(api, "get_text_effects", {"mode": 1})["text_effects"]
    assert len(free) + len(vip) == 1673 and not any(e["is_vip"] for e in free)
    assert {"id": "7403676308145802522", "title": "立体综艺花字", "is_vip": False} in free
    call(api, "get_text_effects", {"mode": 5}, status=400, code=1001)


@pytest.mark.parametrize("name, expected", [
    ("思源中宋", "思源中宋"),          # exact name
    ("志向黑", "励字志向黑简 特粗"),     # capcut-mate's alias
    ("励字志向黑简_特粗", "励字志向黑简 特粗"),  # enum member name
    ("思源中", "思源中宋"),            # unique substring
])
def test_font_lookup_by_name_alias_key_or_unique_substring(api: httpx.Client, name: str, expected: str) -> None:
    url = create_draft(api)
    data = call(api, "add_captions", {"draft_url": url, "font": name,
                                      "captions": [{"start": 0, "end": 10, "text": "x"}]})
    assert "warnings" not in data
    content = draft_content(api, url)
    body = json.loads(content["materials"]["texts"][0]["content"])
    fonts = get_catalog("fonts")
    entry = fonts.find(expected)
    assert entry is not None and body["styles"][0]["font"]["id"] == entry.resource_id


def test_ambiguous_font_substring_suggests_names(api: httpx.Client) -> None:
    url = create_draft(api)
    data = call(api, "add_captions", {"draft_url": url, "font": "思源",
                                      "captions": [{"start": 0, "end": 10, "text": "x"}]})
    warning = data["warnings"][0]
    assert warning["field"] == "font" and warning["suggestions"]
    assert len(get_catalog("fonts")) == 798
