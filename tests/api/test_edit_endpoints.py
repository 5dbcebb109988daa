"""add_effects, add_filters, add_keyframes, add_masks, add_sticker and easy_create_material over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from utils.server_fixtures import Server, call, create_draft, draft_content

SEC = 1_000_000


@pytest.fixture(scope="module")
def strict_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    with Server(Path(tmp_path_factory.mktemp("strict-edits")), env={"DRAFTCUT_STRICT_NAMES": "true"}) as srv, \
            httpx.Client(base_url=srv.url, timeout=60) as client:
        yield client


def _seg(content: dict[str, Any], segment_id: str) -> dict[str, Any]:
    return next(s for t in content["tracks"] for s in t["segments"] if s["id"] == segment_id)


def _track_of(content: dict[str, Any], segment_id: str) -> dict[str, Any]:
    return next(t for t in content["tracks"] for s in t["segments"] if s["id"] == segment_id)


def _scene(api: httpx.Client, media: Any, width: int = 1080, height: int = 1920) -> tuple[str, dict[str, str]]:
    """A draft with a video, a picture, a caption and an audio clip; their segment ids by kind."""
    url = create_draft(api, width, height)
    ids = {
        "video": call(api, "add_videos", {"draft_url": url, "video_infos": [
            {"video_url": media.url("video_red_2s.mp4"), "start": 0, "end": 2 * SEC}]})["segment_ids"][0],
        "image": call(api, "add_images", {"draft_url": url, "image_infos": [
            {"image_url": media.url("image.jpg"), "start": 0, "end": 2 * SEC}]})["segment_ids"][0],
        "text": call(api, "add_captions", {"draft_url": url, "captions": [
            {"start": 0, "end": 2 * SEC, "text": "字"}]})["segment_ids"][0],
        "audio": call(api, "add_audios", {"draft_url": url, "audio_infos": [
            {"audio_url": media.url("audio_2s.mp3"), "start": 0, "end": 2 * SEC}]})["segment_ids"][0],
    }
    return url, ids


# --------------------------------------------------------------------------- effects and filters


def test_add_effects_scene_and_character_on_an_effect_track(api: httpx.Client) -> None:
    url = create_draft(api)
    data = call(api, "add_effects", {"draft_url": url, "effect_infos": json.dumps([
        {"effect_title": "1998", "start": 0, "end": SEC, "params": [50, 0]},
        {"effect_title": "BOOM！", "start": SEC, "end": 2 * SEC}], ensure_ascii=False)})
    assert len(data["effect_ids"]) == len(data["segment_ids"]) == 2 and "warnings" not in data
    content = draft_content(api, url)
    track = _track_of(content, data["segment_ids"][0])
    assert track["type"] == "effect" and track["id"] == data["track_id"]
    effects = {m["id"]: m for m in content["materials"]["video_effects"]}
    scene, character = (effects[i] for i in data["effect_ids"])
    assert (scene["type"], scene["name"], scene["apply_target_type"]) == ("video_effect", "1998", 2)
    assert [p["value"] for p in scene["adjust_params"]] == [0.5, 0.0]
    assert character["type"] == "face_effect"
    assert _seg(content, data["segment_ids"][1])["target_timerange"] == {"start": SEC, "duration": SEC}


def test_add_filters_intensity_is_the_value(api: httpx.Client) -> None:
    url = create_draft(api)
    data = call(api, "add_filters", {"draft_url": url, "filter_infos": [
        {"filter_title": "1980", "start": 0, "end": SEC, "intensity": 40}, {"filter_title": "ABG", "start": 0,
                                                                            "end": SEC}]})
    content = draft_content(api, url)
    filters = {m["id"]: m for m in content["materials"]["effects"]}
    assert [(filters[i]["name"], filters[i]["value"], filters[i]["type"]) for i in data["filter_ids"]] == [
        ("1980", 0.4, "filter"), ("ABG", 1.0, "filter")]
    assert len(data["track_ids"]) == 2  # overlapping items open another lane
    assert all(_track_of(content, s)["type"] == "filter" for s in data["segment_ids"])


@pytest.mark.parametrize("endpoint, body, code, field", [
    ("add_effects", {"effect_infos": "[{\"effect_title\": "}, 2020, "effect_infos"),
    ("add_effects", {"effect_infos": [{"effect_title": " ", "start": 0, "end": 1}]}, 2020,
     "effect_infos[0].effect_title"),
    ("add_effects", {"effect_infos": [{"effect_title": "1998", "start": 5, "end": 5}]}, 2020, "effect_infos[0]"),
    ("add_effects", {"effect_infos": [{"effect_title": "1998", "start": 0, "end": 5, "params": [1, 2, 3]}]}, 2020,
     "effect_infos[0].params"),
    ("add_filters", {"filter_infos": [{"filter_title": "1980", "start": 0, "end": 5, "intensity": 150}]}, 2037,
     "filter_infos[0].intensity"),
    ("add_filters", {"filter_infos": "not json"}, 2037, "filter_infos"),
])
def test_bad_effect_and_filter_items(api: httpx.Client, endpoint: str, body: dict[str, Any], code: int,
                                     field: str) -> None:
    url = create_draft(api)
    before = draft_content(api, url)
    data = call(api, endpoint, {"draft_url": url, **body}, status=400, code=code)
    assert field in data["detail"]
    assert draft_content(api, url) == before


def test_unknown_effect_and_filter_names_warn_or_fail(api: httpx.Client, strict_api: httpx.Client) -> None:
    url = create_draft(api)
    data = call(api, "add_effects", {"draft_url": url, "effect_infos": [
        {"effect_title": "1999", "start": 0, "end": SEC}, {"effect_title": "70s", "start": 0, "end": SEC}]})
    assert data["warnings"][0]["field"] == "effect_infos[0].effect_title" and "1998" in data["warnings"][0][
        "suggestions"]
    assert len(data["effect_ids"]) == 1
    data = call(api, "add_filters", {"draft_url": url, "filter_infos": [{"filter_title": "nope", "start": 0,
                                                                           "end": SEC}]})
    assert data["filter_ids"] == [] and data["track_id"] == "" and data["warnings"]
    strict = create_draft(strict_api)
    call(strict_api, "add_effects", {"draft_url": strict, "effect_infos": [
        {"effect_title": "1999", "start": 0, "end": SEC}]}, status=400, code=2022)
    call(strict_api, "add_filters", {"draft_url": strict, "filter_infos": [
        {"filter_title": "nope", "start": 0, "end": SEC}]}, status=400, code=2039)


# --------------------------------------------------------------------------- keyframes


def test_keyframes_all_properties_and_conventions(api: httpx.Client, media: Any) -> None:
    url, ids = _scene(api, media)
    items = [
        {"segment_id": ids["video"], "property": "KFTypePositionX", "offset": 0, "value": 540},
        {"segment_id": ids["video"], "property": "KFTypePositionX", "offset": SEC, "value": -0.25},
        {"segment_id": ids["video"], "property": "KFTypePositionY", "offset": 0, "value": 960},
        {"segment_id": ids["video"], "property": "KFTypeRotation", "offset": 0, "value": 45},
        {"segment_id": ids["video"], "property": "KFTypeAlpha", "offset": 0, "value": 0.5},
        {"segment_id": ids["video"], "property": "KFTypeSaturation", "offset": 0, "value": -1},
        {"segment_id": ids["video"], "property": "KFTypeContrast", "offset": 0, "value": 0.3},
        {"segment_id": ids["video"], "property": "KFTypeBrightness", "offset": 0, "value": 0.2},
        {"segment_id": ids["video"], "property": "KFTypeVolume", "offset": 0, "value": 0.5},
        {"segment_id": ids["image"], "property": "UNIFORM_SCALE", "offset": 0, "value": 1.0},
        {"segment_id": ids["image"], "property": "UNIFORM_SCALE", "offset": 2 * SEC, "value": 1.3},
        {"segment_id": ids["text"], "property": "KFTypeScaleX", "offset": 0, "value": 2},
        {"segment_id": ids["text"], "property": "KFTypeScaleY", "offset": 0, "value": 3},
        {"segment_id": ids["audio"], "property": "KFTypeVolume", "offset": 9 * SEC, "value": 0},
    ]
    data = call(api, "add_keyframes", {"draft_url": url, "keyframes": json.dumps(items)})
    assert data["keyframes_added"] == len(items)
    assert data["affected_segments"] == [ids["video"], ids["image"], ids["text"], ids["audio"]]
    assert [w["field"] for w in data["warnings"]] == ["keyframes[13].offset"]  # clamped to the segment's end
    content = draft_content(api, url)

    def frames(kind: str, prop: str) -> list[tuple[int, float]]:
        group = next(g for g in _seg(content, ids[kind])["common_keyframes"] if g["property_type"] == prop)
        assert all(f["curveType"] == "Line" for f in group["keyframe_list"])
        return [(f["time_offset"], f["values"][0]) for f in group["keyframe_list"]]

    assert frames("video", "KFTypePositionX") == [(0, 0.5), (SEC, -0.25)]  # 540 px on 1080 wide → 0.5
    assert frames("video", "KFTypePositionY") == [(0, 0.5)]
    for prop, value in [("KFTypeRotation", 45), ("KFTypeAlpha", 0.5), ("KFTypeSaturation", -1),
                        ("KFTypeContrast", 0.3), ("KFTypeBrightness", 0.2), ("KFTypeVolume", 0.5)]:
        assert frames("video", prop) == [(0, value)]
    assert frames("image", "KFTypeScaleX") == [(0, 1.0), (2 * SEC, 1.3)]  # UNIFORM_SCALE is stored as ScaleX
    assert _seg(content, ids["image"])["uniform_scale"]["on"] is True
    assert _seg(content, ids["text"])["uniform_scale"]["on"] is False
    assert frames("audio", "KFTypeVolume") == [(2 * SEC, 0)]


@pytest.mark.parametrize("item, code, field", [
    ({"segment_id": "f" * 32, "property": "KFTypeAlpha", "offset": 0, "value": 1}, 2015, "keyframes[1].segment_id"),
    ({"segment_id": "AUDIO", "property": "KFTypeAlpha", "offset": 0, "value": 1}, 2016, "keyframes[1].segment_id"),
    ({"segment_id": "TEXT", "property": "KFTypeVolume", "offset": 0, "value": 1}, 2016, "keyframes[1].segment_id"),
    ({"segment_id": "VIDEO", "property": "KFTypeBlur", "offset": 0, "value": 1}, 2013, "keyframes[1].property"),
    ({"segment_id": "VIDEO", "property": "KFTypeAlpha", "offset": -1, "value": 1}, 2013, "keyframes[1].offset"),
    ({"segment_id": "VIDEO", "property": "KFTypeAlpha", "offset": 0, "value": 2}, 2013, "keyframes[1].value"),
    ({"segment_id": "VIDEO", "property": "UNIFORM_SCALE", "offset": 0, "value": 2}, 2013, "keyframes[1].property"),
])
def test_a_bad_keyframe_names_its_item_and_saves_nothing(api: httpx.Client, media: Any, item: dict[str, Any],
                                                        code: int, field: str) -> None:
    url, ids = _scene(api, media)
    before = draft_content(api, url)
    good = {"segment_id": ids["video"], "property": "KFTypeScaleY", "offset": 0, "value": 1.5}
    item = {**item, "segment_id": ids.get(item["segment_id"].lower(), item["segment_id"])}
    data = call(api, "add_keyframes", {"draft_url": url, "keyframes": [good, item]}, status=400 if code != 2015
                else 404, code=code)
    assert field in data["detail"], data
    assert draft_content(api, url) == before


# --------------------------------------------------------------------------- masks


@pytest.mark.parametrize("name, resource_type", [("线性", "line"), ("镜面", "mirror"), ("圆形", "circle"),
                                                 ("矩形", "rectangle"), ("爱心", "geometric_shape"),
                                                 ("星形", "geometric_shape")])
def test_masks_in_material_pixels(api: httpx.Client, media: Any, name: str, resource_type: str) -> None:
    url, ids = _scene(api, media)
    data = call(api, "add_masks", {"draft_url": url, "segment_ids": [ids["video"]], "name": name, "X": 80, "Y": -60,
                                   "width": 160, "height": 120, "feather": 30, "rotation": 15, "invert": True,
                                   "roundCorner": 50})
    assert data["masks_added"] == 1 and data["affected_segments"] == [ids["video"]]
    content = draft_content(api, url)
    seg = _seg(content, ids["video"])
    new = next(m for m in content["materials"]["common_mask"] if m["id"] in seg["extra_material_refs"])
    old = next(m for m in content["materials"]["masks"] if m["id"] == new["id"])
    assert new["id"] == data["mask_ids"][0] and new["resource_type"] == old["resource_type"] == resource_type
    cfg = old["config"]
    video = next(m for m in content["materials"]["videos"] if m["id"] == seg["material_id"])
    w, h = video["width"], video["height"]
    assert cfg["centerX"] == pytest.approx(80 / (w / 2)) and cfg["centerY"] == pytest.approx(-60 / (h / 2))
    assert (cfg["feather"], cfg["rotation"], cfg["invert"]) == (0.3, 15, True)
    if name == "矩形":
        assert cfg["width"] == pytest.approx(160 / w) and cfg["height"] == pytest.approx(120 / h)
        assert cfg["roundCorner"] == 0.5
    elif name != "线性":
        assert cfg["height"] == pytest.approx(120 / h)


def test_mask_errors_and_replacement(api: httpx.Client, media: Any, strict_api: httpx.Client) -> None:
    url, ids = _scene(api, media)
    before = draft_content(api, url)
    call(api, "add_masks", {"draft_url": url, "segment_ids": []}, status=400, code=2023)
    call(api, "add_masks", {"draft_url": url, "segment_ids": ["f" * 32]}, status=404, code=2015)
    data = call(api, "add_masks", {"draft_url": url, "segment_ids": [ids["video"], ids["text"]]}, status=400,
                code=2016)
    assert "segment_ids[1]" in data["detail"]
    assert draft_content(api, url) == before
    assert call(api, "add_masks", {"draft_url": url, "segment_ids": ids["video"], "name": "六边形"})["warnings"]
    call(api, "add_masks", {"draft_url": url, "segment_ids": json.dumps([ids["image"]]), "name": "圆形"})
    again = call(api, "add_masks", {"draft_url": url, "segment_ids": [ids["image"]], "name": "爱心"})
    assert again["warnings"][0]["message"].endswith("previous mask was replaced")
    content = draft_content(api, url)
    refs = _seg(content, ids["image"])["extra_material_refs"]
    assert [m["name"] for m in content["materials"]["common_mask"] if m["id"] in refs] == ["爱心"]
    assert [m["name"] for m in content["materials"]["masks"]] == ["爱心"]
    strict_url, strict_ids = _scene(strict_api, media)
    call(strict_api, "add_masks", {"draft_url": strict_url, "segment_ids": [strict_ids["video"]], "name": "六边形"},
         status=400, code=2025)


# --------------------------------------------------------------------------- stickers and quick create


def test_add_sticker(api: httpx.Client, media: Any) -> None:
    url = create_draft(api)
    data = call(api, "add_sticker", {"draft_url": url, "sticker_id": "7226264888031694140", "start": 0,
                                     "end": 2 * SEC, "scale": 0.5, "transform_x": 192, "transform_y": -108})
    assert data["duration"] == 2 * SEC and data["sticker_id"] == "7226264888031694140"
    content = draft_content(api, url)
    assert _track_of(content, data["segment_id"])["type"] == "sticker"
    seg = _seg(content, data["segment_id"])
    assert seg["clip"]["scale"] == {"x": 0.5, "y": 0.5} and seg["clip"]["transform"] == {"x": 0.1, "y": -0.1}
    sticker = next(m for m in content["materials"]["stickers"] if m["id"] == seg["material_id"])
    assert sticker["resource_id"] == sticker["sticker_id"] == "7226264888031694140" and "path" not in sticker
    with_art = call(api, "add_sticker", {"draft_url": url, "sticker_id": "1", "start": 0, "end": SEC,
                                         "sticker_url": media.url("image_blue.png")})
    content = draft_content(api, url)
    art = next(m for m in content["materials"]["stickers"]
               if m["id"] == _seg(content, with_art["segment_id"])["material_id"])
    assert art["path"].endswith(".png") and (art["width"], art["height"]) == (320, 240)
    before = draft_content(api, url)
    call(api, "add_sticker", {"draft_url": url, "sticker_id": "1", "start": SEC, "end": SEC}, status=400, code=2011)
    data = call(api, "add_sticker", {"draft_url": url, "sticker_id": "1", "start": 0, "end": SEC,
                                     "sticker_url": media.url("missing.png")}, status=404, code=2005)
    assert data["detail"].startswith("sticker_url")
    assert draft_content(api, url) == before


def test_easy_create_material(api: httpx.Client, media: Any) -> None:
    url = create_draft(api, 1080, 1920)
    data = call(api, "easy_create_material", {
        "draft_url": url, "audio_url": media.url("audio_2s.mp3"), "video_url": media.url("video_red_2s.mp4"),
        "img_url": media.url("image.jpg"), "text": "一句话", "text_color": "#ffcc00", "font_size": 9,
        "text_transform_y": -480})
    assert set(data["segment_ids"]) == {"audio", "video", "image", "text"}
    content = draft_content(api, url)
    spans = {kind: _seg(content, sid)["target_timerange"] for kind, sid in data["segment_ids"].items()}
    assert spans["audio"] == {"start": 0, "duration": 2 * SEC}  # 0–5 s, clipped to the 2 s file
    assert spans["image"] == {"start": 0, "duration": 3 * SEC} and spans["text"]["duration"] == 5 * SEC
    assert _seg(content, data["segment_ids"]["text"])["clip"]["transform"]["y"] == pytest.approx(-0.25)
    only_audio = call(api, "easy_create_material", {"draft_url": url, "audio_url": media.url("audio_2s.mp3"),
                                                    "img_url": "", "video_url": "null", "text": ""})
    assert set(only_audio["segment_ids"]) == {"audio"}


def test_easy_create_material_broken_url_is_an_error_and_saves_nothing(api: httpx.Client, media: Any) -> None:
    url = create_draft(api)
    before = draft_content(api, url)
    data = call(api, "easy_create_material", {"draft_url": url, "audio_url": media.url("audio_2s.mp3"),
                                              "video_url": media.url("missing.mp4"), "text": "x"},
                status=404, code=2005)
    assert data["detail"].startswith("video_url")
    assert draft_content(api, url) == before
    call(api, "easy_create_material", {"draft_url": url, "audio_url": ""}, status=400, code=1001)
