"""`draftcut serve` with its blobs in S3 (a real SeaweedFS): media, draft files and renders in the bucket.

Proxy mode streams `/output/...` from the bucket with Range; presign mode redirects
to a presigned URL. The render is started with the node's local cache emptied, as a
worker on another machine would have it: the draft folder comes from the bucket alone.
The last test stops the S3 server: requests that need it answer 503 with Retry-After,
and the same draftcut process works again once it is back.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from utils.render_jobs import wait_render
from utils.s3_server import S3Server
from utils.server_fixtures import API, Server, call, create_draft, draft_id

CLIP = "video_red_2s.mp4"


@pytest.fixture(scope="module")
def proxy(s3_server: S3Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = s3_server.env(DRAFTCUT_S3_PREFIX="proxy/", DRAFTCUT_RENDER_WORKERS="1")
    with Server(tmp_path_factory.mktemp("s3-proxy"), env=env) as srv:
        yield srv


@pytest.fixture(scope="module")
def presign(s3_server: S3Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = s3_server.env(DRAFTCUT_S3_PREFIX="presign/", DRAFTCUT_S3_URLS="presign", DRAFTCUT_RENDER_ENABLED="false")
    with Server(tmp_path_factory.mktemp("s3-presign"), env=env) as srv:
        yield srv


def _draft_with_clip(client: httpx.Client, media: Any) -> tuple[str, str]:
    """A 320×240 draft of one second of the red clip; returns its draft_url and the clip's file URL."""
    url = create_draft(client, 320, 240)
    call(client, "add_videos", {"draft_url": url, "video_infos": json.dumps(
        [{"video_url": media.url(CLIP), "start": 0, "end": 1_000_000}])})
    files = client.get(f"{API}/get_draft", params={"draft_id": draft_id(url)}).json()["files"]
    media_urls = [f for f in files if "/assets/" in f]
    assert len(media_urls) == 1, files
    return url, media_urls[0]


def _objects(s3: S3Server, prefix: str) -> dict[str, int]:
    listed = s3.client().list_objects_v2(Bucket=s3.bucket, Prefix=prefix)
    return {o["Key"]: o["Size"] for o in listed.get("Contents", [])}


def _local_files(data_dir: Path, folder: str) -> list[Path]:
    root = data_dir / folder
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_proxy_files_and_render_from_the_bucket(proxy: Server, s3_server: S3Server, media: Any,
                                                media_dir: Path) -> None:
    original = (media_dir / CLIP).read_bytes()
    with httpx.Client(base_url=proxy.url, timeout=60) as client:
        url, file_url = _draft_with_clip(client, media)
        media_objects = _objects(s3_server, "proxy/media/")
        assert list(media_objects.values()) == [len(original)], media_objects
        assert _local_files(proxy.data_dir, "blobs") == []  # nothing in the local blob dir

        whole = httpx.get(file_url)
        assert whole.status_code == 200 and whole.content == original
        assert whole.headers["accept-ranges"] == "bytes" and whole.headers["content-type"] == "video/mp4"
        part = httpx.get(file_url, headers={"Range": "bytes=100-1099"})
        assert part.status_code == 206 and part.content == original[100:1100]
        assert part.headers["content-range"] == f"bytes 100-1099/{len(original)}"
        tail = httpx.get(file_url, headers={"Range": "bytes=-50"})
        assert tail.status_code == 206 and tail.content == original[-50:]
        beyond = httpx.get(file_url, headers={"Range": f"bytes={len(original)}-"})
        assert beyond.status_code == 416 and beyond.headers["content-range"] == f"bytes */{len(original)}"
        head = httpx.head(file_url)
        assert head.status_code == 200 and int(head.headers["content-length"]) == len(original)
        assert httpx.get(file_url.rsplit("/", 1)[0] + "/nope.mp4").status_code == 404

        # a node with no local copy (a worker elsewhere) renders from the bucket alone
        shutil.rmtree(proxy.data_dir / "s3-cache" / "objects")
        call(client, "gen_video", {"draft_url": url})
        status = wait_render(client, url)
        assert status["status"] == "completed", status
        job = status["video_url"].rsplit("/", 1)[1].removesuffix(".mp4")
        stored = s3_server.client().get_object(Bucket=s3_server.bucket, Key=f"proxy/renders/{job}.mp4")["Body"].read()
        video = httpx.get(status["video_url"])
        assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
        assert video.content == stored and stored[4:8] == b"ftyp"
        part = httpx.get(status["video_url"], headers={"Range": "bytes=0-99"})
        assert part.status_code == 206 and part.content == stored[:100]
        assert httpx.get(f"{proxy.url}/output/renders/{'0' * 32}.mp4").status_code == 404
        assert _local_files(proxy.data_dir, "blobs") == []


def test_presign_redirects_to_the_bucket(presign: Server, s3_server: S3Server, media: Any, media_dir: Path) -> None:
    original = (media_dir / CLIP).read_bytes()
    with httpx.Client(base_url=presign.url, timeout=60) as client:
        _url, file_url = _draft_with_clip(client, media)
    resp = httpx.get(file_url)
    assert resp.status_code in (302, 307), resp.text
    location = resp.headers["location"]
    assert location.startswith(s3_server.endpoint) and "X-Amz-Signature" in location
    got = httpx.get(location)
    assert got.status_code == 200 and got.content == original
    assert httpx.get(location, headers={"Range": "bytes=0-9"}).content == original[:10]
    assert httpx.get(f"{presign.url}/output/renders/{'0' * 32}.mp4").status_code == 404
    assert _objects(s3_server, "presign/media/") and _local_files(presign.data_dir, "blobs") == []


def test_outage_is_503_then_recovers(proxy: Server, s3_server: S3Server, media: Any, media_dir: Path) -> None:
    original = (media_dir / CLIP).read_bytes()
    with httpx.Client(base_url=proxy.url, timeout=60) as client:
        url, file_url = _draft_with_clip(client, media)
        s3_server.stop()
        try:
            down = httpx.get(file_url, timeout=60)
            assert down.status_code == 503 and down.json()["code"] == 3050, down.text
            assert int(down.headers["retry-after"]) > 0
            # an edit that stores a new clip needs the bucket too
            resp = client.post(f"{API}/add_audios", json={"draft_url": url, "audio_infos": json.dumps(
                [{"audio_url": media.url("audio_3s.wav"), "start": 0, "end": 1_000_000}])})
            assert resp.status_code == 503 and resp.json()["code"] == 3050 and resp.headers["retry-after"], resp.text
        finally:
            s3_server.start()
        back = httpx.get(file_url)
        assert back.status_code == 200 and back.content == original
        call(client, "add_audios", {"draft_url": url, "audio_infos": json.dumps(
            [{"audio_url": media.url("audio_3s.wav"), "start": 0, "end": 1_000_000}])})
