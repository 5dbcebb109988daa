"""Segment-level edits for agents over HTTP: get_timeline, update_segment, delete_segment, replace_material, set_text."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from utils.server_fixtures import call, create_draft, draft_content

SEC = 1_000_000


def _scene(api: httpx.Client, media: Any) -> tuple[str, dict[str, str]]:
    url = create_draft(api, 1080, 1920)
    videos = call(api, "add_videos", {"draft_url": url, "video_infos": [
        {"video_url": media.url("video_red_2s.mp4"), "start": 0, "end": SEC},
        {"video_url": media.url("video_red_2s.mp4"), "start": SEC, "end": 2 * SEC, "transition": "叠化"}]})
    ids = {"video": videos["segment_ids"][0], "video2": videos["segment_ids"][1],
           "text": call(api, "add_captions", {"draft_url": url, "captions": [
               {"start": 0, "end": 2 * SEC, "text": "你好😀世界", "keyword": "世界", "keyword_color": "#00ff00"}],
               "font_size": 9})["segment_ids"][0],
           "audio": call(api, "add_audios", {"draft_url": url, "audio_infos": [
               {"audio_url": media.url("audio_2s.mp3"), "start": 0, "end": 2 * SEC}]})["segment_ids"][0],
           "image": call(api, "add_images", {"draft_url": url, "image_infos": [
               {"image_url": media.url("image.jpg"), "start": 3 * SEC, "end": 4 * SEC}]})["segment_ids"][0]}
    return url, ids


def _segments(timeline: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for t in timeline["tracks"] for s in t["segments"]}


def test_get_timeline_lists_tracks_segments_and_facts(api: httpx.Client, media: Any) -> None:
    url, ids = _scene(api, media)
    tl = call(api, "get_timeline", {"draft_url": url})
    assert (tl["width"], tl["height"], tl["duration"]) == (1080, 1920, 4 * SEC)
    segs = _segments(tl)
    assert set(ids.values()) <= set(segs)
    assert segs[ids["text"]]["text"] == "你好😀世界"
    assert segs[ids["video"]]["material"]["type"] == "video" and segs[ids["video"]]["source_end"] == SEC
    assert {"kind": "transitions", "name": "叠化"}.items() <= segs[ids["video2"]]["attached"][0].items()
    assert segs[ids["image"]]["start"] == 3 * SEC and segs[ids["audio"]]["volume"] == 1.0
    assert [t["type"] for t in tl["tracks"]].count("video") >= 2


def test_update_segment_moves_trims_retimes_and_places(api: httpx.Client, media: Any) -> None:
    url, ids = _scene(api, media)
    moved = call(api, "update_segment", {"draft_url": url, "segment_id": ids["image"], "start": 5 * SEC,
                                         "transform_x": 270, "transform_y": -480, "scale_x": 0.5, "scale_y": 0.5,
                                         "rotation": 90, "alpha": 0.7})["segment"]
    assert (moved["start"], moved["end"]) == (5 * SEC, 6 * SEC)
    assert moved["transform"] == {"x_px": 270, "y_px": -480, "scale_x": 0.5, "scale_y": 0.5, "rotation": 90,
                                  "alpha": 0.7}
    trimmed = call(api, "update_segment", {"draft_url": url, "segment_id": ids["audio"], "source_start": 500_000,
                                           "duration": SEC, "volume": 0.3})["segment"]
    assert (trimmed["source_start"], trimmed["source_end"], trimmed["volume"]) == (500_000, 1_500_000, 0.3)
    fast = call(api, "update_segment", {"draft_url": url, "segment_id": ids["video"], "speed": 2})["segment"]
    assert fast["duration"] == 500_000 and fast["speed"] == 2
    content = draft_content(api, url)
    assert content["duration"] == 6 * SEC
    seg = next(s for t in content["tracks"] for s in t["segments"] if s["id"] == ids["video"])
    speed = next(m for m in content["materials"]["speeds"] if m["id"] in seg["extra_material_refs"])
    assert speed["speed"] == 2 and seg["clip"]["transform"] == {"x": 0.0, "y": 0.0}


@pytest.mark.parametrize("body, status, code, field", [
    ({"segment_id": "VIDEO2", "start": 500_000}, 409, 3004, "start"),
    ({"segment_id": "VIDEO", "duration": 3 * SEC}, 400, 1001, "duration"),
    ({"segment_id": "TEXT", "volume": 0.5}, 400, 2016, "volume"),
    ({"segment_id": "TEXT", "source_start": 5}, 400, 2016, "source_start"),
    ({"segment_id": "AUDIO", "transform_x": 5}, 400, 2016, "transform_x"),
    ({"segment_id": "f" * 32, "start": 0}, 404, 2015, "segment_id"),
    ({"segment_id": "VIDEO"}, 400, 1001, "give at least one field"),
    ({"segment_id": "VIDEO", "speed": 0}, 400, 1001, "speed"),
])
def test_bad_updates_change_nothing(api: httpx.Client, media: Any, body: dict[str, Any], status: int, code: int,
                                    field: str) -> None:
    url, ids = _scene(api, media)
    before = draft_content(api, url)
    body = {**body, "segment_id": ids.get(body["segment_id"].lower(), body["segment_id"])}
    data = call(api, "update_segment", {"draft_url": url, **body}, status=status, code=code)
    assert field in data["detail"], data
    assert draft_content(api, url) == before


def test_delete_segment_drops_its_own_materials(api: httpx.Client, media: Any) -> None:
    url, ids = _scene(api, media)
    data = call(api, "delete_segment", {"draft_url": url, "segment_id": ids["image"]})
    assert data["duration"] == 2 * SEC
    content = draft_content(api, url)
    assert ids["image"] not in {s["id"] for t in content["tracks"] for s in t["segments"]}
    assert not [m for m in content["materials"]["videos"] if m.get("type") == "photo"]
    files = httpx.get(url, timeout=10).json()["files"]
    assert not [f for f in files if f.endswith(".jpg")]  # the picture's file left the folder too
    assert [f for f in files if f.endswith(".mp4")]  # the videos' file stays
    call(api, "delete_segment", {"draft_url": url, "segment_id": ids["image"]}, status=404, code=2015)


def test_replace_material_keeps_timing(api: httpx.Client, media: Any) -> None:
    url, ids = _scene(api, media)
    data = call(api, "replace_material", {"draft_url": url, "segment_id": ids["image"],
                                          "url": media.url("image_blue.png")})
    assert (data["segment"]["start"], data["segment"]["end"]) == (3 * SEC, 4 * SEC)
    content = draft_content(api, url)
    material = next(m for m in content["materials"]["videos"] if m["id"] == data["material_id"])
    assert material["path"].endswith(".png") and (material["width"], material["height"]) == (320, 240)
    assert not [m for m in content["materials"]["videos"] if m.get("path", "").endswith(".jpg")]
    audio = call(api, "replace_material", {"draft_url": url, "segment_id": ids["audio"],
                                           "url": media.url("long_audio_30s.mp3")})
    assert audio["segment"]["duration"] == 2 * SEC
    before = draft_content(api, url)
    call(api, "replace_material", {"draft_url": url, "segment_id": ids["text"], "url": media.url("image.jpg")},
         status=400, code=2016)
    call(api, "replace_material", {"draft_url": url, "segment_id": ids["audio"], "url": media.url("image.jpg")},
         status=400, code=1001)
    data = call(api, "replace_material", {"draft_url": url, "segment_id": ids["video"],
                                          "url": media.url("missing.mp4")}, status=404, code=2005)
    assert data["detail"].startswith("url")
    assert draft_content(api, url) == before


def test_set_text_keeps_the_look_and_rehighlights(api: httpx.Client, media: Any) -> None:
    url, ids = _scene(api, media)
    call(api, "set_text", {"draft_url": url, "segment_id": ids["text"], "text": "🎉再见世界，世界", "keyword": "世界"})
    content = draft_content(api, url)
    material = next(m for m in content["materials"]["texts"]
                    if m["id"] == next(s for t in content["tracks"] for s in t["segments"]
                                       if s["id"] == ids["text"])["material_id"])
    body = json.loads(material["content"])
    assert body["text"] == "🎉再见世界，世界"
    assert [s["range"] for s in body["styles"]] == [[0, 4], [4, 6], [6, 7], [7, 9]]
    lit = [s for s in body["styles"] if s.get("useLetterColor")]
    assert [s["range"] for s in lit] == [[4, 6], [7, 9]]
    assert all(s["fill"]["content"]["solid"]["color"] == [0.0, 1.0, 0.0] for s in lit)  # its keyword colour kept
    assert all(s["size"] == 9 for s in body["styles"])  # and its size
    styles = [{"range": [0, 2], "size": 12, "fill": {"content": {"solid": {"color": [1, 0, 0]}}}}]
    call(api, "set_text", {"draft_url": url, "segment_id": ids["text"], "text": "ab", "styles": styles})
    bad = [{"range": [0, 5]}]
    data = call(api, "set_text", {"draft_url": url, "segment_id": ids["text"], "text": "ab", "styles": bad},
                status=400, code=1001)
    assert "styles[0].range" in data["detail"]
    call(api, "set_text", {"draft_url": url, "segment_id": ids["video"], "text": "x"}, status=400, code=2016)
