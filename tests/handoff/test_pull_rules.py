"""The pure parts of `draftcut pull`: path rules, the app's index, finding the drafts root, the app probe."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path, PureWindowsPath
from typing import Any

import pytest

from draftcut.handoff.app_index import IndexUnreadable, id_taken, index_entry, load_index, running_apps, upsert
from draftcut.handoff.drafts_root import find_drafts_root
from draftcut.handoff.localize import (
    HandoffError,
    draft_id_from_url,
    file_relpath,
    localize_content,
    localize_meta,
    media_relpath,
    remote_media,
)

DID = "20260101120000abcdef12"
URL = f"https://cut.example.com/openapi/capcut-mate/v1/get_draft?draft_id={DID}"
PH = "##_draftpath_placeholder_0E685133-18CE-45ED-8CB8-2904A212EC80_##"


def test_draft_id_and_file_paths() -> None:
    assert draft_id_from_url(URL) == DID
    for bad in ("ftp://h/x?draft_id=abc", "https://h/x", "https://h/x?draft_id=a/b", "https://h/x?draft_id=.."):
        with pytest.raises(HandoffError):
            draft_id_from_url(bad)
    base = f"https://cut.example.com/output/draft/{DID}"
    assert file_relpath(f"{base}/assets/videos/a%20b.mp4", URL, DID) == "assets/videos/a b.mp4"
    assert file_relpath(f"https://CUT.example.com:8443/x/{DID}/draft_info.json", URL, DID) == "draft_info.json"
    for bad in (f"{base}/../x", f"{base}/a/%2E%2E/x", f"{base}//x", f"{base}/a%5Cb", f"{base}/a:b",
                "https://cut.example.com/output/draft/other/x", f"https://evil.example/{DID}/x", f"file:///{DID}/x"):
        with pytest.raises(HandoffError):
            file_relpath(bad, URL, DID)


def test_localize_content_rewrites_both_forms_at_any_depth() -> None:
    folder = Path("/home/u/Movies/CapCut/User Data/Projects/com.lveditor.draft") / DID
    content: dict[str, Any] = {"duration": 5, "materials": {
        "videos": [{"path": f"/app/output/draft/{DID}/assets/videos/a.mp4", "type": "video"},
                   {"path": "https://cdn.example/p?id=1", "type": "photo", "material_name": "cover.png"}],
        "audios": [{"path": f"{PH}/assets/audios/b.mp3"}],
        "stickers": [{"deep": [{"path": f"D:\\data\\{DID}\\assets\\x.png"}]}],
        "texts": [{"path": ""}, {"path": "/elsewhere/c.mp4"}, {"path": f"/s/{DID}/../../etc/passwd"}],
    }, "tracks": [{"path": f"/app/output/draft/{DID}/not-a-material"}]}
    (remote,) = remote_media(content)
    assert remote.subdir == "images" and remote.stem == "cover"
    rel = media_relpath(remote, "image/png; charset=binary")
    assert rel.startswith("assets/images/cover-") and rel.endswith(".png")
    assert media_relpath(remote, "image/jpeg") != rel  # no URL extension: the server's type decides
    out, kept = localize_content(content, DID, folder, {remote.url: rel})
    m = out["materials"]
    assert m["videos"][0]["path"] == f"{folder.as_posix()}/assets/videos/a.mp4"
    assert m["videos"][1]["path"] == f"{folder.as_posix()}/{rel}"
    assert m["audios"][0]["path"] == f"{folder.as_posix()}/assets/audios/b.mp3"
    assert m["stickers"][0]["deep"][0]["path"] == f"{folder.as_posix()}/assets/x.png"
    assert kept == ["/elsewhere/c.mp4", f"/s/{DID}/../../etc/passwd"]
    assert m["texts"][1:] == content["materials"]["texts"][1:] and out["tracks"] == content["tracks"]
    assert content["materials"]["videos"][0]["path"].startswith("/app/")  # the input is not changed


def test_windows_paths_use_forward_slashes() -> None:
    root = PureWindowsPath(r"C:\Users\u\AppData\Local\CapCut\User Data\Projects\com.lveditor.draft")
    content = {"materials": {"videos": [{"path": f"/app/output/draft/{DID}/assets/videos/a.mp4"}]}}
    out, _ = localize_content(content, DID, root / DID, {})
    expected = f"C:/Users/u/AppData/Local/CapCut/User Data/Projects/com.lveditor.draft/{DID}/assets/videos/a.mp4"
    assert out["materials"]["videos"][0]["path"] == expected
    entry = index_entry(folder=root / DID, root=root, os_name="windows", meta={}, content={}, materials_size=0)
    assert entry["draft_json_file"] == expected.split("/assets/")[0] + "/draft_content.json"


def test_localize_meta_keeps_other_fields() -> None:
    root = Path("/r")
    meta = {"draft_name": "stale", "draft_id": "X", "tm_duration": 7, "draft_materials": [
        {"type": 0, "value": [{"file_Path": f"/app/output/draft/{DID}/assets/a.mp4", "extra_info": "a.mp4"},
                              {"file_Path": "/other/place.mp4"}]}, {"type": 1, "value": [{"file_Path": "/k"}]}]}
    out = localize_meta(meta, DID, root / DID, root, {})
    assert (out["draft_name"], out["draft_fold_path"], out["draft_root_path"]) == (DID, f"/r/{DID}", "/r")
    assert out["draft_materials"][0]["value"][0]["file_Path"] == f"/r/{DID}/assets/a.mp4"
    assert out["draft_materials"][0]["value"][1] == {"file_Path": "/other/place.mp4"}
    assert out["draft_materials"][1] == meta["draft_materials"][1]
    assert {k: out[k] for k in ("draft_id", "tm_duration")} == {"draft_id": "X", "tm_duration": 7}


def test_index_upsert_and_load(tmp_path: Path) -> None:
    root = tmp_path
    other = {"draft_fold_path": "C:\\x\\a", "draft_name": "a", "draft_id": "ID", "weird": [1.5, {"z": None}]}
    entry = index_entry(folder=root / DID, root=root, os_name="windows", meta={"draft_id": "ID2"},
                        content={"duration": 9, "new_version": "110.0.0"}, materials_size=3, now_us=42)
    assert entry["draft_json_file"].endswith("/draft_content.json") and entry["tm_draft_create"] == 42
    first = upsert({"all_draft_store": [other], "draft_ids": 3}, entry, root)
    again = upsert(first, {**entry, "tm_duration": 10}, root)
    assert again["all_draft_store"] == [other, {**entry, "tm_duration": 10}] and again["draft_ids"] == 4
    assert upsert(None, entry, root) == {"all_draft_store": [entry], "draft_ids": 1, "root_path": root.as_posix()}
    assert id_taken(again, "ID", root / DID) and not id_taken(again, "ID2", root / DID)
    path = root / "root_meta_info.json"
    assert load_index(path) is None
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(first).encode())  # a BOM, as Windows tools write
    assert load_index(path) == first
    for bad in (b"[]", b"{", b'{"all_draft_store": 3}'):
        path.write_bytes(bad)
        with pytest.raises(IndexUnreadable):
            load_index(path)


def test_find_drafts_root(tmp_path: Path) -> None:
    home = tmp_path
    env = {"HOME": str(home)}
    tail = ("User Data", "Projects", "com.lveditor.draft")
    plain = home.joinpath("Movies", "JianyingPro", *tail)
    boxed = home.joinpath("Library", "Containers", "com.lemon.lvpro", "Data", "Movies", "JianyingPro", *tail)
    with pytest.raises(HandoffError, match="no Jianying or CapCut drafts folder"):
        find_drafts_root("macos", env)
    plain.mkdir(parents=True)
    boxed.mkdir(parents=True)
    with pytest.raises(HandoffError, match="several"):
        find_drafts_root("macos", env)
    (boxed / ".recycle_bin").mkdir()  # the one the app uses
    assert find_drafts_root("macos", env).path == boxed
    capcut = home.joinpath("Movies", "CapCut", *tail)
    capcut.mkdir(parents=True)
    with pytest.raises(HandoffError, match="--app"):
        find_drafts_root("macos", env)
    assert find_drafts_root("macos", env, "capcut").path == capcut
    local = home / "AppData" / "Local"
    local.joinpath("CapCut", *tail).mkdir(parents=True)
    found = find_drafts_root("windows", {"LOCALAPPDATA": str(local)})
    assert (found.app, found.path) == ("capcut", local.joinpath("CapCut", *tail))
    with pytest.raises(HandoffError, match="--to"):
        find_drafts_root("linux", env)


def test_running_apps_probe() -> None:
    def tasklist(cmd: list[str]) -> subprocess.CompletedProcess[str]:
        out = '"System","4","Services","0","1 K"\n"CapCut.exe","77","Console","1","300 K"\n'
        return subprocess.CompletedProcess(cmd, 0, out, "")

    def pgrep(cmd: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(cmd, 0 if cmd[-1] == "VideoFusion-macOS" else 1, "", "")

    def missing(cmd: list[str]) -> subprocess.CompletedProcess[str]:
        raise FileNotFoundError(cmd[0])

    assert running_apps("windows", tasklist) == {"capcut"}
    assert running_apps("macos", pgrep) == {"jianying"}
    assert running_apps("windows", missing) == set() and running_apps("linux", missing) == set()
