"""Importing drafts the app made (issue 11 item 4): `import_draft` over real HTTP, safe unzipping,
media matching, and `draftcut render some.zip`.

The app-made draft is the reference's minimal draft (tests/render/data, a copy of
shared/reference/minimal_draft_content.json: Jianying 5.9, placeholder paths),
with generated media named as its materials expect. Renders use a 160×90,
one-second variant of it, so the default run keeps an import → render check cheaply.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import io
import json
import os
import stat
import subprocess
import sys
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import httpx
import pytest
from utils.media_gen import make_audio, make_video
from utils.render_jobs import preview_frame, render_draft
from utils.server_fixtures import API, Server, call, create_draft, draft_content, draft_id

from draftcut.errors import ImportRefused
from draftcut.handoff.match import UploadFiles
from draftcut.handoff.safezip import ZipLimits, extract

REFERENCE = Path(__file__).resolve().parents[1] / "render" / "data" / "minimal_draft_content.json"
PLACEHOLDER = "##_draftpath_placeholder_0E685133-18CE-45ED-8CB8-2904A212EC80_##"
VIDEO_ID, AUDIO_ID = "ac6632f895424734aec2ff5ef2a74688", "015e4f29393847ac9e850e5f5effc0bd"
WINDOWS_AUDIO = "C:\\Users\\x\\Music\\audio.mp3"
SEC = 1_000_000


def reference() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REFERENCE.read_text("utf-8"))
    return data


def tiny(content: dict[str, Any]) -> dict[str, Any]:
    """The reference at 160×90 and one second: cheap to render, same structure."""
    content = copy.deepcopy(content)
    content["canvas_config"].update(width=160, height=90)
    content["duration"] = SEC
    for track in content["tracks"]:
        for seg in track["segments"]:
            for key in ("target_timerange", "source_timerange"):
                if seg.get(key):
                    seg[key]["duration"] = SEC
    video = content["materials"]["videos"][0]
    video.update(width=160, height=90, duration=SEC)
    content["materials"]["audios"][0]["duration"] = SEC
    return content


@pytest.fixture(scope="module")
def app_media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The reference's media, as its materials name them (tiny files: a 160×90 blue clip, a tone)."""
    root = tmp_path_factory.mktemp("app-media")
    return {"video.mp4": make_video(root / "video.mp4", seconds=1.0, width=160, height=90, color="blue",
                                    tone_hz=None),
            "audio.mp3": make_audio(root / "audio.mp3", seconds=1.0, tone_hz=330)}


def zip_bytes(members: dict[str, bytes | Path]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data.read_bytes() if isinstance(data, Path) else data,
                        compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def app_zip(content: dict[str, Any], media: dict[str, Path], folder: str = "我的草稿 1") -> bytes:
    """A zipped app draft folder: placeholder video, the audio by a Windows path, and the app's litter."""
    content = copy.deepcopy(content)
    content["materials"]["audios"][0]["path"] = WINDOWS_AUDIO
    timeline = json.dumps(content, ensure_ascii=False).encode()
    return zip_bytes({
        f"{folder}/draft_content.json": timeline,
        f"{folder}/draft_content.json.bak": timeline,
        f"{folder}/template-2.tmp": timeline,
        f"{folder}/Timelines/{content['id']}/draft_content.json": b"{}",
        f"{folder}/draft_meta_info.json": b'{"draft_name": "x"}',
        f"{folder}/Resources/local/video.mp4": media["video.mp4"],
        f"{folder}/Music/audio.mp3": media["audio.mp3"],
        f"{folder}/.DS_Store": b"\0\0\0\1Bud1",
        f"__MACOSX/{folder}/._video.mp4": b"\0\5\26\7",
    })


def post_import(client: httpx.Client, files: list[tuple[str, bytes]], *, status: int = 200,
                code: int = 0) -> dict[str, Any]:
    resp = client.post(f"{API}/import_draft", files=[("file", (name, data)) for name, data in files],
                       headers={"accept-language": "en"})
    body: dict[str, Any] = resp.json()
    assert (resp.status_code, body.get("code")) == (status, code), (resp.status_code, body)
    return body


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def media_paths(content: dict[str, Any]) -> dict[str, str]:
    return {m["id"]: m["path"] for kind in ("videos", "audios") for m in content["materials"][kind]}


def without_media_paths(content: dict[str, Any]) -> dict[str, Any]:
    """`content` with each media path cut to its file name (the draft's id and the path's form set aside)."""
    content = copy.deepcopy(content)
    for kind in ("videos", "audios"):
        for m in content["materials"][kind]:
            m["path"] = m["path"].replace("\\", "/").rsplit("/", 1)[-1]
    return content


def probe(data: bytes) -> tuple[int, int, float]:
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        assert container.duration is not None
        return stream.codec_context.width, stream.codec_context.height, container.duration / 1e6


# -- the route ---------------------------------------------------------------------------------------------


def test_zip_of_an_app_folder_imports_with_its_media(api: httpx.Client, app_media: dict[str, Path]) -> None:
    content = reference()
    body = post_import(api, [("draft.zip", app_zip(content, app_media))])
    assert body["app"] == "jianying" and body["missing_media"] == [] and body["warnings"] == []
    new_id = body["draft_id"]
    assert body["draft_url"].endswith(f"/get_draft?draft_id={new_id}")
    video_sha, audio_sha = sha(app_media["video.mp4"]), sha(app_media["audio.mp3"])
    # Everything but the media paths is as uploaded.
    expected = copy.deepcopy(content)
    expected["materials"]["videos"][0]["path"] = f"/app/output/draft/{new_id}/assets/videos/{video_sha[:24]}.mp4"
    expected["materials"]["audios"][0]["path"] = f"/app/output/draft/{new_id}/assets/audios/{audio_sha[:24]}.mp3"
    assert draft_content(api, body["draft_url"]) == expected
    files = api.get(body["draft_url"]).json()["files"]
    asset = next(u for u in files if u.endswith(f"{video_sha[:24]}.mp4"))
    assert api.get(asset).content == app_media["video.mp4"].read_bytes()
    meta = api.get(f"/output/draft/{new_id}/draft_meta_info.json").json()
    assert meta["draft_name"] == new_id


def test_timeline_and_media_as_separate_files(api: httpx.Client, app_media: dict[str, Path]) -> None:
    content = reference()
    content["platform"]["app_source"] = "cc"
    timeline = json.dumps(content).encode()
    body = post_import(api, [("draft_content.json", timeline),
                             ("Resources/local/video.mp4", app_media["video.mp4"].read_bytes()),
                             ("audio.mp3", app_media["audio.mp3"].read_bytes())])
    assert body["app"] == "capcut" and body["missing_media"] == []
    assert set(media_paths(draft_content(api, body["draft_url"])).values()) == {
        f"/app/output/draft/{body['draft_id']}/assets/videos/{sha(app_media['video.mp4'])[:24]}.mp4",
        f"/app/output/draft/{body['draft_id']}/assets/audios/{sha(app_media['audio.mp3'])[:24]}.mp3"}


def test_media_not_uploaded_are_listed_and_left_alone(api: httpx.Client, app_media: dict[str, Path]) -> None:
    content = reference()
    content["materials"]["audios"][0]["path"] = WINDOWS_AUDIO
    body = post_import(api, [("draft_info.json", json.dumps(content).encode()),
                             ("video.mp4", app_media["video.mp4"].read_bytes())])
    assert body["missing_media"] == [{"material_id": AUDIO_ID, "type": "extract_music", "name": "audio.mp3",
                                      "path": WINDOWS_AUDIO}]
    assert media_paths(draft_content(api, body["draft_url"]))[AUDIO_ID] == WINDOWS_AUDIO
    alone = post_import(api, [("my draft.json", json.dumps(reference()).encode())])
    assert [m["material_id"] for m in alone["missing_media"]] == [VIDEO_ID, AUDIO_ID]
    assert alone["missing_media"][0]["path"] == f"{PLACEHOLDER}/Resources/local/video.mp4"


def test_body_over_the_json_cap_is_accepted_here(api: httpx.Client, app_media: dict[str, Path]) -> None:
    """The 8 MiB cap of the JSON routes does not apply to import_draft (its own cap is 2 GiB)."""
    content = reference()
    content["materials"]["videos"][0]["path"] = "D:/footage/big.mp4"
    big = os.urandom(9 * 1024 * 1024)
    body = post_import(api, [("draft_content.json", json.dumps(content).encode()), ("big.mp4", big),
                             ("audio.mp3", app_media["audio.mp3"].read_bytes())])
    assert body["missing_media"] == []
    digest = hashlib.sha256(big).hexdigest()
    assert media_paths(draft_content(api, body["draft_url"]))[VIDEO_ID].endswith(f"/{digest[:24]}.mp4")


def test_encrypted_timeline_is_refused_with_what_to_do(api: httpx.Client) -> None:
    cipher = base64.b64encode(os.urandom(3000))
    body = post_import(api, [("draft_content.json", cipher)], status=400, code=3041)
    assert "Jianying 5.9" in body["detail"] and "draft_info.json" in body["detail"]
    body = post_import(api, [("d.zip", zip_bytes({"d/draft_content.json": cipher}))], status=400, code=3041)
    assert "encrypted" in body["message"]


def test_plain_draft_info_is_taken_when_draft_content_is_encrypted(api: httpx.Client) -> None:
    members: dict[str, bytes | Path] = {"d/draft_content.json": base64.b64encode(os.urandom(900)),
                                        "d/draft_info.json": json.dumps(reference()).encode()}
    body = post_import(api, [("d.zip", zip_bytes(members))])
    assert body["warnings"] == ["draft_content.json is encrypted; imported draft_info.json, which is plain"]


@pytest.mark.parametrize(("members", "wanted"), [
    ({"d/draft_content.json": b"hello, not JSON at all"}, "neither JSON"),
    ({"d/draft_content.json": b'{"tracks": 3'}, "not valid JSON"),
    ({"d/draft_content.json": b'{"name": "x"}'}, "without the 'tracks' and 'materials'"),
    ({"notes.txt": b"x", "a/b.mp4": b"x", "c/d.mp4": b"x"}, "found: a/, c/, notes.txt"),
])
def test_not_a_draft(api: httpx.Client, members: dict[str, bytes | Path], wanted: str) -> None:
    body = post_import(api, [("x.zip", zip_bytes(members))], status=400, code=3042)
    assert wanted in body["detail"]


def test_timeline_edits_could_not_work_on_is_not_a_draft(api: httpx.Client) -> None:
    content = reference()
    del content["tracks"][1]["segments"][0]["target_timerange"]
    body = post_import(api, [("draft_content.json", json.dumps(content).encode())], status=400, code=3042)
    assert body["detail"].startswith("tracks[1].segments[0]: has no target_timerange")


@pytest.mark.parametrize(("names", "wanted"), [
    (["draft_content.json", "a/b.mp4", "A/B.MP4"], "both named"),
    (["draft_content.json", "a/b.mp4", "a"], "both a file and a folder"),
    (["draft_content.json", "a" * 300 + ".mp4"], "cannot be a file name"),
])
def test_uploaded_file_names_that_cannot_be_laid_out(api: httpx.Client, names: list[str], wanted: str) -> None:
    body = post_import(api, [(name, b"{}") for name in names], status=400, code=3040)
    assert wanted in body["detail"]


def test_uploaded_paths_that_leave_the_folder_keep_only_their_name(api: httpx.Client,
                                                                   app_media: dict[str, Path]) -> None:
    body = post_import(api, [("draft_content.json", json.dumps(reference()).encode()),
                             ("../../etc/video.mp4", app_media["video.mp4"].read_bytes()),
                             ("C:\\Users\\x\\audio.mp3", app_media["audio.mp3"].read_bytes())])
    assert body["missing_media"] == []


def test_upload_that_is_not_multipart_is_refused(api: httpx.Client) -> None:
    resp = api.post(f"{API}/import_draft", json={"file": "x"})
    assert (resp.status_code, resp.json()["code"]) == (400, 3040)
    resp = api.post(f"{API}/import_draft", data={"other": "x"}, files={"nofile": ("a", b"b")})
    assert (resp.status_code, resp.json()["code"]) == (400, 3040) and "field 'file'" in resp.json()["detail"]


# -- hostile zips ------------------------------------------------------------------------------------------


def _zip_with(info: zipfile.ZipInfo, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("d/draft_content.json", json.dumps(reference()))
        zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def _symlink() -> zipfile.ZipInfo:
    info = zipfile.ZipInfo("d/Resources/local/video.mp4")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def _many_members() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("d/draft_content.json", json.dumps(reference()))
        for i in range(20_000):
            zf.writestr(f"d/{i}", b"")
    return buf.getvalue()


HOSTILE: dict[str, tuple[Any, str]] = {
    "slip": (lambda: _zip_with(zipfile.ZipInfo("../x.mp4"), b"x"), "leaves the folder"),
    "slip-inside": (lambda: _zip_with(zipfile.ZipInfo("d/../../x.mp4"), b"x"), "leaves the folder"),
    "backslashes": (lambda: _zip_with(zipfile.ZipInfo("d\\..\\..\\x.mp4"), b"x"), "leaves the folder"),
    "absolute": (lambda: _zip_with(zipfile.ZipInfo("/tmp/x.mp4"), b"x"), "absolute path"),
    "drive": (lambda: _zip_with(zipfile.ZipInfo("C:/Windows/x.mp4"), b"x"), "absolute path"),
    "symlink": (lambda: _zip_with(_symlink(), b"/etc/passwd"), "symbolic link"),
    "bomb": (lambda: _zip_with(zipfile.ZipInfo("d/zeros.mp4"), bytes(3 * 1024 * 1024)), "zip bomb"),
    "too-many": (_many_members, "more than the 20000"),
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_zip_is_refused(api: httpx.Client, kind: str, server: Server) -> None:
    make, wanted = HOSTILE[kind]
    before = set((server.data_dir / "blobs" / ".tmp").iterdir())
    body = post_import(api, [("d.zip", make())], status=400, code=3040)
    assert wanted in body["detail"], body
    assert set((server.data_dir / "blobs" / ".tmp").iterdir()) <= before  # the scratch folder is gone


@pytest.fixture(scope="module")
def capped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """A server of its own with a 200 kB import cap."""
    env = {"DRAFTCUT_IMPORT_MAX_BYTES": "200000", "DRAFTCUT_RENDER_ENABLED": "false"}
    with Server(tmp_path_factory.mktemp("capped"), env=env) as srv, \
            httpx.Client(base_url=srv.url, timeout=60) as client:
        yield client


def test_upload_over_the_import_cap_is_413(capped: httpx.Client) -> None:
    body = post_import(capped, [("big.zip", os.urandom(300_000))], status=413, code=413)
    assert "DRAFTCUT_IMPORT_MAX_BYTES" in body["detail"]

    def chunks() -> Iterator[bytes]:
        yield b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.zip\"\r\n\r\n"
        for _ in range(10):
            yield os.urandom(30_000)

    resp = capped.post(f"{API}/import_draft", content=chunks(),
                       headers={"content-type": "multipart/form-data; boundary=b"})
    assert (resp.status_code, resp.json()["code"]) == (413, 413)


def test_zip_unpacking_over_the_import_cap_is_refused(capped: httpx.Client) -> None:
    members: dict[str, bytes | Path] = {"d/draft_content.json": json.dumps(reference()).encode()}
    members.update({f"d/Resources/local/{i}.bin": bytes(90_000) for i in range(3)})  # small ratio-wise, 270 kB
    body = post_import(capped, [("d.zip", zip_bytes(members))], status=400, code=3040)
    assert "unpacks to more than 200000 bytes" in body["detail"]


# -- safezip and matching, without a server ----------------------------------------------------------------


def test_member_that_holds_more_than_it_declares_is_stopped(tmp_path: Path) -> None:
    archive = tmp_path / "lie.zip"
    archive.write_bytes(zip_bytes({"a.bin": bytes(4096)}))
    data = bytearray(archive.read_bytes())
    entry = data.index(b"PK\x01\x02")
    data[entry + 24:entry + 28] = (100).to_bytes(4, "little")  # the central directory's size: 100 bytes
    archive.write_bytes(bytes(data))
    with pytest.raises(ImportRefused, match="corrupt member|holds more"):
        extract(archive, tmp_path / "out")


def test_member_count_is_checked_even_when_the_end_record_lies(tmp_path: Path) -> None:
    data = bytearray(_many_members())
    end = data.rfind(b"PK\x05\x06")
    data[end + 8:end + 12] = (1).to_bytes(2, "little") * 2  # "1 entry" on this disk and in all
    (tmp_path / "lie.zip").write_bytes(bytes(data))
    with pytest.raises(ImportRefused, match="more than the 20000 members"):
        extract(tmp_path / "lie.zip", tmp_path / "out")
    assert not any((tmp_path / "out").iterdir())


def test_extraction_names_skips_and_nested_zips(tmp_path: Path) -> None:
    archive = tmp_path / "a.zip"
    inner = zip_bytes({"x.txt": b"x"})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("d/XXXX.mp4", b"v")  # renamed below to GBK bytes without the UTF-8 flag, as Explorer writes
        zf.writestr("./d/inner.zip", inner)
        zf.writestr("__MACOSX/d/._inner.zip", b"junk")
        zf.writestr("d/.DS_Store", b"junk")
        zf.writestr(zipfile.ZipInfo("d/empty/"), b"")
    archive.write_bytes(buf.getvalue().replace(b"d/XXXX.mp4", "d/视频.mp4".encode("gbk")))
    assert sorted(extract(archive, tmp_path / "out")) == ["d/inner.zip", "d/视频.mp4"]
    assert (tmp_path / "out" / "d" / "inner.zip").read_bytes() == inner
    assert (tmp_path / "out" / "d" / "empty").is_dir() and not (tmp_path / "out" / "__MACOSX").exists()


@pytest.mark.parametrize(("names", "wanted"), [
    (["d/a", "d/a"], "listed twice"),
    (["d/a", "d/a/b"], "a file and a folder"),
])
def test_conflicting_members_are_refused(tmp_path: Path, names: list[str], wanted: str) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate it is asked to write
        for name in names:
            zf.writestr(name, b"x")
    (tmp_path / "c.zip").write_bytes(buf.getvalue())
    with pytest.raises(ImportRefused, match=wanted):
        extract(tmp_path / "c.zip", tmp_path / "out", ZipLimits())


def test_same_file_name_prefers_the_closest_folders(tmp_path: Path) -> None:
    for rel in ("d/Resources/local/a.mp4", "d/Videos/trip/A.MP4", "d/other/a.mp4"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"x")
    files = UploadFiles.scan(tmp_path)
    found = files.find("C:\\Users\\x\\Videos\\trip\\a.mp4", "d")
    assert found is not None and (found.relpath, found.how) == ("d/Videos/trip/A.MP4", "name")
    assert "3 uploaded files are named a.mp4" in found.note
    found = files.find(f"{PLACEHOLDER}/Resources/local/a.mp4", "d")
    assert found is not None and (found.relpath, found.how, found.note) == ("d/Resources/local/a.mp4",
                                                                            "placeholder", "")
    assert files.find("other/a.mp4", "d") is not None and files.find("nope.mp4", "d") is None


# -- imported drafts are drafts like any other -------------------------------------------------------------


def test_edits_keep_fields_draftcut_does_not_model(api: httpx.Client, app_media: dict[str, Path],
                                                   media: Any) -> None:
    content = reference()
    content["future_top"] = {"x": [1, 2.5, None]}
    content["materials"]["videos"][0]["future_material_flag"] = "keep"
    content["materials"]["future_kind"] = [{"id": "f1", "z": 1}]
    content["tracks"][0]["segments"][0]["future_segment"] = {"a": 1}
    content["tracks"][0]["future_track"] = True
    body = post_import(api, [("d.zip", app_zip(content, app_media))])
    url = body["draft_url"]
    call(api, "add_videos", {"draft_url": url, "video_infos": json.dumps(
        [{"video_url": media.url("video_red_2s.mp4"), "start": 0, "end": SEC}])})
    call(api, "add_captions", {"draft_url": url, "captions": json.dumps(
        [{"text": "added", "start": 0, "end": SEC}])})
    after = draft_content(api, url)
    assert after["future_top"] == {"x": [1, 2.5, None]}
    assert after["materials"]["videos"][0]["future_material_flag"] == "keep"
    assert after["materials"]["future_kind"] == [{"id": "f1", "z": 1}]
    video_track = next(t for t in after["tracks"] if t["id"] == content["tracks"][0]["id"])
    assert video_track["future_track"] is True and video_track["segments"][0]["future_segment"] == {"a": 1}
    assert len(after["materials"]["videos"]) == 2 and len(after["materials"]["texts"]) == 2
    assert after["platform"] == content["platform"] and after["config"] == content["config"]


def test_imported_app_draft_renders(api: httpx.Client, app_media: dict[str, Path]) -> None:
    body = post_import(api, [("d.zip", app_zip(tiny(reference()), app_media))])
    status = render_draft(api, body["draft_url"])
    assert status["status"] == "completed", status
    width, height, seconds = probe(api.get(status["video_url"]).content)
    assert (width, height) == (160, 90) and seconds == pytest.approx(1.0, abs=0.1)
    # and back out: exported, imported again, the same timeline and the same picture
    zipped = api.get(f"{API}/export_draft", params={"draft_id": body["draft_id"]}).content
    again = post_import(api, [("again.zip", zipped)])
    assert again["missing_media"] == [] and again["app"] == body["app"]
    first, second = draft_content(api, body["draft_url"]), draft_content(api, again["draft_url"])
    assert without_media_paths(second) == without_media_paths(first)
    assert (preview_frame(api, again["draft_url"], 0.5) == preview_frame(api, body["draft_url"], 0.5)).all()


@pytest.mark.parametrize("how", ["export_draft", "get_draft files"])
def test_round_trip_of_a_draft_built_here(api: httpx.Client, media: Any, how: str) -> None:
    url = create_draft(api, 160, 90)
    call(api, "add_videos", {"draft_url": url, "video_infos": json.dumps(
        [{"video_url": media.url("video_red_2s.mp4"), "start": 0, "end": SEC}])})
    call(api, "add_audios", {"draft_url": url, "audio_infos": json.dumps(
        [{"audio_url": media.url("audio_2s.mp3"), "start": 0, "end": SEC}])})
    call(api, "add_captions", {"draft_url": url, "captions": json.dumps([{"text": "hi", "start": 0, "end": SEC}])})
    old_id = draft_id(url)
    if how == "export_draft":
        zipped = api.get(f"{API}/export_draft", params={"draft_id": old_id}).content
    else:  # what a user who downloads the folder file by file zips up
        members: dict[str, bytes | Path] = {}
        for file_url in api.get(url).json()["files"]:
            members[f"{old_id}/{file_url.split(f'/{old_id}/', 1)[1]}"] = api.get(file_url).content
        zipped = zip_bytes(members)
    body = post_import(api, [(f"{old_id}.zip", zipped)])
    assert body["missing_media"] == [] and body["draft_id"] != old_id
    original, imported = draft_content(api, url), draft_content(api, body["draft_url"])
    assert without_media_paths(imported) == without_media_paths(original)
    assert all(f"/{body['draft_id']}/assets/" in p for p in media_paths(imported).values())
    # the same picture and sound: the preview frames are identical, and the render completes
    assert (preview_frame(api, body["draft_url"], 0.5) == preview_frame(api, url, 0.5)).all()
    status = render_draft(api, body["draft_url"])
    assert status["status"] == "completed", status
    assert probe(api.get(status["video_url"]).content)[:2] == (160, 90)


# -- draftcut render some.zip ------------------------------------------------------------------------------


def _cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRAFTCUT_")}
    return subprocess.run([sys.executable, "-m", "draftcut", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


def test_cli_renders_a_zip_from_another_folder(tmp_path: Path, app_media: dict[str, Path]) -> None:
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "app draft.zip").write_bytes(app_zip(tiny(reference()), app_media))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = _cli(["render", "../drafts/app draft.zip", "-o", "out.mp4"], elsewhere)
    assert proc.returncode == 0, proc.stderr
    width, height, seconds = probe((elsewhere / "out.mp4").read_bytes())
    assert (width, height) == (160, 90) and seconds == pytest.approx(1.0, abs=0.1)
    proc = _cli(["preview", "../drafts/app draft.zip", "--at", "0.5", "-o", "frame.png"], elsewhere)
    assert proc.returncode == 0, proc.stderr
    with av.open(str(elsewhere / "frame.png")) as png:
        frame = next(png.decode(video=0)).to_ndarray(format="rgb24")
    assert frame.shape == (90, 160, 3) and frame[45, 80, 2] > 150 > frame[45, 80, 0]  # the blue clip


def test_cli_zip_without_a_media_file_names_the_material(tmp_path: Path, app_media: dict[str, Path]) -> None:
    data = zip_bytes({"d/draft_content.json": json.dumps(tiny(reference())).encode(),
                      "d/Resources/local/video.mp4": app_media["video.mp4"]})
    (tmp_path / "d.zip").write_bytes(data)
    proc = _cli(["render", "d.zip", "-o", "out.mp4"], tmp_path)
    assert proc.returncode == 1 and AUDIO_ID in proc.stderr and "audio.mp3" in proc.stderr, proc.stderr
    hostile = _zip_with(zipfile.ZipInfo("../evil.mp4"), b"x")
    (tmp_path / "h.zip").write_bytes(hostile)
    proc = _cli(["render", "h.zip", "-o", "out.mp4"], tmp_path)
    assert proc.returncode == 1 and "leaves the folder" in proc.stderr, proc.stderr
