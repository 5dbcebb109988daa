"""add_videos: seed examples, every field, and each error leaving the draft untouched."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from utils.server_fixtures import call, create_draft, draft_content


def _mat(content: dict[str, Any], kind: str, mid: str) -> dict[str, Any]:
    return next(m for m in content["materials"][kind] if m["id"] == mid)


def _seg(content: dict[str, Any], sid: str) -> dict[str, Any]:
    return next(s for t in content["tracks"] for s in t["segments"] if s["id"] == sid)


def seed_examples(u: Any) -> list[dict[str, Any]]:
    """The add_videos seed doc's requests (curl 1-4 and the JS objects), media URLs made reachable."""
    v1, v2 = u("video_red_2s.mp4"), u("pattern_5s.mp4")
    return [
        {"video_infos": json.dumps([{"video_url": v1, "width": 1024, "height": 1024, "start": 0, "end": 5000000,
                                     "duration": 5000000, "mask": "圆形", "transition": "淡入淡出",
                                     "transition_duration": 500000, "volume": 0.8}]),
         "alpha": 0.5, "scale_x": 1.0, "scale_y": 1.0, "transform_x": 100, "transform_y": 200},
        {"video_infos": json.dumps([{"video_url": v1, "width": 1920, "height": 1080, "start": 0, "end": 5000000,
                                     "duration": 10000000}])},
        {"video_infos": json.dumps([
            {"video_url": v1, "width": 1920, "height": 1080, "start": 0, "end": 5000000, "duration": 10000000},
            {"video_url": v2, "width": 1280, "height": 720, "start": 5000000, "end": 10000000, "duration": 8000000}]),
         "alpha": 0.8},
        {"video_infos": json.dumps([{"video_url": v1, "width": 1024, "height": 1024, "start": 0, "end": 5000000,
                                     "duration": 10000000, "mask": "圆形", "transition": "淡入淡出",
                                     "transition_duration": 500000, "volume": 0.8}]),
         "alpha": 1.0, "scale_x": 1.2, "scale_y": 1.2},
        {"video_infos": json.dumps([
            {"video_url": v2, "width": 1920, "height": 1080, "start": 0, "end": 10000000, "duration": 15000000},
            {"video_url": v1, "width": 640, "height": 360, "start": 2000000, "end": 8000000, "duration": 10000000}]),
         "transform_x": 300, "transform_y": -200, "scale_x": 0.3, "scale_y": 0.3},
        {"video_infos": json.dumps([
            {"video_url": v1, "width": 1920, "height": 1080, "start": 0, "end": 3000000, "duration": 5000000,
             "transition": "淡入淡出", "transition_duration": 500000},
            {"video_url": v2, "width": 1920, "height": 1080, "start": 3000000, "end": 15000000, "duration": 20000000,
             "volume": 0.8},
            {"video_url": v1, "width": 1920, "height": 1080, "start": 15000000, "end": 18000000, "duration": 5000000,
             "mask": "圆形"}]), "alpha": 1.0},
        {"video_infos": json.dumps([
            {"video_url": v2, "width": 1920, "height": 1080, "start": 0, "end": 10000000, "duration": 15000000},
            {"video_url": v1, "width": 640, "height": 360, "start": 2000000, "end": 8000000, "duration": 10000000,
             "mask": "圆形"}]), "scale_x": 0.8, "scale_y": 0.8, "transform_x": 200, "transform_y": -150, "alpha": 0.9},
    ]


@pytest.mark.parametrize("index", range(7))
def test_seed_examples_succeed(api: httpx.Client, media: Any, index: int) -> None:
    url = create_draft(api)
    body = seed_examples(media.url)[index]
    data = call(api, "add_videos", {"draft_url": url, **body})
    items = json.loads(body["video_infos"])
    assert len(data["segment_ids"]) == len(items) == len(data["video_ids"]) == len(data["segment_infos"])
    content = draft_content(api, url)
    for sid in data["segment_ids"]:
        seg = _seg(content, sid)
        assert seg["clip"]["alpha"] == body.get("alpha", 1.0)


def test_fields_land_in_the_draft(api: httpx.Client, media: Any) -> None:
    url = create_draft(api, 1080, 1920)
    data = call(api, "add_videos", {"draft_url": url, "video_infos": [
        {"video_url": media.url("pattern_5s.mp4"), "start": 1000000, "end": 3000000, "mask": "circle",
         "transition": "叠化", "transition_duration": 800000, "volume": 0.5}],
        "alpha": 0.7, "scale_x": 0.5, "scale_y": 0.6, "transform_x": 540, "transform_y": -960})
    content = draft_content(api, url)
    seg = _seg(content, data["segment_ids"][0])
    assert seg["target_timerange"] == {"start": 1000000, "duration": 2000000}
    assert seg["source_timerange"] == {"start": 0, "duration": 2000000}
    assert seg["volume"] == 0.5 and seg["speed"] == 1.0
    assert seg["clip"]["scale"] == {"x": 0.5, "y": 0.6}
    assert seg["clip"]["transform"] == {"x": 0.5, "y": -0.5}  # capcut-mate's unit: value / canvas size
    material = _mat(content, "videos", data["video_ids"][0])
    assert (material["width"], material["height"], material["type"]) == (640, 360, "video")
    assert abs(material["duration"] - 5_000_000) < 100_000  # probed, not given
    assert data["draft_url"] in material["path"] or data["draft_url"].rsplit("=", 1)[1] in material["path"]
    refs = set(seg["extra_material_refs"])
    kinds = {k for k, items in content["materials"].items() for m in items if m.get("id") in refs}
    assert {"speeds", "canvases", "sound_channel_mappings", "masks", "common_mask", "transitions"} <= kinds
    mask = next(m for m in content["materials"]["common_mask"] if m["id"] in refs)
    assert mask["name"] == "圆形" and mask["resource_type"] == "circle"
    trans = next(m for m in content["materials"]["transitions"] if m["id"] in refs)
    assert trans["name"] == "叠化" and trans["duration"] == 800000
    assert content["duration"] == 3000000
    track = next(t for t in content["tracks"] if t["id"] == data["track_id"])
    assert track["type"] == "video" and track["name"].startswith("video_track_")


def test_clip_shorter_than_requested_is_clipped_and_reported(api: httpx.Client, media: Any) -> None:
    url = create_draft(api)
    data = call(api, "add_videos", {"draft_url": url, "video_infos": json.dumps(
        [{"video_url": media.url("video_red_2s.mp4"), "start": 0, "end": 10000000}])})
    info = data["segment_infos"][0]
    assert info["start"] == 0 and abs(info["end"] - 2_000_000) < 100_000


def test_scene_timelines_change_speed_and_chain(api: httpx.Client, media: Any) -> None:
    url = create_draft(api)
    v = media.url("pattern_5s.mp4")
    data = call(api, "add_videos", {"draft_url": url, "video_infos": json.dumps([
        {"video_url": v, "start": 0, "end": 4000000}, {"video_url": v, "start": 9000000, "end": 11000000}]),
        "scene_timelines": [{"start": 0, "end": 2000000}, {"start": 0, "end": 4000000}]})
    content = draft_content(api, url)
    first, second = (_seg(content, s) for s in data["segment_ids"])
    assert first["speed"] == 2.0 and first["target_timerange"] == {"start": 0, "duration": 2000000}
    assert second["speed"] == 0.5 and second["target_timerange"] == {"start": 2000000, "duration": 4000000}
    speeds = {m["id"]: m["speed"] for m in content["materials"]["speeds"]}
    assert speeds[first["extra_material_refs"][0]] == 2.0


def test_overlapping_items_go_to_lanes(api: httpx.Client, media: Any) -> None:
    url = create_draft(api)
    v = media.url("video_red_2s.mp4")
    data = call(api, "add_videos", {"draft_url": url, "video_infos": [
        {"video_url": v, "start": 0, "end": 2000000}, {"video_url": v, "start": 1000000, "end": 2000000}]})
    assert len(data["track_ids"]) == 2
    content = draft_content(api, url)
    lanes = [t for t in content["tracks"] if t["id"] in data["track_ids"]]
    assert [len(t["segments"]) for t in lanes] == [1, 1]
    assert lanes[1]["segments"][0]["render_index"] > lanes[0]["segments"][0]["render_index"]


def test_images_and_real_arrays_accepted(api: httpx.Client, media: Any) -> None:
    url = create_draft(api)
    data = call(api, "add_videos", {"draft_url": url, "video_infos": [
        {"video_url": media.url("image_blue.png"), "start": 0, "end": 1500000}]})
    content = draft_content(api, url)
    assert _mat(content, "videos", data["video_ids"][0])["type"] == "photo"
    assert _seg(content, data["segment_ids"][0])["target_timerange"]["duration"] == 1500000


def _bad(media_url: str, **item: Any) -> dict[str, Any]:
    return {"video_url": media_url, "start": 0, "end": 1000000, **item}


def error_cases(u: Any) -> list[tuple[str, dict[str, Any], int, int, str]]:
    v = u("video_red_2s.mp4")
    return [
        ("bad json", {"video_infos": "[{"}, 400, 2003, "video_infos"),
        ("not a list", {"video_infos": '{"a": 1}'}, 400, 2003, "video_infos"),
        ("empty", {"video_infos": "[]"}, 400, 2003, "video_infos"),
        ("missing", {}, 400, 2003, "video_infos"),
        ("item not object", {"video_infos": "[1]"}, 400, 2003, "video_infos[0]"),
        ("end<=start", {"video_infos": [_bad(v, start=5, end=5)]}, 400, 2003, "video_infos[0]"),
        ("negative start", {"video_infos": [_bad(v, start=-1)]}, 400, 2003, "video_infos[0].start"),
        ("no url", {"video_infos": [{"start": 0, "end": 1}]}, 400, 2003, "video_infos[0].video_url"),
        ("ftp url", {"video_infos": [_bad("ftp://x/y.mp4")]}, 400, 2003, "video_infos[0].video_url"),
        ("string time", {"video_infos": [_bad(v, end="soon")]}, 400, 2003, "video_infos[0].end"),
        ("volume", {"video_infos": [_bad(v, volume=11)]}, 400, 2003, "video_infos[0].volume"),
        ("trans dur", {"video_infos": [_bad(v, transition="叠化", transition_duration=50000)]}, 400, 2003,
         "video_infos[0].transition_duration"),
        ("alpha", {"video_infos": [_bad(v)], "alpha": 1.5}, 400, 1001, "alpha"),
        ("scale", {"video_infos": [_bad(v)], "scale_x": 0}, 400, 1001, "scale_x"),
        ("alpha type", {"video_infos": [_bad(v)], "alpha": "opaque"}, 400, 1001, "alpha"),
        ("404 media", {"video_infos": [_bad(u("status/404"))]}, 404, 2005, "video_infos[0].video_url"),
        ("garbage media", {"video_infos": [_bad(u("garbage.mp4"))]}, 400, 3010, "video_infos[0].video_url"),
        ("audio as video", {"video_infos": [_bad(u("audio_2s.mp3"))]}, 400, 2003, "video_infos[0].video_url"),
        ("private host", {"video_infos": [_bad("http://10.1.2.3/a.mp4")]}, 400, 2005, "video_infos[0].video_url"),
        ("metadata host", {"video_infos": [_bad("http://169.254.169.254/latest")]}, 400, 2005,
         "video_infos[0].video_url"),
    ]


@pytest.mark.parametrize("case", range(20))
def test_errors_name_the_field_and_change_nothing(api: httpx.Client, media: Any, case: int) -> None:
    name, body, status, code, field = error_cases(media.url)[case]
    url = create_draft(api)
    call(api, "add_videos", {"draft_url": url, "video_infos": [
        {"video_url": media.url("video_red_2s.mp4"), "start": 0, "end": 1000000}]})
    before = draft_content(api, url)
    data = call(api, "add_videos", {"draft_url": url, **body}, status=status, code=code)
    assert field in data["detail"], (name, data)
    assert field in data["message"]
    assert draft_content(api, url) == before, name


def test_unknown_draft_and_missing_url(api: httpx.Client, media: Any) -> None:
    item = [{"video_url": media.url("video_red_2s.mp4"), "start": 0, "end": 1000000}]
    data = call(api, "add_videos", {"draft_url": "http://h/get_draft?draft_id=20990101000000deadbeef",
                                    "video_infos": item}, status=404, code=2001)
    assert "20990101000000deadbeef" in data["detail"]
    data = call(api, "add_videos", {"video_infos": item}, status=400, code=1001)
    assert "draft_url" in data["detail"]
