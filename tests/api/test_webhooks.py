"""gen_video's `callback_url`: signed deliveries on completion and failure, retries, and the address guard.

A real server (with a webhook secret and short back-off) calls a real HTTP
receiver on 127.0.0.1, which the test server's DRAFTCUT_MEDIA_ALLOW_HOSTS admits.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from utils.render_jobs import Receiver, blob_of, own_clip, small_draft
from utils.server_fixtures import Server, call, create_draft

SECRET = "s3cret-for-tests"
BACKOFF_S = 0.2


def verified(hit: Any) -> bool:
    """How a receiver checks a delivery: HMAC-SHA256 of the raw body under the shared secret."""
    expected = "sha256=" + hmac.new(SECRET.encode(), hit.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, hit.headers.get("x-draftcut-signature", ""))


@pytest.fixture(scope="module")
def hooks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, httpx.Client, Receiver]]:
    env = {"DRAFTCUT_WEBHOOK_SECRET": SECRET, "DRAFTCUT_WEBHOOK_BACKOFF_S": str(BACKOFF_S),
           "DRAFTCUT_WEBHOOK_RETRIES": "3", "DRAFTCUT_WEBHOOK_TIMEOUT_S": "5"}
    with Server(tmp_path_factory.mktemp("webhooks"), env=env) as srv, \
            httpx.Client(base_url=srv.url, timeout=60) as client, Receiver() as receiver:
        yield srv, client, receiver


def _callback_state(client: httpx.Client, url: str, final: str = "delivered") -> dict[str, Any]:
    """gen_video_status's `callback`, once the delivery is recorded as `final`."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = call(client, "gen_video_status", {"draft_url": url})
        if status["callback"]["status"] == final:
            return dict(status["callback"])
        time.sleep(0.05)
    raise AssertionError(status)


@pytest.fixture(scope="module")
def rendered(hooks: tuple[Server, httpx.Client, Receiver], media: Any) -> tuple[str, Any]:
    """A draft rendered with a callback; later tests reuse it through the render cache (no new render)."""
    _srv, client, receiver = hooks
    url = small_draft(client, media)
    call(client, "gen_video", {"draft_url": url, "callback_url": receiver.url("/done")})
    (hit,) = receiver.wait("/done")
    return url, hit


def test_completed_render_is_posted_signed(hooks: tuple[Server, httpx.Client, Receiver],
                                           rendered: tuple[str, Any]) -> None:
    _srv, client, receiver = hooks
    url, hit = rendered
    assert verified(hit), hit.headers
    assert hit.headers["content-type"] == "application/json"
    assert hit.headers["x-draftcut-event"] == "render.completed" and hit.headers["x-draftcut-attempt"] == "1"
    body = hit.json()
    status = call(client, "gen_video_status", {"draft_url": url})
    assert body["code"] == 0 and body["status"] == "completed" and body["draft_url"] == url
    assert body["video_url"] == status["video_url"] and body["task_id"] == hit.headers["x-draftcut-task-id"]
    assert "callback" not in body
    assert httpx.get(body["video_url"]).status_code == 200
    assert _callback_state(client, url) == {"url": receiver.url("/done"), "status": "delivered", "attempts": 1,
                                            "last_status": 200, "last_error": ""}
    tampered = type(hit)(hit.path, hit.headers, hit.body.replace(b"completed", b"failed"), hit.at)
    assert not verified(tampered)


def test_failed_render_is_posted(hooks: tuple[Server, httpx.Client, Receiver], media: Any) -> None:
    srv, client, receiver = hooks
    clip = own_clip(media, "webhook_fails", "0x70a030")
    url = small_draft(client, media, clip)
    blob_of(srv.data_dir, media, clip).unlink()
    answer = call(client, "gen_video", {"draft_url": url, "callback_url": receiver.url("/failed")})
    assert [w["kind"] for w in answer["warnings"]] == ["missing_media"]
    (hit,) = receiver.wait("/failed")
    assert verified(hit) and hit.headers["x-draftcut-event"] == "render.failed"
    body = hit.json()
    assert body["status"] == "failed" and body["error_message"] and body["video_url"] == ""
    assert _callback_state(client, url)["attempts"] == 1


def test_failing_receiver_gets_retries_with_back_off(hooks: tuple[Server, httpx.Client, Receiver],
                                                     rendered: tuple[str, Any]) -> None:
    _srv, client, receiver = hooks
    url, _hit = rendered
    receiver.fail["/flaky"] = 2
    answer = call(client, "gen_video", {"draft_url": url, "callback_url": receiver.url("/flaky")})
    assert answer["cached"] is True  # answered from the cache, still called back
    hits = receiver.wait("/flaky", 3)
    assert [h.headers["x-draftcut-attempt"] for h in hits] == ["1", "2", "3"]
    assert all(verified(h) for h in hits) and len({h.body for h in hits}) == 1
    gaps = [b.at - a.at for a, b in zip(hits, hits[1:], strict=False)]
    assert gaps[0] >= BACKOFF_S * 0.9 and gaps[1] >= 2 * BACKOFF_S * 0.9, gaps
    state = _callback_state(client, url)
    assert (state["attempts"], state["last_status"]) == (3, 200)

    receiver.fail["/down"] = 100
    call(client, "gen_video", {"draft_url": url, "callback_url": receiver.url("/down")})
    state = _callback_state(client, url, final="failed")
    assert (state["attempts"], state["last_status"], state["last_error"]) == (4, 500, "HTTP 500")
    assert len(receiver.at("/down")) == 4  # the first try and DRAFTCUT_WEBHOOK_RETRIES=3 retries


def test_refused_callback_addresses(hooks: tuple[Server, httpx.Client, Receiver], rendered: tuple[str, Any]) -> None:
    _srv, client, receiver = hooks
    fresh = create_draft(client, 320, 240)
    for bad in ("http://169.254.169.254/latest/meta-data/", "http://127.0.0.2:9/", "http://[::1]/",
                "file:///etc/passwd", "http://user:pw@example.com/"):
        data = call(client, "gen_video", {"draft_url": fresh, "callback_url": bad}, status=400, code=1001)
        assert data["detail"].startswith("callback_url: "), data
    call(client, "gen_video_status", {"draft_url": fresh}, status=404, code=2031)  # no job was made

    # A name is judged by what it resolves to, when sending: refused without connecting, and not retried.
    url, _hit = rendered
    name = socket.gethostname()
    try:
        address = ipaddress.ip_address(socket.getaddrinfo(name, None)[0][4][0])
    except (OSError, ValueError):
        pytest.skip(f"{name} does not resolve")
    if address.is_global:
        pytest.skip(f"{name} resolves to a public address")
    path = "/by-name"
    call(client, "gen_video", {"draft_url": url, "callback_url": f"http://{name}:{receiver.port}{path}"})
    state = _callback_state(client, url, final="failed")
    assert state["attempts"] == 0 and state["last_error"].startswith("refused: "), state
    assert receiver.at(path) == []


def test_unsigned_without_a_secret(api: httpx.Client, media: Any, tmp_path: Path) -> None:
    """The session server has no DRAFTCUT_WEBHOOK_SECRET: callbacks come without a signature header."""
    with Receiver() as receiver:
        url = small_draft(api, media)
        call(api, "gen_video", {"draft_url": url, "callback_url": receiver.url("/plain")})
        (hit,) = receiver.wait("/plain")
    assert "x-draftcut-signature" not in hit.headers and hit.json()["status"] == "completed"
