"""`draftcut pull`: a draft built over the real API lands in a fake Jianying/CapCut home, ready to open.

The command runs as a subprocess, as users run it, with HOME / LOCALAPPDATA
pointing at a temporary home laid out like each app on each OS. Misbehaving
servers (dropped connections, hostile file lists, stale answers) are real HTTP
servers too: `MediaServer` serving a mirror of a real draft.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import httpx
import pytest
from utils.http_server import MediaServer
from utils.server_fixtures import call, create_draft, draft_id

from draftcut.handoff.pull import PullRequest, pull

TAIL = ("User Data", "Projects", "com.lveditor.draft")
PLACEHOLDER = "##_draftpath_placeholder_0E685133-18CE-45ED-8CB8-2904A212EC80_##"
GET_DRAFT = "/openapi/capcut-mate/v1/get_draft"

# The app's own entry for another draft, as CapCut writes it (odd keys, unicode, floats): must survive as is.
OTHER_ENTRY: dict[str, Any] = {
    "cloud_entry_id": -1, "draft_cloud_last_action_download": False, "draft_cover": "C:/x/草稿/draft_cover.jpg",
    "draft_fold_path": "C:/x/草稿", "draft_id": "11111111-2222-3333-4444-555555555555",
    "draft_json_file": "C:/x/草稿/draft_content.json", "draft_name": "草稿", "draft_timeline_materials_size_": 12,
    "tm_draft_create": 1700000000000000, "tm_duration": 5000000, "ratio": 0.5625, "nested": {"a": [1, 2.5, None]},
}


def _root_for(home: Path, app: str, os_name: str) -> Path:
    if os_name == "windows":
        return home.joinpath("AppData", "Local", "JianyingPro" if app == "jianying" else "CapCut", *TAIL)
    if app == "jianying":  # the sandboxed (Mac App Store) layout
        return home.joinpath("Library", "Containers", "com.lemon.lvpro", "Data", "Movies", "JianyingPro", *TAIL)
    return home.joinpath("Movies", "CapCut", *TAIL)


def run_pull(home: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRAFTCUT_")}
    env.update({"HOME": str(home), "LOCALAPPDATA": str(home / "AppData" / "Local")})
    return subprocess.run([sys.executable, "-m", "draftcut", "pull", *args], env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)


def _error_line(proc: subprocess.CompletedProcess[str]) -> str:
    """The command failed the way users should see it: exit 1, one line, no traceback."""
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("draftcut pull: error:")]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def _walk_paths(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "path" and isinstance(value, str):
                yield value
            else:
                yield from _walk_paths(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk_paths(item)


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_openable(folder: Path, root: Path, *, media_count: int) -> dict[str, Any]:
    """What the app needs: both timeline files, every material and media-bin path an existing file in the folder."""
    content_bytes = (folder / "draft_content.json").read_bytes()
    assert (folder / "draft_info.json").read_bytes() == content_bytes
    content = json.loads(content_bytes)
    paths = [p for p in _walk_paths(content["materials"]) if p]
    assert len(paths) >= media_count
    for path in paths:
        assert Path(path).is_absolute() and Path(path).is_file(), path
        assert Path(path).resolve().is_relative_to(folder.resolve()), path
    meta = json.loads((folder / "draft_meta_info.json").read_bytes())
    assert meta["draft_name"] == folder.name
    assert meta["draft_fold_path"] == folder.as_posix()
    assert meta["draft_root_path"] == root.as_posix()
    media_bin = next(m for m in meta["draft_materials"] if m["type"] == 0)["value"]
    assert len(media_bin) == media_count
    for item in media_bin:
        assert Path(item["file_Path"]).is_file() and item["file_Path"].startswith(folder.as_posix() + "/")
        assert item["file_Path"].endswith("/" + item["extra_info"])
    return content


@pytest.fixture(scope="module")
def built(api: httpx.Client, media: Any) -> str:
    """A draft with a video, an audio and an image, built through the HTTP API (small media)."""
    url = create_draft(api, 640, 360)
    call(api, "add_videos", {"draft_url": url, "video_infos": [
        {"video_url": media.url("video_red_2s.mp4"), "start": 0, "end": 1_000_000}]})
    call(api, "add_audios", {"draft_url": url, "audio_infos": [
        {"audio_url": media.url("audio_2s.mp3"), "start": 0, "end": 1_000_000}]})
    call(api, "add_images", {"draft_url": url, "image_infos": [
        {"image_url": media.url("image_blue.png"), "start": 1_000_000, "end": 2_000_000}]})
    return url


def _listing(url: str) -> dict[str, str]:
    did = draft_id(url)
    return {f.split(f"/{did}/", 1)[1]: f for f in httpx.get(url).json()["files"]}


@pytest.mark.parametrize(("app", "os_name"), [("jianying", "windows"), ("capcut", "windows"),
                                              ("jianying", "macos"), ("capcut", "macos")])
def test_pull_into_each_app_and_os(built: str, tmp_path: Path, app: str, os_name: str) -> None:
    home = tmp_path / "home"
    root = _root_for(home, app, os_name)
    other = root / "My old draft"
    other.mkdir(parents=True)
    (other / "draft_content.json").write_bytes(b'{"keep":"me"}')
    index_before = {"all_draft_store": [OTHER_ENTRY], "draft_ids": 7, "root_path": "C:/x", "extra": {"k": 1}}
    (root / "root_meta_info.json").write_text(json.dumps(index_before, ensure_ascii=False), encoding="utf-8")
    did = draft_id(built)

    proc = run_pull(home, built, "--os", os_name)

    assert proc.returncode == 0, proc.stderr
    folder = root / did
    assert proc.stdout.strip() == str(folder)
    assert f"pulled draft {did}" in proc.stderr  # the final line, though stderr is not a terminal
    assert sorted(os.listdir(root)) == sorted(["My old draft", "root_meta_info.json", did])
    assert _tree(other) == {"draft_content.json": b'{"keep":"me"}'}
    listed = _listing(built)
    pulled = _tree(folder)
    assert set(listed) <= set(pulled)
    for rel, url in listed.items():
        if rel.startswith("assets/"):  # media byte for byte; JSON is rewritten
            assert pulled[rel] == httpx.get(url).content, rel
    content = assert_openable(folder, root, media_count=3)

    index = json.loads((root / "root_meta_info.json").read_bytes())
    assert index["all_draft_store"][0] == OTHER_ENTRY
    assert {k: index[k] for k in ("root_path", "extra")} == {"root_path": "C:/x", "extra": {"k": 1}}
    assert index["draft_ids"] == 8
    (entry,) = [e for e in index["all_draft_store"] if e["draft_name"] == did]
    timeline = "draft_info.json" if os_name == "macos" else "draft_content.json"
    meta = json.loads((folder / "draft_meta_info.json").read_bytes())
    assert entry["draft_json_file"] == (folder / timeline).as_posix()
    assert entry["draft_fold_path"] == folder.as_posix() and entry["draft_root_path"] == root.as_posix()
    assert entry["draft_id"] == meta["draft_id"] and entry["tm_duration"] == content["duration"]
    assert entry["streaming_edit_draft_ready"] is True and entry["tm_draft_removed"] == 0
    assert entry["draft_timeline_materials_size"] == sum(len(b) for r, b in pulled.items() if r.startswith("assets/"))
    assert entry["draft_cover"] == (folder / "draft_cover.jpg").as_posix()


def test_resume_truncated_part_and_finished_file(built: str, tmp_path: Path) -> None:
    """What a failed run left (half a file, a finished file) is completed, not fetched again from zero."""
    home = tmp_path / "home"
    root = _root_for(home, "capcut", "windows")
    root.mkdir(parents=True)
    did = draft_id(built)
    listed = _listing(built)
    video = next(r for r in listed if r.startswith("assets/videos/"))
    audio = next(r for r in listed if r.startswith("assets/audios/"))
    staging = root / f".draftcut-pull-{did}"
    original = httpx.get(listed[video]).content
    (staging / video).parent.mkdir(parents=True)
    (staging / f"{video}.part").write_bytes(original[: len(original) // 3])
    (staging / audio).parent.mkdir(parents=True)
    (staging / audio).write_bytes(httpx.get(listed[audio]).content)
    (staging / "stale-from-an-older-version.bin").write_bytes(b"x")

    proc = run_pull(home, built, "--os", "windows")

    assert proc.returncode == 0, proc.stderr
    folder = root / did
    assert (folder / video).read_bytes() == original
    assert (folder / audio).read_bytes() == httpx.get(listed[audio]).content
    assert not (folder / "stale-from-an-older-version.bin").exists()
    assert not [p for p in folder.rglob("*.part*")]
    assert sorted(os.listdir(root)) == sorted([did, "root_meta_info.json"])
    assert_openable(folder, root, media_count=3)


def test_repull_replaces_the_folder(built: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    root = _root_for(home, "jianying", "macos")
    root.mkdir(parents=True)
    did = draft_id(built)
    assert run_pull(home, built, "--os", "macos").returncode == 0
    (root / did / "edited-in-the-app.txt").write_text("old")
    (root / did / "draft_content.json").write_text("{}")

    proc = run_pull(home, built, "--os", "macos", "--quiet")

    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert not (root / did / "edited-in-the-app.txt").exists()
    assert_openable(root / did, root, media_count=3)
    assert sorted(os.listdir(root)) == sorted([did, "root_meta_info.json"])
    index = json.loads((root / "root_meta_info.json").read_bytes())
    assert [e["draft_name"] for e in index["all_draft_store"]] == [did]
    assert index["draft_ids"] == 1


def test_two_apps_need_app_or_to(built: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    jianying, capcut = _root_for(home, "jianying", "windows"), _root_for(home, "capcut", "windows")
    jianying.mkdir(parents=True)
    capcut.mkdir(parents=True)

    line = _error_line(run_pull(home, built, "--os", "windows"))
    assert "--app" in line and str(jianying) in line and str(capcut) in line
    assert os.listdir(jianying) == [] and os.listdir(capcut) == []

    proc = run_pull(home, built, "--os", "windows", "--app", "capcut")
    assert proc.returncode == 0, proc.stderr
    assert (capcut / draft_id(built)).is_dir() and os.listdir(jianying) == []


def test_no_root_and_linux_need_to(built: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    line = _error_line(run_pull(home, built, "--os", "macos"))
    assert "no Jianying or CapCut drafts folder" in line and "--to" in line
    line = _error_line(run_pull(home, built, "--os", "linux"))
    assert "--to" in line
    target = tmp_path / "anywhere"
    target.mkdir()
    proc = run_pull(home, built, "--os", "linux", "--to", str(target))
    assert proc.returncode == 0, proc.stderr
    assert_openable(target / draft_id(built), target, media_count=3)


def test_server_errors_are_one_line(api: httpx.Client, server: Any, tmp_path: Path) -> None:
    home = tmp_path / "home"
    root = tmp_path / "root"
    root.mkdir()
    missing = f"{server.url}{GET_DRAFT}?draft_id=20200101000000deadbeef"
    line = _error_line(run_pull(home, missing, "--to", str(root)))
    assert "2001" in line
    line = _error_line(run_pull(home, f"{server.url}/docs?draft_id=20200101000000deadbeef", "--to", str(root)))
    assert "not a get_draft answer" in line
    line = _error_line(run_pull(home, "http://127.0.0.1:9/x?draft_id=20200101000000deadbeef", "--to", str(root),
                                "--retries", "0"))
    assert "could not download" in line
    line = _error_line(run_pull(home, f"{server.url}{GET_DRAFT}?draft_id=../../etc", "--to", str(root)))
    assert "refusing draft_id" in line
    assert os.listdir(root) == []


# -- a capcut-mate-like server over a mirror of a real draft -----------------------------------------


@dataclass
class Mirror:
    """A real draft's files served by `MediaServer`, with a get_draft answer the test controls."""

    srv: MediaServer
    did: str
    folder: Path
    files: list[str]

    @property
    def draft_url(self) -> str:
        return self.srv.url(f"{GET_DRAFT}?draft_id={self.did}")

    def file_url(self, rel: str, prefix: str = "/output/draft") -> str:
        return self.srv.url(f"{prefix}/{self.did}/{rel}")

    def answer(self, files: list[str] | None = None, **extra: Any) -> None:
        body = {"code": 0, "message": "成功", "files": files if files is not None else
                [self.file_url(rel) for rel in self.files], **extra}
        self.srv.add_route(GET_DRAFT, lambda h: _send(h, 200, json.dumps(body).encode(), "application/json"))

    def edit(self, name: str, change: Callable[[dict[str, Any]], None]) -> None:
        doc = json.loads((self.folder / name).read_bytes())
        change(doc)
        (self.folder / name).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def _send(h: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str,
          headers: dict[str, str] | None = None, *, cut: int | None = None) -> None:
    h.send_response(status)
    h.send_header("Content-Type", ctype)
    h.send_header("Content-Length", str(len(body)))
    for key, value in (headers or {}).items():
        h.send_header(key, value)
    if cut is not None:
        h.send_header("Connection", "close")
        h.close_connection = True
    h.end_headers()
    if h.command != "HEAD":
        h.wfile.write(body[:cut] if cut is not None else body)


@pytest.fixture
def mirror(built: str, tmp_path: Path) -> Iterator[Mirror]:
    did = draft_id(built)
    site = tmp_path / "site"
    folder = site / "output" / "draft" / did
    rels = []
    for rel, url in _listing(built).items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(httpx.get(url).content)
        rels.append(rel)
    with MediaServer(site) as srv:
        m = Mirror(srv, did, folder, rels)
        m.answer()
        yield m


def test_capcut_mate_paths_remote_media_and_a_dropped_connection(mirror: Mirror, media: Any, tmp_path: Path) -> None:
    """Placeholder paths, http(s) material paths and capcut-mate's stale meta; one download dies halfway."""
    video = next(r for r in mirror.files if r.startswith("assets/videos/"))
    audio = next(r for r in mirror.files if r.startswith("assets/audios/"))
    remote_url = media.url("image.jpg")

    def capcut_mate_style(doc: dict[str, Any]) -> None:
        doc["materials"]["audios"][0]["path"] = f"{PLACEHOLDER}/{audio}"
        photo = next(m for m in doc["materials"]["videos"] if m["type"] == "photo")
        photo["path"] = remote_url
        photo["material_name"] = "封面 pic.jpg"
        doc["materials"]["videos"][0].setdefault("extra", {})["path"] = f"C:\\srv\\{mirror.did}\\{video}"

    mirror.edit("draft_content.json", capcut_mate_style)
    mirror.edit("draft_meta_info.json", lambda meta: meta.update(
        draft_name="035ae208-ec69-4068-b479-777cb3bab17a", draft_fold_path="C:/Users/1/AppData/Local/x"))
    original = (mirror.folder / video).read_bytes()
    flaky_path = f"/flaky/{mirror.did}/{video}"
    hits: list[str | None] = []

    def flaky(h: BaseHTTPRequestHandler) -> None:
        rng = h.headers.get("Range")
        hits.append(rng)
        if h.command == "HEAD":
            _send(h, 200, original, "video/mp4")
        elif rng is None:
            _send(h, 200, original, "video/mp4", cut=len(original) // 2)  # the connection dies halfway
        else:
            start = int(rng.removeprefix("bytes=").rstrip("-"))
            _send(h, 206, original[start:], "video/mp4",
                  {"Content-Range": f"bytes {start}-{len(original) - 1}/{len(original)}"})

    mirror.srv.add_route(flaky_path, flaky)
    mirror.answer([mirror.srv.url(flaky_path) if r == video else mirror.file_url(r) for r in mirror.files])
    root = tmp_path / "drafts"
    root.mkdir()

    proc = run_pull(tmp_path / "home", mirror.draft_url, "--to", str(root), "--os", "windows", "--api-key", "k-123")

    assert proc.returncode == 0, proc.stderr
    folder = root / mirror.did
    assert (folder / video).read_bytes() == original
    # The key goes to the draft's server only, never to the hosts of http(s) materials.
    assert all(r.headers.get("authorization") == "Bearer k-123" for r in mirror.srv.requests)
    assert media.requests_for("/image.jpg") and not any(
        "k-123" in str(r.headers) for r in media.requests_for("/image.jpg"))
    assert hits[-1] == f"bytes={len(original) // 2}-"  # resumed, not started again
    content = assert_openable(folder, root, media_count=3)
    photo = next(m for m in content["materials"]["videos"] if m["type"] == "photo")
    assert "/assets/images/" in photo["path"] and photo["path"].endswith(".jpg")
    assert Path(photo["path"]).read_bytes() == httpx.get(remote_url).content
    assert content["materials"]["audios"][0]["path"] == (folder / audio).as_posix()
    assert content["materials"]["videos"][0]["extra"]["path"] == (folder / video).as_posix()


def test_failed_pull_leaves_no_draft_then_resumes(mirror: Mirror, tmp_path: Path) -> None:
    """A 404 stops the pull before the draft appears; the next run completes it without refetching media."""
    root = tmp_path / "drafts"
    root.mkdir()
    (root / "root_meta_info.json").write_text('{"all_draft_store":[],"draft_ids":0,"root_path":""}')
    video = next(r for r in mirror.files if r.startswith("assets/videos/"))
    mirror.answer([mirror.file_url(r) for r in mirror.files] + [mirror.file_url("assets/videos/missing.mp4")])

    line = _error_line(run_pull(tmp_path / "home", mirror.draft_url, "--to", str(root)))

    assert "HTTP 404" in line and "missing.mp4" in line
    assert not (root / mirror.did).exists()
    staging = root / f".draftcut-pull-{mirror.did}"
    assert (staging / video).is_file()
    assert json.loads((root / "root_meta_info.json").read_bytes())["all_draft_store"] == []

    mirror.answer()
    mirror.srv.reset()
    proc = run_pull(tmp_path / "home", mirror.draft_url, "--to", str(root))
    assert proc.returncode == 0, proc.stderr
    video_gets = [r for r in mirror.srv.requests_for(f"/output/draft/{mirror.did}/{video}") if r.method == "GET"]
    size = len((mirror.folder / video).read_bytes())
    assert [r.headers.get("range") for r in video_gets] == [f"bytes={size}-"]  # one check past the end: 416
    assert not staging.exists()
    assert_openable(root / mirror.did, root, media_count=3)


def test_server_gone_midway_leaves_no_draft(mirror: Mirror, tmp_path: Path) -> None:
    root = tmp_path / "drafts"
    root.mkdir()
    audio = next(r for r in mirror.files if r.startswith("assets/audios/"))
    mirror.srv.add_route(f"/output/draft/{mirror.did}/{audio}", lambda h: _send(h, 503, b"busy", "text/plain",
                                                                                 {"Retry-After": "0"}))
    line = _error_line(run_pull(tmp_path / "home", mirror.draft_url, "--to", str(root), "--retries", "2"))
    assert "HTTP 503" in line and "3 tries" in line
    assert os.listdir(root) == [f".draftcut-pull-{mirror.did}"]
    proc = run_pull(tmp_path / "home", mirror.draft_url, "--to", str(root), "--clean")
    assert proc.returncode == 0 and os.listdir(root) == []


@pytest.mark.parametrize("bad", ["../../outside.txt", "%2e%2e/outside.txt", "assets//x.mp4", "assets/a%5Cb.mp4",
                                 "/etc/passwd", "other-host"])
def test_hostile_file_lists_are_refused(mirror: Mirror, tmp_path: Path, bad: str) -> None:
    root = tmp_path / "drafts"
    root.mkdir()
    if bad == "other-host":
        evil = mirror.srv.url_as("localhost", f"/output/draft/{mirror.did}/draft_agency_config.json")
    else:
        evil = mirror.srv.base_url + f"/output/draft/{mirror.did}/{bad}"
    mirror.answer([mirror.file_url(r) for r in mirror.files] + [evil])
    mirror.srv.reset()

    line = _error_line(run_pull(tmp_path / "home", mirror.draft_url, "--to", str(root)))

    assert ("another host" in line) if bad == "other-host" else ("unsafe file path" in line)
    assert os.listdir(root) == [] and not (tmp_path / "outside.txt").exists()
    assert [r.path for r in mirror.srv.requests] == [GET_DRAFT]  # nothing fetched once the list was refused


def test_bad_answers(mirror: Mirror, tmp_path: Path) -> None:
    root = tmp_path / "drafts"
    root.mkdir()
    mirror.srv.add_route(GET_DRAFT, lambda h: _send(h, 200, json.dumps(
        {"code": 2001, "message": "草稿不存在"}).encode(), "application/json"))
    assert "code 2001" in _error_line(run_pull(tmp_path / "home", mirror.draft_url, "--to", str(root)))
    mirror.answer([])
    assert "no files" in _error_line(run_pull(tmp_path / "home", mirror.draft_url, "--to", str(root)))
    mirror.answer([mirror.file_url("assets/videos/x.mp4")])
    assert "no draft_content.json" in _error_line(run_pull(tmp_path / "home", mirror.draft_url, "--to", str(root)))
    mirror.srv.add_route(GET_DRAFT, lambda h: _send(h, 200, b"<html>oops</html>", "text/html"))
    assert "not JSON" in _error_line(run_pull(tmp_path / "home", mirror.draft_url, "--to", str(root)))
    assert os.listdir(root) == []


def test_unreadable_index_is_left_alone_and_running_app_warned(mirror: Mirror, tmp_path: Path) -> None:
    root = tmp_path / "drafts"
    root.mkdir()
    (root / "root_meta_info.json").write_bytes(b"\x00 not json {")
    err = io.StringIO()
    folder = pull(PullRequest(mirror.draft_url, to=root, os_name="macos"), stderr=err,
                  probe=lambda os_name: {"jianying", "capcut"})
    assert folder == root / mirror.did and (folder / "draft_info.json").is_file()
    assert (root / "root_meta_info.json").read_bytes() == b"\x00 not json {"
    out = err.getvalue()
    assert "root_meta_info.json" in out and "did not list the draft" in out
    assert "CapCut and Jianying are running" in out and "restart the app" in out
