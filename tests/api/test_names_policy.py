"""Unknown catalog names (issue 7 §6): ignored with `warnings` by default, as capcut-mate
ignores them; 400 errors naming the field with `DRAFTCUT_STRICT_NAMES=true`."""

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
    with Server(Path(tmp_path_factory.mktemp("strict")), env={"DRAFTCUT_STRICT_NAMES": "true"}) as srv, \
            httpx.Client(base_url=srv.url, timeout=60) as client:
        yield client


def _refs(content: dict[str, Any], segment_id: str) -> list[str]:
    seg = next(s for t in content["tracks"] for s in t["segments"] if s["id"] == segment_id)
    return list(seg["extra_material_refs"])


def _kinds_of(content: dict[str, Any], refs: list[str]) -> set[str]:
    return {kind for kind, items in content["materials"].items() if isinstance(items, list)
            for m in items if isinstance(m, dict) and m.get("id") in refs}


def _video_body(media: Any, url: str, **item: Any) -> dict[str, Any]:
    return {"draft_url": url, "video_infos": json.dumps([
        {"video_url": media.url("video_red_2s.mp4"), "start": 0, "end": 1_000_000, **item},
        {"video_url": media.url("video_red_2s.mp4"), "start": 1_000_000, "end": 2_000_000, "transition": "叠化"}])}


def test_unknown_video_names_are_ignored_with_warnings(api: httpx.Client, media: Any) -> None:
    url = create_draft(api)
    data = call(api, "add_videos", _video_body(media, url, transition="叠画", mask="三角形"))
    warnings = {w["field"]: w for w in data["warnings"]}
    assert set(warnings) == {"video_infos[0].transition", "video_infos[0].mask"}
    assert warnings["video_infos[0].transition"]["name"] == "叠画"
    assert warnings["video_infos[0].transition"]["suggestions"][0] == "叠化"
    assert "did you mean: 叠化" in warnings["video_infos[0].transition"]["message"]
    content = draft_content(api, url)
    first, second = (_kinds_of(content, _refs(content, sid)) for sid in data["segment_ids"])
    assert "transitions" not in first and "masks" not in first and "common_mask" not in first
    assert "transitions" in second  # the known name in the same call is applied


def test_known_names_give_no_warnings_key(api: httpx.Client, media: Any) -> None:
    url = create_draft(api)
    data = call(api, "add_videos", _video_body(media, url, transition="dissolve", mask="圆形"))
    assert "warnings" not in data


def test_unknown_image_animation_and_transition(api: httpx.Client, media: Any) -> None:
    url = create_draft(api)
    data = call(api, "add_images", {"draft_url": url, "image_infos": [
        {"image_url": media.url("image_blue.png"), "start": 0, "end": 2_000_000, "in_animation": "no-such",
         "out_animation": "渐隐", "transition": "bogus"},
        {"image_url": media.url("image_blue.png"), "start": 2_000_000, "end": 3_000_000}]})
    assert [w["field"] for w in data["warnings"]] == ["image_infos[0].in_animation", "image_infos[0].transition"]
    content = draft_content(api, url)
    refs = _refs(content, data["segment_ids"][0])
    anims = next(m for m in content["materials"]["material_animations"] if m["id"] in refs)
    assert [a["type"] for a in anims["animations"]] == ["out"]
    assert "transitions" not in _kinds_of(content, refs)


def test_unknown_audio_effect(api: httpx.Client, media: Any) -> None:
    url = create_draft(api)
    data = call(api, "add_audios", {"draft_url": url, "audio_infos": [
        {"audio_url": media.url("audio_2s.mp3"), "start": 0, "end": 1_000_000, "audio_effect": "reverbb"}]})
    (warning,) = data["warnings"]
    assert warning["field"] == "audio_infos[0].audio_effect" and "超级混响" in warning["suggestions"]
    content = draft_content(api, url)
    assert "audio_effects" not in _kinds_of(content, _refs(content, data["segment_ids"][0]))


@pytest.mark.parametrize("endpoint, body, code, field", [
    ("add_videos", lambda m, u: _video_body(m, u, transition="叠画"), 3001, "video_infos[0].transition"),
    ("add_videos", lambda m, u: _video_body(m, u, mask="三角形"), 2025, "video_infos[0].mask"),
    ("add_images", lambda m, u: {"draft_url": u, "image_infos": [
        {"image_url": m.url("image_blue.png"), "start": 0, "end": 1_000_000, "out_animation": "no-such"}]},
     3002, "image_infos[0].out_animation"),
    ("add_audios", lambda m, u: {"draft_url": u, "audio_infos": [
        {"audio_url": m.url("audio_2s.mp3"), "start": 0, "end": 1_000_000, "audio_effect": "reverbb"}]},
     2022, "audio_infos[0].audio_effect"),
])
def test_strict_names_refuse_and_change_nothing(strict_api: httpx.Client, media: Any, endpoint: str,
                                                body: Any, code: int, field: str) -> None:
    url = create_draft(strict_api)
    before = draft_content(strict_api, url)
    data = call(strict_api, endpoint, body(media, url), status=400, code=code)
    assert data["detail"].startswith(field) and "unknown" in data["detail"]
    assert draft_content(strict_api, url) == before


def test_strict_error_carries_the_same_suggestions(strict_api: httpx.Client, media: Any) -> None:
    url = create_draft(strict_api)
    data = call(strict_api, "add_videos", _video_body(media, url, transition="叠画"), status=400, code=3001)
    assert "did you mean: 叠化" in data["detail"]
