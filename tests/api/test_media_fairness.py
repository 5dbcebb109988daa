"""One request's slow media must not stall anyone else's (issue 7, item 2b).

A real `draftcut serve` process fetches from the loopback media server, whose
`/trickle` route sends a byte every 50 ms forever: such a download never
trips the 2 s read timeout and only ends at the 8 s whole-fetch deadline.
The media server counts the trickle responses it is still writing, so the
tests see when draftcut really closed its connections, not just when it
answered.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from utils.http_server import MediaServer
from utils.server_fixtures import API, Server, create_draft

TRICKLE = "/trickle"
PER_REQUEST = 6
CONNECTIONS = 32


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = Server(tmp_path_factory.mktemp("fairness"), env={
        "DRAFTCUT_MEDIA_TIMEOUT_S": "2",  # whole-fetch deadline 8 s
        "DRAFTCUT_MEDIA_DOWNLOADS_PER_REQUEST": str(PER_REQUEST),
        "DRAFTCUT_MEDIA_CONNECTIONS": str(CONNECTIONS),
    })
    with server:
        yield server


@pytest.fixture
def draft(srv: Server) -> str:
    with httpx.Client(base_url=srv.url, timeout=10) as client:
        return create_draft(client)


def trickles(n: int) -> list[str]:
    """Paths of `n` distinct never-ending downloads (distinct, so none share a single-flight download)."""
    tag = uuid.uuid4().hex[:8]
    return [f"{TRICKLE}?interval=0.05&t={tag}-{i}" for i in range(n)]


def images_body(draft: str, media: MediaServer, paths: list[str]) -> dict[str, Any]:
    infos = [{"image_url": media.url(p), "start": i * 1_000_000, "end": (i + 1) * 1_000_000}
             for i, p in enumerate(paths)]
    return {"draft_url": draft, "image_infos": infos}


def healthy() -> str:
    """A small image no earlier test has fetched (the query string makes the URL new)."""
    return f"/image_blue.png?fresh={uuid.uuid4().hex}"


def wait_until(check: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)


def post(srv: Server, body: dict[str, Any], **client: Any) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    with httpx.Client(base_url=srv.url, **{"timeout": 30, **client}) as c:
        resp = c.post(f"{API}/add_images", json=body)
    return resp, time.monotonic() - started


@pytest.fixture(autouse=True)
def no_streams_left(media: MediaServer) -> Iterator[None]:
    """Each test starts with no trickle open (an earlier failure must not skew the next test's counts)."""
    media.wait_streams_closed(TRICKLE, 10)
    media.reset_peaks()
    yield


def test_failed_request_cancels_its_other_downloads(srv: Server, media: MediaServer, draft: str) -> None:
    """Request A: one URL that fails after 1.5 s, then 63 that trickle. B fetches a healthy image meanwhile.

    A fails on item 0; its 63 other downloads must stop with it (they used to
    run on to their 8 s deadline), and it never runs more than its share at
    once. B must not wait for A's downloads to free a pooled connection.
    """
    a_body = images_body(draft, media, ["/slow/1.5/garbage.mp4", *trickles(63)])
    with ThreadPoolExecutor(2) as pool:
        a = pool.submit(post, srv, a_body)
        wait_until(lambda: media.open_streams[TRICKLE] >= 3, 10)
        b_resp, b_took = pool.submit(post, srv, images_body(draft, media, [healthy()])).result()
        a_resp, a_took = a.result()
    closed_in = media.wait_streams_closed(TRICKLE, 5)
    print(f"B {b_took:.2f}s, A {a_took:.2f}s, A's trickles closed {closed_in:.2f}s after its answer, "
          f"peak {media.peak_streams[TRICKLE]} at once")

    assert b_resp.status_code == 200 and b_resp.json()["code"] == 0, b_resp.text
    assert b_took < 1.5, b_took
    a_data = a_resp.json()
    assert a_resp.status_code == 400 and a_data["code"] == 3010, a_data
    assert a_data["detail"].startswith("image_infos[0].image_url: "), a_data
    assert a_took < 4, a_took
    assert media.open_streams[TRICKLE] == 0, f"{media.open_streams[TRICKLE]} downloads still running"
    assert closed_in < 1.0, closed_in
    # One of A's turns is the failing URL; the rest may trickle.
    assert media.peak_streams[TRICKLE] <= PER_REQUEST - 1, media.peak_streams[TRICKLE]


def test_client_going_away_cancels_its_downloads(srv: Server, media: MediaServer, draft: str) -> None:
    """A client that gives up after 1 s: the server must drop its 64 trickling downloads at once."""
    body = images_body(draft, media, trickles(64))
    with pytest.raises(httpx.ReadTimeout):
        post(srv, body, timeout=httpx.Timeout(30, read=1.0))
    closed_in = media.wait_streams_closed(TRICKLE, 6)
    print(f"closed {closed_in:.2f}s after the client left, peak {media.peak_streams[TRICKLE]} at once")
    assert media.peak_streams[TRICKLE] == PER_REQUEST
    assert media.open_streams[TRICKLE] == 0, f"{media.open_streams[TRICKLE]} downloads still running"
    assert closed_in < 1.0, closed_in
    # The server is fine afterwards, and did not log the cancellation as a crash.
    resp, _ = post(srv, images_body(draft, media, [healthy()]))
    assert resp.status_code == 200, resp.text
    assert "Exception in ASGI application" not in srv.log.read_text()


def test_greedy_requests_leave_a_share_of_the_pool(srv: Server, media: MediaServer, draft: str) -> None:
    """Eight requests of 64 trickles each want 512 downloads; a ninth request's one image still loads at once."""

    async def main() -> tuple[httpx.Response, float, int]:
        async with httpx.AsyncClient(base_url=srv.url, timeout=30) as client:
            greedy = [asyncio.create_task(client.post(f"{API}/add_images",
                                                      json=images_body(draft, media, trickles(64))))
                      for _ in range(8)]
            deadline = time.monotonic() + 10
            # Until the greedy ones hold all they may (or, unfixed, the whole pool).
            while media.open_streams[TRICKLE] < 3 * PER_REQUEST and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            await asyncio.sleep(0.5)
            busy = media.open_streams[TRICKLE]
            started = time.monotonic()
            resp = await client.post(f"{API}/add_images", json=images_body(draft, media, [healthy()]))
            took = time.monotonic() - started
            for task in greedy:
                task.cancel()  # their clients go away
            await asyncio.gather(*greedy, return_exceptions=True)
            return resp, took, busy

    resp, took, busy = asyncio.run(main())
    closed_in = media.wait_streams_closed(TRICKLE, 6)
    print(f"{busy} greedy downloads running; the other request took {took:.2f}s; "
          f"greedy ones closed {closed_in:.2f}s after their clients left")
    assert resp.status_code == 200 and resp.json()["code"] == 0, (busy, resp.text)
    assert took < 1.5, (took, busy)
    assert busy < CONNECTIONS, busy
    assert media.open_streams[TRICKLE] == 0 and closed_in < 1.5, closed_in

