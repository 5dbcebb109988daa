"""`create_draft`'s `app`: a draft written for Jianying or for CapCut, resolved against that app's catalogs."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from utils.render_jobs import render_draft
from utils.server_fixtures import CREATED_DRAFTS, call, draft_content

from draftcut.draft.catalog import get_catalog


def _create(api: httpx.Client, **body: Any) -> dict[str, Any]:
    data = call(api, "create_draft", {"width": 640, "height": 360, **body})
    CREATED_DRAFTS.append(data["draft_url"])
    return data


@pytest.mark.parametrize(("given", "app", "source", "app_id"), [
    (None, "jianying", "lv", 3704),
    ("", "jianying", "lv", 3704),          # Coze sends "" for an unset field
    ("jianying", "jianying", "lv", 3704),
    ("剪映", "jianying", "lv", 3704),
    ("capcut", "capcut", "cc", 359289),
    ("CapCut", "capcut", "cc", 359289),
    ("cc", "capcut", "cc", 359289),
])
def test_platform_fields_follow_the_app(api: httpx.Client, given: str | None, app: str, source: str,
                                        app_id: int) -> None:
    data = _create(api, **({} if given is None else {"app": given}))
    assert data["app"] == app
    content = draft_content(api, data["draft_url"])
    for key in ("platform", "last_modified_platform"):
        assert content[key]["app_source"] == source and content[key]["app_id"] == app_id
    assert content["new_version"] == "110.0.0"


def test_unknown_app_is_refused_naming_the_field(api: httpx.Client) -> None:
    data = call(api, "create_draft", {"app": "premiere"}, status=400, code=1001)
    assert "app" in data["detail"] and "capcut" in data["detail"]
    data = call(api, "create_draft", {"app": 7}, status=400, code=1001)
    assert "app" in data["detail"]


def _transition(api: httpx.Client, media: Any, app: str, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    url = _create(api, app=app)["draft_url"]
    infos = [{"video_url": media.url("video_red_2s.mp4"), "start": i * 1_000_000, "end": (i + 1) * 1_000_000,
              "transition": name, "transition_duration": 300_000} for i in range(2)]
    data = call(api, "add_videos", {"draft_url": url, "video_infos": json.dumps(infos)})
    transitions = draft_content(api, url)["materials"]["transitions"]
    return data, (transitions[0] if transitions else {})


def test_names_resolve_against_the_drafts_app(api: httpx.Client, media: Any) -> None:
    jianying = get_catalog("transitions").lookup("叠化")
    capcut_catalog = get_catalog("transitions", "capcut")
    _, jy = _transition(api, media, "jianying", "叠化")
    assert jy["name"] == "叠化" and jy["resource_id"] == jianying.resource_id
    # CapCut's own English name works on a CapCut draft, and writes CapCut's resource
    entry = next(e for e in capcut_catalog if e.resource_id == jianying.resource_id)
    data, cc = _transition(api, media, "capcut", entry.name)
    assert "warnings" not in data and cc["name"] == entry.name and cc["resource_id"] == entry.resource_id
    # a Jianying name on a CapCut draft means the CapCut entry of the same resource
    data, cc = _transition(api, media, "capcut", "叠化")
    assert "warnings" not in data and cc["name"] == entry.name
    # a name only CapCut has is unknown to a Jianying draft: ignored with a warning, as capcut-mate does
    only_capcut = next(e for e in capcut_catalog if get_catalog("transitions").find(e.name) is None
                       and not any(j.resource_id == e.resource_id for j in get_catalog("transitions")))
    data, jy = _transition(api, media, "jianying", only_capcut.name)
    assert jy == {} and data["warnings"][0]["name"] == only_capcut.name


def test_capcut_names_render_as_their_jianying_twins(api: httpx.Client, media: Any) -> None:
    """CapCut's `Clock wipe` and `Zoom 2` are Jianying's 圆形扫描 and 动感放大 (same resource ids): drawn as such."""
    url = call(api, "create_draft", {"width": 160, "height": 90, "app": "capcut"})["draft_url"]
    CREATED_DRAFTS.append(url)
    infos = [{"video_url": media.url("video_red_2s.mp4"), "start": 0, "end": 1_000_000,
              "transition": "Clock wipe", "transition_duration": 400_000, "in_animation": "Zoom 2"},
             {"video_url": media.url("video_blue_3s_silent.mp4"), "start": 1_000_000, "end": 2_000_000}]
    data = call(api, "add_videos", {"draft_url": url, "video_infos": json.dumps(infos)})
    assert "warnings" not in data
    content = draft_content(api, url)
    assert content["materials"]["transitions"][0]["name"] == "Clock wipe"
    status = render_draft(api, url)
    assert status["status"] == "completed", status
    notes = [u for u in status["unsupported"] if u["segment_id"] in data["segment_ids"]]
    assert not [u for u in notes if u["feature"] in ("transition", "animation")], notes


def test_catalog_lists_capcut_names_for_capcut(api: httpx.Client) -> None:
    capcut = call(api, "catalog", {"kind": "transitions", "query": "clock", "app": "capcut"})
    assert [i["name"] for i in capcut["items"]][:1] == ["Clock wipe"]
    # an English alias of a Jianying name finds CapCut's entry of the same resource
    mix = call(api, "catalog", {"kind": "transitions", "query": "叠化", "app": "capcut"})["items"]
    assert mix and mix[0]["name"] == "Mix"
    jianying = call(api, "catalog", {"kind": "transitions", "query": "clock"})
    assert "Clock wipe" not in [i["name"] for i in jianying["items"]]
    # kinds CapCut has no list of are Jianying's
    fonts = call(api, "catalog", {"kind": "fonts", "page_size": 1, "app": "capcut"})
    assert fonts["total"] == call(api, "catalog", {"kind": "fonts", "page_size": 1})["total"]
    call(api, "catalog", {"kind": "fonts", "app": "avid"}, status=400, code=1001)
