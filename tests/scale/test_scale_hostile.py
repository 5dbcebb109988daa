"""Hostile input on the distributed setup: one server on PostgreSQL + S3 (SeaweedFS) + a Redis broker.

Issue 12: SSRF, decompression-bomb images, oversize and endless downloads, huge JSON strings, deeply nested
JSON and path traversal in ids and file routes are each refused with a clear error on the embedded default
(tests/media/test_media_guard.py, tests/media/test_image_limits.py, tests/api/test_input_limits.py, ...).
Here the same attacks go over real HTTP to a server whose drafts live in PostgreSQL and whose media and
draft files live in a bucket, where a refusal could take another path (a driver error, a blob key built from
the request): each must get the code the embedded setup answers, name the field or the reason, and never
a 5xx. Canary objects outside the server's key prefix, and the bucket's listing, show that no attack read or
wrote a key outside it; a draft made before the attacks must come out of them unchanged.

The loopback media origin is allowed by the name `localhost` only, so `127.0.0.1` stays a refused address
(it is also where PostgreSQL, Redis and the S3 server listen).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest
from utils.http_server import MediaServer
from utils.media_gen import blank_png, make_image
from utils.pg_server import PgServer, pg_server, pg_url  # noqa: F401  (fixtures)
from utils.redis_server import RedisServer
from utils.s3_server import S3Server
from utils.server_fixtures import API, Server

MiB = 1024 * 1024
PREFIX = "hostile/"
MEDIA_MAX_BYTES = 2 * MiB
MEDIA_TIMEOUT_S = 1.0
FETCH_DEADLINE_S = 4 * MEDIA_TIMEOUT_S  # media/_fetch.py DEADLINE_FACTOR: a whole fetch may take 4 timeouts
BODY_CAP = 8 * MiB  # DRAFTCUT_MAX_BODY_BYTES' default
CANARY = f"draftcut-canary-{uuid.uuid4().hex}".encode()
CANARY_KEYS = ("canary/secret.txt", "secret.txt", "hostile-evil/secret.txt", "hostile/canary.txt")
"""Objects no request may ever read: outside the prefix, beside it, and one inside it that no draft lists."""
KEY_SHAPE = re.compile(r"hostile/(?:media/([0-9a-f]{2})/([0-9a-f]{64})\.[a-z0-9]{1,5}|renders/[0-9a-f]{32}\.mp4)")
BOMB = "bomb_10000_rgba16.png"


# -- the setup -------------------------------------------------------------------------------------------------------

@dataclass
class Seen:
    """Every answer the server gave in this module, to assert at the end that none was a 5xx."""

    answers: list[tuple[str, str, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, method: str, target: str, status: int) -> None:
        with self.lock:
            self.answers.append((method, target[:200], status))


SEEN = Seen()


def _endless(content_type: str, header: tuple[str, str], *, chunked: bool) -> Any:
    """A route that sends `header`, then zeros forever."""
    def route(handler: Any) -> None:
        handler.close_connection = True
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header(*header)
        handler.end_headers()
        _stream(handler, b"\0" * 65536, chunked=chunked)
    return route


# announces 1000 bytes, then never stops: the client must read what was announced, no more
_lying_length = _endless("image/png", ("Content-Length", "1000"), chunked=False)
# chunked, no length, never stops: only counting the bytes can stop it
_chunked_endless = _endless("video/mp4", ("Transfer-Encoding", "chunked"), chunked=True)


def _stream(handler: Any, piece: bytes, *, chunked: bool) -> None:
    media: MediaServer = handler.server.media
    path = handler.path.split("?", 1)[0]
    media._stream_opened(path)
    try:
        frame = f"{len(piece):x}\r\n".encode() + piece + b"\r\n" if chunked else piece
        while not media._stopping.is_set():
            handler.wfile.write(frame)
    except OSError:
        pass  # the client hung up: what it should do
    finally:
        media._stream_closed(path)


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MediaServer]:
    """The media server the draftcut server may fetch from (as `localhost`), with a bomb and lying routes."""
    www = tmp_path_factory.mktemp("hostile-www")
    make_image(www / "image_blue.png", width=320, height=240, color="blue")
    bomb = blank_png(www / BOMB, 10000, 10000, depth=16, colour=6)  # 800 MB decoded
    assert bomb.stat().st_size < 2_000_000
    with MediaServer(www) as server:
        server.add_route("/lying-length", _lying_length)
        server.add_route("/chunked-endless", _chunked_endless)
        yield server


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with RedisServer(tmp_path_factory.mktemp("hostile-redis")) as server:
        yield server


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory, s3_server: S3Server, pg_url: str,  # noqa: F811
        redis: RedisServer) -> Iterator[Server]:
    env = s3_server.env(DRAFTCUT_S3_PREFIX=PREFIX, DRAFTCUT_DATABASE_URL=pg_url, DRAFTCUT_BROKER_URL=redis.url,
                        DRAFTCUT_MEDIA_ALLOW_HOSTS="localhost", DRAFTCUT_MEDIA_TIMEOUT_S=str(MEDIA_TIMEOUT_S),
                        DRAFTCUT_MEDIA_MAX_BYTES=str(MEDIA_MAX_BYTES))
    with Server(tmp_path_factory.mktemp("hostile-scale"), env=env) as server:
        yield server


@pytest.fixture(scope="module")
def client(srv: Server) -> Iterator[httpx.Client]:
    def record(resp: httpx.Response) -> None:
        SEEN.add(resp.request.method, str(resp.request.url), resp.status_code)

    with httpx.Client(base_url=srv.url, timeout=60, event_hooks={"response": [record]}) as c:
        yield c


def bucket(s3_server: S3Server) -> dict[str, str]:
    """Every key in the bucket (all prefixes: other modules share it) with its ETag."""
    s3 = s3_server.client()
    found: dict[str, str] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=s3_server.bucket):
        found.update({o["Key"]: o["ETag"] for o in page.get("Contents", [])})
    return found


@dataclass
class Baseline:
    draft_url: str
    draft_id: str
    content: dict[str, Any]
    files: list[str]
    asset_path: str
    asset: bytes
    keys: dict[str, str]
    """The bucket before any attack, canaries included."""


@pytest.fixture(scope="module", autouse=True)
def baseline(srv: Server, client: httpx.Client, origin: MediaServer, s3_server: S3Server) -> Baseline:
    """A draft with a picture in S3, made before any attack; the canaries are planted beside it."""
    s3 = s3_server.client()
    for key in CANARY_KEYS:
        s3.put_object(Bucket=s3_server.bucket, Key=key, Body=CANARY)
    draft_url = ok(client, "create_draft", {"width": 640, "height": 360})["draft_url"]
    ok(client, "add_images", {"draft_url": draft_url, "image_infos": [
        {"image_url": origin.url_as("localhost", "/image_blue.png"), "start": 0, "end": 2_000_000}]})
    did = draft_url.rsplit("draft_id=", 1)[1]
    files = ok(client, "get_draft", params={"draft_id": did}, method="GET")["files"]
    assets = [f.split(f"/{did}/", 1)[1] for f in files if "/assets/" in f]
    assert len(assets) == 1, files
    asset = client.get(f"/output/draft/{did}/{assets[0]}")
    assert asset.status_code == 200 and asset.content[:8] == b"\x89PNG\r\n\x1a\n", asset.status_code
    return Baseline(draft_url, did, content_of(client, did), files, assets[0], asset.content, bucket(s3_server))


def ok(client: httpx.Client, name: str, body: dict[str, Any] | None = None, *, method: str = "POST",
       **kw: Any) -> dict[str, Any]:
    resp = client.request(method, f"{API}/{name}", json=body, **kw)
    data: dict[str, Any] = resp.json()
    assert resp.status_code == 200 and data.get("code") == 0, (name, resp.status_code, data)
    return data


def content_of(client: httpx.Client, did: str) -> dict[str, Any]:
    resp = client.get(f"/output/draft/{did}/draft_content.json")
    assert resp.status_code == 200, resp.text
    data: dict[str, Any] = resp.json()
    return data


def refused(resp: httpx.Response, status: int | tuple[int, ...], code: int | tuple[int, ...],
            field: str) -> dict[str, Any]:
    """The envelope of a refusal: its HTTP status, capcut-mate `code`, and a detail naming `field`."""
    statuses = status if isinstance(status, tuple) else (status,)
    codes = code if isinstance(code, tuple) else (code,)
    data: dict[str, Any] = resp.json()
    assert resp.status_code in statuses and data.get("code") in codes, (resp.status_code, str(data)[:500])
    assert data["detail"].startswith(field), str(data)[:500]
    assert len(resp.content) < 16_384, f"{len(resp.content)} byte error echoes the input"
    return data


def post(client: httpx.Client, name: str, body: Any) -> httpx.Response:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(f"{API}/{name}", content=raw, headers={"content-type": "application/json"})


def raw_get(srv: Server, target: str, method: str = "GET") -> tuple[int, bytes]:
    """A request line sent as is: httpx would resolve `..` in the path before sending it."""
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
    try:
        conn.putrequest(method, target, skip_accept_encoding=True)
        conn.endheaders()
        resp = conn.getresponse()
        body = resp.read()
    finally:
        conn.close()
    SEEN.add(method, target, resp.status)
    return resp.status, body


def origin_hits(origin: MediaServer) -> int:
    return sum(origin.hits.values())


# -- 1. SSRF ---------------------------------------------------------------------------------------------------------

def _ssrf_cases(origin: MediaServer, s3_server: S3Server, redis: RedisServer) -> dict[str, tuple[str, str]]:
    """name -> (URL, what the detail must say)."""
    image = f"127.0.0.1:{origin.port}/image_blue.png"
    return {
        "origin-by-ip": (f"http://{image}", "127.0.0.1 is loopback"),
        "s3-endpoint": (f"http://127.0.0.1:{s3_server.ports['s3']}/{s3_server.bucket}/canary/secret.txt",
                        "127.0.0.1 is loopback"),
        "redis": (f"http://127.0.0.1:{redis.port}/", "127.0.0.1 is loopback"),
        "ip-spelled-as-integer": (f"http://2130706433:{origin.port}/image_blue.png", "loopback"),
        "metadata": ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is link-local"),
        "metadata-v4-mapped": ("http://[::ffff:169.254.169.254]/latest/meta-data/", "link-local"),
        "private": ("http://10.0.0.1/x.png", "10.0.0.1 is private"),
        "credentials": (f"http://user:secret@localhost:{origin.port}/image_blue.png", "user:password@"),
        "redirect-to-loopback-ip": (
            origin.url_as("localhost", f"/redirect?to={quote(f'http://{image}', safe='')}"), "redirects to"),
        "redirect-to-metadata": (
            origin.url_as("localhost", "/redirect?to=http%3A%2F%2F169.254.169.254%2Flatest%2Fmeta-data%2F"),
            "redirects to"),
        "redirect-to-file": (origin.url_as("localhost", "/redirect?to=file%3A%2F%2F%2Fetc%2Fpasswd"), "redirects to"),
    }


SSRF = ["origin-by-ip", "s3-endpoint", "redis", "ip-spelled-as-integer", "metadata", "metadata-v4-mapped",
        "private", "credentials", "redirect-to-loopback-ip", "redirect-to-metadata", "redirect-to-file"]


@pytest.mark.parametrize("case", SSRF)
def test_ssrf_media_url_is_refused_and_nothing_fetched(client: httpx.Client, origin: MediaServer,
                                                        s3_server: S3Server, redis: RedisServer,
                                                        baseline: Baseline, case: str) -> None:
    url, reason = _ssrf_cases(origin, s3_server, redis)[case]
    before_hits = origin.hits["/image_blue.png"]
    before_keys = bucket(s3_server)
    resp = post(client, "add_images", {"draft_url": baseline.draft_url, "image_infos": [
        {"image_url": url, "start": 3_000_000, "end": 4_000_000}]})
    data = refused(resp, 400, 2005, "image_infos[0].image_url: ")
    assert reason in data["detail"], data
    assert "image_infos[0].image_url" in data["message"], data
    assert origin.hits["/image_blue.png"] == before_hits, "the refused URL was fetched"
    assert bucket(s3_server) == before_keys


def test_ssrf_other_url_fields_are_refused(client: httpx.Client, origin: MediaServer, s3_server: S3Server,
                                           baseline: Baseline) -> None:
    """file:// is refused by the schema; a metadata callback, an SRT and an audio URL by the guard."""
    before = origin_hits(origin)
    before_keys = bucket(s3_server)
    resp = post(client, "add_images", {"draft_url": baseline.draft_url, "image_infos": [
        {"image_url": "file:///etc/passwd", "start": 0, "end": 1}]})
    assert "http:// or https://" in refused(resp, 400, 2009, "image_infos[0].image_url")["detail"]
    resp = post(client, "add_audios", {"draft_url": baseline.draft_url, "audio_infos": [
        {"audio_url": "http://169.254.169.254/latest/meta-data/x.mp3", "start": 0, "end": 1_000_000}]})
    assert "link-local" in refused(resp, 400, 2005, "audio_infos[0].audio_url")["detail"]
    resp = post(client, "srt_infos", {"srt": "http://169.254.169.254/latest/meta-data/a.srt"})
    assert "link-local" in refused(resp, 400, 2005, "srt")["detail"]
    resp = post(client, "gen_video", {"draft_url": baseline.draft_url,
                                      "callback_url": "http://169.254.169.254/latest/meta-data/"})
    assert "link-local" in refused(resp, 400, 1001, "callback_url")["detail"]
    resp = post(client, "gen_video", {"draft_url": baseline.draft_url, "callback_url": "file:///etc/passwd"})
    refused(resp, 400, 1001, "callback_url")
    refused(post(client, "gen_video_status", {"draft_url": baseline.draft_url}), 404, 2031, "")  # no job made
    assert origin_hits(origin) == before
    assert bucket(s3_server) == before_keys


# -- 2. decompression bomb -------------------------------------------------------------------------------------------

def _peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def test_decompression_bomb_is_refused_before_decoding(srv: Server, client: httpx.Client, origin: MediaServer,
                                                       s3_server: S3Server, baseline: Baseline) -> None:
    """A 10000×10000 RGBA16 PNG (under 2 MB, 800 MB decoded): 400 / 3011 from its header, memory flat."""
    assert srv.proc is not None
    draft = ok(client, "create_draft", {})["draft_url"]
    # Warm the fetch, probe and S3 upload path up, so the measurement is of the bomb only.
    ok(client, "add_images", {"draft_url": draft, "image_infos": [
        {"image_url": origin.url_as("localhost", f"/image_blue.png?warm={uuid.uuid4().hex}"),
         "start": 0, "end": 1_000_000}]})
    before_keys = bucket(s3_server)
    before = _peak_rss_kib(srv.proc.pid)
    resp = post(client, "add_images", {"draft_url": draft, "image_infos": [
        {"image_url": origin.url_as("localhost", f"/{BOMB}"), "start": 1_000_000, "end": 2_000_000}]})
    grown_mib = (_peak_rss_kib(srv.proc.pid) - before) / 1024
    print(f"peak RSS grew {grown_mib:.1f} MiB")
    data = refused(resp, 400, 3011, "image_infos[0].image_url: ")
    assert "10000x10000 png" in data["detail"], data
    assert grown_mib < 150, grown_mib
    assert origin.hits[f"/{BOMB}"] >= 1
    assert bucket(s3_server) == before_keys, "the bomb was stored"


# -- 3. oversize and endless downloads -------------------------------------------------------------------------------

OVERSIZE = {
    # name -> (path, status, code, what the detail must say)
    "content-length-over-cap": (f"/big/{MEDIA_MAX_BYTES + 1}", 400, 2004,
                                f"is {MEDIA_MAX_BYTES + 1} bytes, over the {MEDIA_MAX_BYTES} byte limit"),
    "no-length-endless": ("/endless", 400, 2004, f"sent more than the {MEDIA_MAX_BYTES} byte limit"),
    "chunked-endless": ("/chunked-endless", 400, 2004, f"sent more than the {MEDIA_MAX_BYTES} byte limit"),
    # Only the 1000 announced bytes are read; zeros are no picture.
    "length-lies-low": ("/lying-length", 400, 3010, "image_infos[0].image_url"),
}


@pytest.mark.parametrize("case", sorted(OVERSIZE))
def test_oversize_download_is_refused_fast(client: httpx.Client, origin: MediaServer, s3_server: S3Server,
                                          baseline: Baseline, case: str) -> None:
    path, status, code, reason = OVERSIZE[case]
    before_keys = bucket(s3_server)
    started = time.monotonic()
    resp = post(client, "add_images", {"draft_url": baseline.draft_url, "image_infos": [
        {"image_url": origin.url_as("localhost", f"{path}?t={uuid.uuid4().hex}"), "start": 0, "end": 1_000_000}]})
    took = time.monotonic() - started
    data = refused(resp, status, code, "image_infos[0].image_url: ")
    assert reason in data["detail"], data
    assert took < FETCH_DEADLINE_S, took  # refused by size, not by the deadline
    stream = path.split("?", 1)[0]
    closed_in = origin.wait_streams_closed(stream, 3)
    assert origin.open_streams[stream] == 0, f"{stream} still being read"
    print(f"{case}: refused in {took:.2f}s, origin stream closed {closed_in:.2f}s later")
    assert bucket(s3_server) == before_keys


def test_trickling_download_ends_at_the_deadline_while_others_are_served(
        srv: Server, client: httpx.Client, origin: MediaServer, baseline: Baseline) -> None:
    """A byte every 50 ms never trips the 1 s read timeout; the 4 s whole-fetch deadline ends it. Meanwhile
    another client's healthy picture loads at once."""
    trickle = origin.url_as("localhost", f"/trickle?interval=0.05&t={uuid.uuid4().hex}")

    def attacker() -> tuple[httpx.Response, float]:
        started = time.monotonic()
        resp = post(client, "add_images", {"draft_url": baseline.draft_url, "image_infos": [
            {"image_url": trickle, "start": 0, "end": 1_000_000}]})
        return resp, time.monotonic() - started

    origin.wait_streams_closed("/trickle", 5)
    with ThreadPoolExecutor(1) as pool, httpx.Client(base_url=srv.url, timeout=30) as other:
        attack = pool.submit(attacker)
        deadline = time.monotonic() + 5
        while origin.open_streams["/trickle"] < 1:
            assert time.monotonic() < deadline, "the trickle was never requested"
            time.sleep(0.01)
        draft = ok(other, "create_draft", {})["draft_url"]
        started = time.monotonic()
        healthy = other.post(f"{API}/add_images", json={"draft_url": draft, "image_infos": [
            {"image_url": origin.url_as("localhost", f"/image_blue.png?fresh={uuid.uuid4().hex}"),
             "start": 0, "end": 1_000_000}]})
        healthy_took = time.monotonic() - started
        SEEN.add("POST", "add_images (healthy, during trickle)", healthy.status_code)
        still_running = not attack.done()
        resp, took = attack.result()
    closed_in = origin.wait_streams_closed("/trickle", 3)
    print(f"healthy request {healthy_took:.2f}s; trickle refused after {took:.2f}s, closed {closed_in:.2f}s later")
    assert healthy.status_code == 200 and healthy.json()["code"] == 0, healthy.text
    assert healthy_took < 2.0 and still_running, (healthy_took, still_running)
    data = refused(resp, 404, 2005, "image_infos[0].image_url: ")
    assert f"timed out after {FETCH_DEADLINE_S:g}s" in data["detail"], data
    assert FETCH_DEADLINE_S - 0.5 < took < FETCH_DEADLINE_S + 2.5, took
    assert origin.open_streams["/trickle"] == 0, "the trickle is still being read"


# -- 4. huge and deeply nested JSON ----------------------------------------------------------------------------------

HUGE = 6 * MiB  # under the 8 MiB body cap, so it reaches validation


def test_huge_json_strings_are_400_naming_the_field(client: httpx.Client, baseline: Baseline) -> None:
    big = "a" * HUGE
    item = {"video_url": "http://example.com/" + big, "start": 0, "end": 1_000_000}
    for infos in ([item], json.dumps([item])):
        started = time.monotonic()
        data = refused(post(client, "add_videos", {"draft_url": baseline.draft_url, "video_infos": infos}),
                       400, 2003, "video_infos[0].video_url")
        assert "4096" in data["detail"], data
        assert time.monotonic() - started < 5
    refused(post(client, "add_videos", {"draft_url": baseline.draft_url, "video_infos": big}),
            400, 2003, "video_infos")
    refused(post(client, "save_draft", {"draft_url": f"http://x{API}/get_draft?draft_id={baseline.draft_id}&{big}"}),
            400, (1001, 2001), "draft_url")
    refused(post(client, "add_captions", {"draft_url": baseline.draft_url, "captions": big}),
            400, (1001, 2018), "captions")


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_body_over_the_cap_is_413(client: httpx.Client, baseline: Baseline, chunked: bool) -> None:
    head = json.dumps({"draft_url": baseline.draft_url, "video_infos": [
        {"video_url": "http://example.com/a.mp4", "start": 0, "end": 1_000_000}]}).encode()
    body = head + b" " * (BODY_CAP + 1 - len(head))
    content: Any = (body[i:i + 65536] for i in range(0, len(body), 65536)) if chunked else body
    resp = client.post(f"{API}/add_videos", content=content, headers={"content-type": "application/json"})
    data = resp.json()
    assert resp.status_code == 413 and data["code"] == 413, (resp.status_code, data)
    assert str(BODY_CAP) in data["detail"], data


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deeply_nested_json_is_400(client: httpx.Client, baseline: Baseline, depth: int) -> None:
    nest = "[" * depth + "]" * depth
    # The whole body, and a value of the body: within the parser's depth limit the value is what is wrong,
    # past it the body is, and the detail says so.
    refused(post(client, "add_videos", nest.encode()), 400, (1001, 2003), "request body")
    raw = '{"draft_url": "' + baseline.draft_url + '", "video_infos": ' + nest + "}"
    data = refused(post(client, "add_videos", raw.encode()), 400, (1001, 2003), "")
    assert data["detail"].startswith("video_infos") or "depth limit exceeded" in data["detail"], data
    # Inside a *_infos JSON string, as a whole and inside an item.
    for endpoint, name, code in (("add_videos", "video_infos", 2003), ("add_images", "image_infos", 2009)):
        refused(post(client, endpoint, {"draft_url": baseline.draft_url, name: nest}), 400, code, name)
    # An ignored key may hold any JSON within the depth limit; past it the string is what is wrong.
    junk = '[{"video_url": "http://a.b/c.mp4", "start": 0, "end": 1, "junk": ' + "[" * 100_000 + "]" * 100_000 + "}]"
    refused(post(client, "add_videos", {"draft_url": baseline.draft_url, "video_infos": junk}),
            400, 2003, "video_infos")


# -- 5. path traversal -----------------------------------------------------------------------------------------------

BAD_IDS = ["../../x", "..%2f..%2fcanary", "..%2F..%2F..%2Fetc%2Fpasswd", "/etc/passwd", "/canary/secret.txt",
           "20250101000000deadbeef/../x", "20250101000000dead\x00beef", "\x00", "..", "." * 22, "x" * 65,
           "9" * 5000, "C:\\Windows\\win.ini", "20250101000000DEADBEEF"]


@pytest.mark.parametrize("bad", BAD_IDS, ids=[f"id{i}" for i in range(len(BAD_IDS))])
def test_traversal_in_draft_ids_is_refused(client: httpx.Client, baseline: Baseline, bad: str) -> None:
    resp = client.get(f"{API}/get_draft", params={"draft_id": bad})
    data = refused(resp, (400, 404), (1001, 2001), "draft_id")
    assert "files" not in data
    resp = client.get(f"{API}/export_draft", params={"draft_id": bad})
    refused(resp, (400, 404), (1001, 2001), "draft_id")
    resp = client.get(f"{API}/preview", params={"draft_id": bad})
    refused(resp, (400, 404), (1001, 2001), "draft_id")
    url = f"http://x{API}/get_draft?{urlencode({'draft_id': bad})}"
    for endpoint, extra in (("save_draft", {}), ("gen_video", {}), ("gen_video_status", {}),
                            ("add_images", {"image_infos": [{"image_url": "http://example.com/a.png",
                                                             "start": 0, "end": 1}]}),
                            ("get_timeline", {})):
        resp = post(client, endpoint, {"draft_url": url, **extra})
        refused(resp, (400, 404), (1001, 2001), "draft_url")


FILE_ATTACKS = [
    "/output/draft/../../canary/secret.txt",
    "/output/draft/..%2F..%2Fcanary/secret.txt",
    "/output/draft/{did}/../../canary/secret.txt",
    "/output/draft/{did}/..%2F..%2Fcanary%2Fsecret.txt",
    "/output/draft/{did}/%2e%2e/%2e%2e/%2e%2e/canary/secret.txt",
    "/output/draft/{did}/assets/../../../secret.txt",
    "/output/draft/{did}/assets/images/..%2F..%2F..%2F..%2Fhostile-evil%2Fsecret.txt",
    "/output/draft/{did}//canary/secret.txt",
    "/output/draft/{did}/%2Fcanary%2Fsecret.txt",
    "/output/draft/{did}/assets\\..\\..\\secret.txt",
    "/output/draft/{did}/draft_content.json%00.png",
    "/output/draft/{did}/%00",
    "/output/draft/{did}/assets/images/nothing.png",
    "/output/draft/{did}/{asset}/../../../../canary.txt",
    "/output/draft/{did}%2F..%2F..%2Fcanary/secret.txt",
    "/output/draft/20990101000000deadbeef/draft_content.json",
    "/output/renders/../../canary/secret.mp4",
    "/output/renders/..%2F..%2Fcanary%2Fsecret.mp4",
    "/output/renders/%2e%2e%2f%2e%2e%2fsecret.txt%00.mp4",
    "/output/renders/{zero}.mp4",
    "/output/renders/{zero}%2F..%2F..%2Fcanary.mp4",
    "/output/renders/..%2Fmedia%2F00%2F{zero}.mp4",
    "/web/..%2F..%2F..%2Fetc%2Fpasswd",
]


def test_raw_requests_reach_the_file_routes(srv: Server, baseline: Baseline) -> None:
    """The control for the attacks below: the same raw requests do serve the draft's own files from S3."""
    status, body = raw_get(srv, f"/output/draft/{baseline.draft_id}/{baseline.asset_path}")
    assert status == 200 and body == baseline.asset
    status, body = raw_get(srv, f"/output/draft/{baseline.draft_id}/draft_content.json")
    assert status == 200 and json.loads(body) == baseline.content
    status, _ = raw_get(srv, f"/output/draft/{baseline.draft_id}/{baseline.asset_path}", "HEAD")
    assert status == 200


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("target", FILE_ATTACKS, ids=[f"path{i}" for i in range(len(FILE_ATTACKS))])
def test_traversal_in_file_routes_is_refused(srv: Server, baseline: Baseline, target: str, method: str) -> None:
    path = target.format(did=baseline.draft_id, asset=baseline.asset_path, zero="0" * 32)
    status, body = raw_get(srv, path, method)
    assert status in (400, 404), (path, status, body[:300])
    assert CANARY not in body
    if method == "GET" and body[:1] == b"{":
        data = json.loads(body)
        assert data["code"] in (400, 404, 1001, 2001, 2031), data
    if path.startswith(("/output/draft/", "/output/renders/")) and method == "GET":
        assert body.startswith(b"{"), (path, body[:200])


def test_no_key_outside_the_prefix_was_read_or_written(client: httpx.Client, s3_server: S3Server,
                                                       baseline: Baseline) -> None:
    """Every key this server added is one of its well-formed shapes under its prefix; nothing else changed."""
    now = bucket(s3_server)
    s3 = s3_server.client()
    added = {k: v for k, v in now.items() if k not in baseline.keys}
    changed = {k for k, v in baseline.keys.items() if now.get(k) != v}
    assert not changed, f"keys changed or removed: {sorted(changed)[:20]}"
    ours = [k for k in now if k.startswith(PREFIX) and k not in CANARY_KEYS]
    assert ours, "the server wrote nothing under its prefix: is it on S3?"
    for key in sorted({*added, *ours}):
        m = KEY_SHAPE.fullmatch(key)
        assert m is not None, f"ill-formed or foreign key {key!r}"
        if m.group(1):
            body = s3.get_object(Bucket=s3_server.bucket, Key=key)["Body"].read()
            assert m.group(1) == m.group(2)[:2] and hashlib.sha256(body).hexdigest() == m.group(2), key
    for key in CANARY_KEYS:
        assert s3.get_object(Bucket=s3_server.bucket, Key=key)["Body"].read() == CANARY, key


# -- 6. afterwards ---------------------------------------------------------------------------------------------------

def test_zz_draft_made_before_the_attacks_is_intact(srv: Server, client: httpx.Client, baseline: Baseline) -> None:
    assert content_of(client, baseline.draft_id) == baseline.content
    assert ok(client, "get_draft", params={"draft_id": baseline.draft_id}, method="GET")["files"] == baseline.files
    asset = client.get(f"/output/draft/{baseline.draft_id}/{baseline.asset_path}")
    assert asset.status_code == 200 and asset.content == baseline.asset
    part = client.get(f"/output/draft/{baseline.draft_id}/{baseline.asset_path}", headers={"range": "bytes=0-7"})
    assert part.status_code == 206 and part.content == baseline.asset[:8]
    ok(client, "save_draft", {"draft_url": baseline.draft_url})
    assert content_of(client, baseline.draft_id) == baseline.content


def test_zz_no_answer_was_a_5xx(srv: Server) -> None:
    assert SEEN.answers
    errors = [a for a in SEEN.answers if a[2] >= 500]
    assert not errors, errors[:20]
    log = srv.log.read_text(errors="replace")
    assert "Traceback" not in log and "Exception in ASGI application" not in log, log[-3000:]
