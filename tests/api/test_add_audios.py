"""add_audios: the union of both seed variants, every field, every error."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from utils.server_fixtures import call, create_draft, draft_content


def _refs(content: dict[str, Any], seg: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [m for m in content["materials"][kind] if m["id"] in seg["extra_material_refs"]]


def seed_examples(u: Any) -> list[list[dict[str, Any]]]:
    a1, a2, a3 = u("audio_2s.mp3"), u("audio_3s.wav"), u("long_audio_30s.mp3")
    return [
        # English seed: request example, curl 1-3
        [{"audio_url": a1, "start": 0, "end": 5000000, "duration": 10000000, "volume": 1.0, "audio_effect": "reverb"}],
        [{"audio_url": a3, "start": 0, "end": 10000000, "duration": 15000000, "volume": 0.8}],
        [{"audio_url": a1, "start": 0, "end": 3000000, "duration": 5000000, "volume": 1.0},
         {"audio_url": a3, "start": 3000000, "end": 30000000, "duration": 35000000, "volume": 0.6}],
        [{"audio_url": a2, "start": 25000000, "end": 30000000, "duration": 8000000, "volume": 0.9,
          "audio_effect": "reverb"}],
        # Chinese seed: request example, curl 2-3, and the JS audioSequence / soundEffects objects
        [{"audio_url": a1, "start": 0, "end": 5000000, "duration": 10000000, "volume": 0.8, "fade_in": 1000000,
          "fade_out": 1000000}],
        [{"audio_url": a1, "start": 0, "end": 3000000, "duration": 5000000, "volume": 1.0, "fade_in": 500000},
         {"audio_url": a3, "start": 3000000, "end": 30000000, "duration": 35000000, "volume": 0.6}],
        [{"audio_url": a3, "start": 25000000, "end": 30000000, "duration": 8000000, "volume": 0.9,
          "fade_in": 1000000, "fade_out": 2000000}],
        [{"audio_url": a1, "start": 0, "end": 3000000, "duration": 5000000, "volume": 1.0, "fade_in": 500000},
         {"audio_url": a3, "start": 2000000, "end": 25000000, "duration": 30000000, "volume": 0.6},
         {"audio_url": a2, "start": 24000000, "end": 28000000, "duration": 6000000, "volume": 0.9,
          "fade_out": 1500000}],
        [{"audio_url": a2, "start": 5000000, "end": 8000000, "duration": 4000000, "volume": 0.7},
         {"audio_url": a1, "start": 12000000, "end": 13500000, "duration": 2000000, "volume": 0.5}],
    ]


@pytest.mark.parametrize("index", range(9))
def test_seed_examples_succeed(api: httpx.Client, media: Any, index: int) -> None:
    url = create_draft(api)
    items = seed_examples(media.url)[index]
    data = call(api, "add_audios", {"draft_url": url, "audio_infos": json.dumps(items)})
    assert data["draft_url"] == url and data["track_id"] and len(data["audio_ids"]) == len(items)
    content = draft_content(api, url)
    audio_tracks = [t for t in content["tracks"] if t["type"] == "audio"]
    assert sum(len(t["segments"]) for t in audio_tracks) == len(items)
    assert content["tracks"][-1]["type"] == "audio"


def test_fields_land_in_the_draft(api: httpx.Client, media: Any) -> None:
    url = create_draft(api)
    data = call(api, "add_audios", {"draft_url": url, "audio_infos": [
        {"audio_url": media.url("long_audio_30s.mp3"), "start": 1000000, "end": 4000000, "volume": 1.5,
         "fade_in": 500000, "fade_out": 700000, "audio_effect": "混响"}]})
    content = draft_content(api, url)
    seg = next(s for t in content["tracks"] for s in t["segments"] if s["material_id"] == data["audio_ids"][0])
    assert seg["target_timerange"] == {"start": 1000000, "duration": 3000000}
    assert seg["volume"] == 1.5 and seg["clip"] is None
    fade = _refs(content, seg, "audio_fades")[0]
    assert (fade["fade_in_duration"], fade["fade_out_duration"]) == (500000, 700000)
    effect = _refs(content, seg, "audio_effects")[0]
    assert effect["name"] == "超级混响" and effect["category_name"] == "场景音"
    material = content["materials"]["audios"][0]
    assert material["type"] == "extract_music" and abs(material["duration"] - 30_000_000) < 100_000
    assert data["segment_ids"] == [seg["id"]]


def test_short_audio_is_clipped(api: httpx.Client, media: Any) -> None:
    url = create_draft(api)
    data = call(api, "add_audios", {"draft_url": url, "audio_infos": [
        {"audio_url": media.url("audio_2s.mp3"), "start": 0, "end": 9000000}]})
    assert abs(data["segment_infos"][0]["end"] - 2_000_000) < 100_000


def error_cases(u: Any) -> list[tuple[dict[str, Any], int, int, str]]:
    a = u("audio_2s.mp3")
    item = {"audio_url": a, "start": 0, "end": 1000000}
    return [
        ({"audio_infos": "not json"}, 400, 2007, "audio_infos"),
        ({}, 400, 2007, "audio_infos"),
        ({"audio_infos": [{"start": 0, "end": 1}]}, 400, 2007, "audio_infos[0].audio_url"),
        ({"audio_infos": [{**item, "end": 0}]}, 400, 2007, "audio_infos[0]"),
        ({"audio_infos": [{**item, "volume": 2.5}]}, 400, 2007, "audio_infos[0].volume"),
        ({"audio_infos": [{**item, "volume": -0.1}]}, 400, 2007, "audio_infos[0].volume"),
        ({"audio_infos": [{**item, "fade_in": 600000, "fade_out": 600000}]}, 400, 2007, "audio_infos[0]"),
        ({"audio_infos": [{**item, "end": 5000000, "fade_in": 1500000, "fade_out": 1000000}]}, 400, 2007,
         "audio_infos[0].fade_out"),  # fits end-start, not the 2 s file
        ({"audio_infos": [{**item, "audio_url": u("video_blue_3s_silent.mp4")}]}, 400, 2007,
         "audio_infos[0].audio_url"),
        ({"audio_infos": [{**item, "audio_url": u("status/404")}]}, 404, 2005, "audio_infos[0].audio_url"),
        ({"audio_infos": [{**item, "audio_url": "file:///etc/passwd"}]}, 400, 2007, "audio_infos[0].audio_url"),
    ]


@pytest.mark.parametrize("case", range(11))
def test_errors_name_the_field_and_change_nothing(api: httpx.Client, media: Any, case: int) -> None:
    body, status, code, field = error_cases(media.url)[case]
    url = create_draft(api)
    before = draft_content(api, url)
    data = call(api, "add_audios", {"draft_url": url, **body}, status=status, code=code)
    assert field in data["detail"], data
    assert draft_content(api, url) == before
