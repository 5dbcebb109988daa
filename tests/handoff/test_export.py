"""`GET export_draft`: the whole draft folder as one zip that opens on any machine."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from utils.server_fixtures import API, Server, call, create_draft, draft_content, draft_id

from draftcut.draft.folder import DRAFT_PATH_PLACEHOLDER, JSON_FILES
from draftcut.render.read.paths import MediaResolver


def _built_draft(api: httpx.Client, media: Any) -> str:
    url = create_draft(api, 640, 360)
    call(api, "add_videos", {"draft_url": url, "video_infos": json.dumps([
        {"video_url": media.url("video_red_2s.mp4"), "start": 0, "end": 1_000_000}])})
    call(api, "add_audios", {"draft_url": url, "audio_infos": [
        {"audio_url": media.url("audio_2s.mp3"), "start": 0, "end": 1_000_000}]})
    call(api, "add_images", {"draft_url": url, "image_infos": [
        {"image_url": media.url("image_blue.png"), "start": 0, "end": 1_000_000}]})
    return url


def _export(api: httpx.Client, did: str) -> zipfile.ZipFile:
    resp = api.get(f"{API}/export_draft", params={"draft_id": did})
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"] == "application/zip"
    assert f'filename="{did}.zip"' in resp.headers["content-disposition"]
    return zipfile.ZipFile(io.BytesIO(resp.content))


def test_export_zip_is_the_folder_with_portable_paths(api: httpx.Client, media: Any, media_dir: Path,
                                                      tmp_path: Path) -> None:
    url = _built_draft(api, media)
    did = draft_id(url)
    served = httpx.get(url).json()["files"]
    archive = _export(api, did)
    names = archive.namelist()
    # the folder's layout under one top folder named like the draft, exactly get_draft's files
    assert all(n.startswith(f"{did}/") for n in names)
    assert {n.split("/", 1)[1] for n in names} == {f.split(f"/{did}/", 1)[1] for f in served}
    assert set(JSON_FILES) <= {n.split("/", 1)[1] for n in names}
    # media bytes are the served ones; media are stored, JSON deflated
    for info in archive.infolist():
        rel = info.filename.split("/", 1)[1]
        if rel.startswith("assets/"):
            assert info.compress_type == zipfile.ZIP_STORED
            assert archive.read(info) == httpx.get(f"{api.base_url}/output/draft/{did}/{rel}").content
        else:
            assert info.compress_type == zipfile.ZIP_DEFLATED
    content = json.loads(archive.read(f"{did}/draft_content.json"))
    assert archive.read(f"{did}/draft_info.json") == archive.read(f"{did}/draft_content.json")
    # every media path is relative to the folder (the apps' placeholder), nothing points at the server
    paths = [m["path"] for kind in ("videos", "audios") for m in content["materials"][kind]]
    assert len(paths) == 3 and all(p.startswith(f"{DRAFT_PATH_PLACEHOLDER}/assets/") for p in paths)
    assert "/app/output" not in json.dumps(content)
    meta = json.loads(archive.read(f"{did}/draft_meta_info.json"))
    assert meta["draft_name"] == did
    media_bin = next(m for m in meta["draft_materials"] if m["type"] == 0)["value"]
    assert sorted(e["file_Path"] for e in media_bin) == sorted(set(paths))
    # the rest of the timeline is what the server stores
    stored = draft_content(api, url)
    for kind in ("videos", "audios"):
        for ours, theirs in zip(stored["materials"][kind], content["materials"][kind], strict=True):
            assert {k: v for k, v in ours.items() if k != "path"} == {k: v for k, v in theirs.items() if k != "path"}
    assert stored["tracks"] == content["tracks"]
    # unzipped anywhere, every material resolves to a file inside the folder
    archive.extractall(tmp_path)
    folder = tmp_path / did
    resolve = MediaResolver(folder)
    for kind in ("videos", "audios"):
        for material in content["materials"][kind]:
            path = resolve(material)
            assert path.is_relative_to(folder.resolve()) and path.stat().st_size > 0
    assert (folder / "assets" / "images").is_dir() and (media_dir / "image_blue.png").exists()


def test_export_of_unknown_and_malformed_ids(api: httpx.Client) -> None:
    resp = api.get(f"{API}/export_draft", params={"draft_id": "20260101000000deadbeef"})
    assert resp.status_code == 404 and resp.json()["code"] == 2001
    resp = api.get(f"{API}/export_draft", params={"draft_id": "../../etc/passwd"})
    assert resp.status_code == 400 and resp.json()["code"] == 2001 and "draft_id" in resp.json()["detail"]
    resp = api.get(f"{API}/export_draft")
    assert resp.status_code == 400 and resp.json()["code"] == 1001


def test_export_names_a_media_file_gone_from_storage(tmp_path: Path, media: Any, media_dir: Path) -> None:
    # a server of its own: the media store is content-addressed and shared by the session's drafts
    picture = media_dir / "export_gone.png"
    Image.new("RGB", (32, 32), (12, 34, 56)).save(picture)
    with Server(tmp_path / "data") as srv, httpx.Client(base_url=srv.url, timeout=30) as client:
        url = create_draft(client)
        call(client, "add_images", {"draft_url": url, "image_infos": [
            {"image_url": media.url("export_gone.png"), "start": 0, "end": 1_000_000}]})
        blobs = [p for p in (srv.data_dir / "blobs").rglob("*") if p.is_file()
                 and p.read_bytes() == picture.read_bytes()]
        assert len(blobs) == 1
        blobs[0].unlink()
        resp = client.get(f"{API}/export_draft", params={"draft_id": draft_id(url)})
        body = resp.json()
        assert resp.status_code == 410 and body["code"] == 3006 and "assets/images/" in body["detail"], body
        # nothing is left behind in the scratch area by the failed export
        assert not [p for p in (srv.data_dir / "blobs" / ".tmp").rglob("*.zip")]


@pytest.mark.parametrize("app", ["jianying", "capcut"])
def test_exported_platform_follows_the_profile(api: httpx.Client, app: str) -> None:
    url = call(api, "create_draft", {"width": 320, "height": 240, "app": app})["draft_url"]
    archive = _export(api, draft_id(url))
    source = {"jianying": "lv", "capcut": "cc"}[app]
    for name in ("draft_content.json", "draft_info.json", "template.tmp"):
        content = json.loads(archive.read(f"{draft_id(url)}/{name}"))
        assert content["platform"]["app_source"] == content["last_modified_platform"]["app_source"] == source
    # the meta carries what newer apps write too (draft-format.md §1.4)
    meta = json.loads(archive.read(f"{draft_id(url)}/draft_meta_info.json"))
    assert meta["tm_draft_cloud_entry_id"] == -1 and meta["draft_need_rename_folder"] is False
    assert meta["tm_draft_create"] > 1_700_000_000_000_000


def test_served_media_bin_is_folder_relative(api: httpx.Client, media: Any) -> None:
    """capcut-mate's desktop client rewrites material paths, not draft_meta_info.json: the media bin must
    be right wherever the folder lands, so it is in the placeholder form in the served folder too."""
    url = _built_draft(api, media)
    did = draft_id(url)
    meta = api.get(f"/output/draft/{did}/draft_meta_info.json").json()
    media_bin = next(m for m in meta["draft_materials"] if m["type"] == 0)["value"]
    listed = {f.split(f"/{did}/", 1)[1] for f in httpx.get(url).json()["files"] if "/assets/" in f}
    assert {e["file_Path"] for e in media_bin} == {f"{DRAFT_PATH_PLACEHOLDER}/{rel}" for rel in listed}
    # the timeline's own paths keep the server form both clients rewrite
    content = draft_content(api, url)
    assert all(f"/{did}/assets/" in m["path"] for m in content["materials"]["videos"])
