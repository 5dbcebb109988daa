"""create_draft / get_draft / save_draft and the served draft folder."""

from __future__ import annotations

import httpx
import pytest
from utils.server_fixtures import API, call, create_draft, draft_content, draft_id


def test_create_draft_defaults_and_url_shape(api: httpx.Client, server) -> None:
    data = call(api, "create_draft", {})
    assert data["message"] == "成功"
    url = data["draft_url"]
    assert url.startswith(f"{server.url}{API}/get_draft?draft_id=")
    assert len(draft_id(url)) == 22 and draft_id(url)[:14].isdigit()
    assert "tip_url" in data
    content = draft_content(api, url)
    assert content["canvas_config"] == {"width": 1920, "height": 1080, "ratio": "original", "background": None}
    # one empty main track, not capcut-mate's two
    assert [(t["type"], t["name"], t["segments"]) for t in content["tracks"]] == [("video", "main_track", [])]


def test_create_draft_without_body_and_custom_size(api: httpx.Client) -> None:
    resp = api.post(f"{API}/create_draft")
    assert resp.status_code == 200 and resp.json()["code"] == 0
    url = create_draft(api, 1080, 1920)
    assert draft_content(api, url)["canvas_config"]["width"] == 1080


def test_get_draft_lists_absolute_urls_of_the_folder(api: httpx.Client, server) -> None:
    url = create_draft(api)
    resp = httpx.get(url, timeout=5)  # the draft_url itself is the get_draft call
    assert resp.status_code == 200 and resp.headers["content-type"] == "application/json"
    body = resp.json()
    assert body["code"] == 0
    did = draft_id(url)
    names = [f.split(f"/{did}/", 1)[1] for f in body["files"]]
    assert names[0] == "draft_content.json"
    assert {"draft_content.json", "draft_info.json", "draft_meta_info.json"} <= set(names)
    for file_url in body["files"]:
        assert file_url.startswith(server.url) and f"/{did}/" in file_url
        got = httpx.get(file_url, timeout=5)
        assert got.status_code == 200
        got.json()  # every file listed so far is JSON
    content = httpx.get(body["files"][0]).content
    assert httpx.get(body["files"][names.index("draft_info.json")]).content == content
    meta = httpx.get(body["files"][names.index("draft_meta_info.json")]).json()
    assert meta["draft_name"] == did and meta["tm_duration"] == 0 and meta["draft_id"]


def test_save_draft_echoes_url(api: httpx.Client) -> None:
    url = create_draft(api)
    assert call(api, "save_draft", {"draft_url": url})["draft_url"] == url


@pytest.mark.parametrize("bad", ["../../../../etc", "..%2F..%2Fetc", "2025092811473036584258/../x", "abc", "x" * 60])
def test_get_draft_refuses_malformed_ids(api: httpx.Client, bad: str) -> None:
    resp = api.get(f"{API}/get_draft", params={"draft_id": bad})
    assert resp.status_code in (400, 404), resp.text
    body = resp.json()
    assert body["code"] in (1001, 2001) and "files" not in body and "draft_id" in body["detail"]


def test_get_draft_unknown_id_is_404(api: httpx.Client) -> None:
    resp = api.get(f"{API}/get_draft", params={"draft_id": "20990101000000deadbeef"})
    assert resp.status_code == 404
    assert resp.json()["code"] == 2001 and "20990101000000deadbeef" in resp.json()["detail"]


def test_save_draft_unknown_and_malformed(api: httpx.Client) -> None:
    call(api, "save_draft", {"draft_url": f"http://x{API}/get_draft?draft_id=20990101000000deadbeef"},
         status=404, code=2001)
    data = call(api, "save_draft", {"draft_url": "http://x/get_draft?id=1"}, status=400, code=2001)
    assert "draft_url" in data["detail"]
    data = call(api, "save_draft", {}, status=400, code=1001)
    assert "draft_url" in data["detail"]


@pytest.mark.parametrize("path", ["../draftcut.sqlite3", "..%2F..%2Fdraftcut.sqlite3", "assets/../../x",
                                  "assets/videos/nothing.mp4"])
def test_file_route_refuses_traversal_and_unknown(api: httpx.Client, path: str) -> None:
    did = draft_id(create_draft(api))
    resp = api.get(f"/output/draft/{did}/{path}", follow_redirects=True)
    assert resp.status_code == 404 and b"SQLite" not in resp.content


def test_english_messages_and_envelope_for_http_errors(api: httpx.Client) -> None:
    data = call(api, "create_draft", {"width": 0}, status=400, code=1001,
                headers={"Accept-Language": "en-US,en;q=0.9"})
    assert data["message"].startswith("Parameter validation failed(") and "width" in data["message"]
    assert "width" in data["detail"]
    resp = api.get(f"{API}/add_videos")
    assert resp.status_code == 405 and resp.json()["code"] == 405
    resp = api.post(f"{API}/no_such_endpoint", json={})
    assert resp.status_code == 404 and resp.json()["code"] == 404


def test_malformed_json_body(api: httpx.Client) -> None:
    resp = api.post(f"{API}/add_videos", content=b"{not json", headers={"content-type": "application/json"})
    assert resp.status_code == 400
    assert resp.json()["code"] in (1001, 2003) and "JSON" in resp.json()["detail"]


def test_http_200_mode_matches_capcut_mate(tmp_path) -> None:
    from utils.server_fixtures import Server

    with Server(tmp_path, env={"DRAFTCUT_ERRORS_HTTP_200": "true"}) as srv:
        resp = httpx.post(f"{srv.url}{API}/save_draft",
                          json={"draft_url": "http://x/?draft_id=20990101000000deadbeef"})
        assert resp.status_code == 200 and resp.json()["code"] == 2001
