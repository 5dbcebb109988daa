"""Download admission and cancellation: per-request turns, a reserved share of the pool, clean stops.

The rules themselves (`DownloadSlots`, `FetchGroup`) are tested on their own;
the fetcher tests go through the loopback media server, whose trickle route
counts the responses it is still writing, i.e. the connections the fetcher
really left open.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx
import pytest
from utils.http_server import MediaServer
from utils.media_fixtures import FetchEnv

from draftcut.errors import MediaUnreachable
from draftcut.media import DownloadSlots, FetchGroup, MediaFetcher, MediaFile
from draftcut.media._fetch import RECANCEL_S, _settled

TRICKLE = "/trickle"


@pytest.fixture(autouse=True)
def no_streams_left(media_server: MediaServer) -> None:
    media_server.wait_streams_closed(TRICKLE, 10)
    media_server.reset_peaks()


async def wait_for(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.01)


# -- the rules -----------------------------------------------------------------


def test_slots_keep_a_reserve_for_groups_with_nothing_running() -> None:
    async def main() -> None:
        slots = DownloadSlots(4, reserve=1)
        greedy, other, third = FetchGroup(10), FetchGroup(10), FetchGroup(10)
        order: list[str] = []
        release: dict[str, asyncio.Event] = {}

        async def download(name: str, group: FetchGroup) -> None:
            release[name] = asyncio.Event()
            async with slots.slot(group):
                order.append(name)
                await release[name].wait()

        tasks = [asyncio.create_task(download(f"g{i}", greedy)) for i in range(5)]
        await asyncio.sleep(0.01)
        # The greedy group's first takes a slot, its next two leave one free; the rest wait.
        assert order == ["g0", "g1", "g2"] and slots.in_use == 3 and slots.waiting == 2
        tasks.append(asyncio.create_task(download("o0", other)))
        await asyncio.sleep(0.01)
        assert order[-1] == "o0" and slots.in_use == 4  # another group's first uses the reserve
        tasks.append(asyncio.create_task(download("t0", third)))
        await asyncio.sleep(0.01)
        assert "t0" not in order  # nothing free at all now
        release["g0"].set()
        await asyncio.sleep(0.01)
        # One slot came free: the oldest waiter that may start gets it. g3 waits for more than the reserve.
        assert order[-1] == "t0" and slots.waiting == 2
        release["o0"].set()
        release["t0"].set()
        await asyncio.sleep(0.01)
        # Two free: the greedy group may take one more, and leaves the reserve alone.
        assert order[-1] == "g3" and slots.in_use == 3 and slots.waiting == 1
        for event in release.values():
            event.set()
        await asyncio.gather(*tasks)
        assert slots.in_use == 0 and slots.waiting == 0

    asyncio.run(main())


def test_slots_survive_cancelled_waiters() -> None:
    async def main() -> None:
        slots = DownloadSlots(2, reserve=0)
        group = FetchGroup(10)
        got: list[int] = []

        async def download(n: int) -> None:
            async with slots.slot(group):
                got.append(n)

        holders = [slots.slot(group) for _ in range(2)]
        for holder in holders:
            await holder.__aenter__()
        waiting = [asyncio.create_task(download(n)) for n in range(3)]
        await asyncio.sleep(0.01)
        assert slots.in_use == 2 and slots.waiting == 3
        waiting[0].cancel()
        await asyncio.sleep(0.01)
        assert slots.waiting == 2 and slots.in_use == 2
        # Granted to waiter 1, which is cancelled before it runs: the slot must pass on to waiter 2.
        await holders[0].__aexit__(None, None, None)
        waiting[1].cancel()
        await asyncio.sleep(0.01)
        assert got == [2]
        await holders[1].__aexit__(None, None, None)
        await asyncio.gather(*waiting, return_exceptions=True)
        assert waiting[0].cancelled() and waiting[1].cancelled()
        assert slots.in_use == 0 and slots.waiting == 0

    asyncio.run(main())


def test_group_limits_its_own_downloads() -> None:
    async def main() -> None:
        group = FetchGroup(2)
        running = 0
        peak = 0

        async def one() -> None:
            nonlocal running, peak
            async with group.turn():
                running += 1
                peak = max(peak, running)
                await asyncio.sleep(0.01)
                running -= 1

        await asyncio.gather(*(one() for _ in range(7)))
        assert peak == 2

    asyncio.run(main())
    with pytest.raises(ValueError):
        DownloadSlots(4, reserve=4)


# -- the fetcher ---------------------------------------------------------------


def test_fetch_group_runs_a_few_downloads_at_a_time(fetch_env: FetchEnv, media_server: MediaServer) -> None:
    async def main() -> None:
        async with fetch_env.fetcher(media_downloads_per_request=2) as fetcher:
            group = fetcher.new_group()
            tasks = [asyncio.create_task(fetcher.get(media_server.url(f"{TRICKLE}?interval=0.05&n={i}"),
                                                     group=group)) for i in range(6)]
            await wait_for(lambda: media_server.open_streams[TRICKLE] == 2)
            await asyncio.sleep(0.3)
            assert media_server.open_streams[TRICKLE] == 2 and fetcher.slots.in_use == 2
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            assert fetcher.slots.in_use == 0

    asyncio.run(main())
    assert media_server.wait_streams_closed(TRICKLE, 2) < 1.0
    assert media_server.peak_streams[TRICKLE] == 2
    assert fetch_env.scratch_leftovers() == []


@pytest.mark.parametrize("gap", [0, 1, 2, 3, 5, 8])
def test_second_cancellation_still_closes_the_connection(fetch_env: FetchEnv, media_server: MediaServer,
                                                         gap: int) -> None:
    """A cancellation landing while a cancelled download closes its connection (gap = loop turns later).

    It used to interrupt httpcore's close: the socket stayed open for good and
    its pool slot stayed taken. It happens when a download's deadline fires as
    its request's other downloads are being cancelled.
    """
    async def main() -> None:
        async with fetch_env.fetcher() as fetcher:
            task = asyncio.create_task(fetcher.get(media_server.url(f"{TRICKLE}?interval=0.05&gap={gap}")))
            await wait_for(lambda: media_server.open_streams[TRICKLE] == 1)
            await asyncio.sleep(0.1)
            task.cancel()
            for _ in range(gap):
                await asyncio.sleep(0)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            assert task.cancelled()
            # Checked while the fetcher (and its pool) is still alive: closing it would hide a leak.
            closed_in = await asyncio.to_thread(media_server.wait_streams_closed, TRICKLE, 2)
            assert media_server.open_streams[TRICKLE] == 0 and closed_in < 1.0, closed_in
            assert fetcher.slots.in_use == 0

    asyncio.run(main())
    assert fetch_env.scratch_leftovers() == []


def test_cancelled_first_waiter_hands_the_url_to_the_next(fetch_env: FetchEnv, media_server: MediaServer) -> None:
    """Two requests wait on one URL; the one downloading it is cancelled. The other must still get it."""
    url = media_server.url("/slow/0.4/image.jpg?shared=1")
    before = media_server.hits["/slow/0.4/image.jpg"]

    async def main() -> MediaFile:
        async with fetch_env.fetcher() as fetcher:
            first = asyncio.create_task(fetcher.get(url, group=fetcher.new_group()))
            await wait_for(lambda: media_server.hits["/slow/0.4/image.jpg"] == before + 1)
            second = asyncio.create_task(fetcher.get(url, group=fetcher.new_group()))
            await asyncio.sleep(0.1)
            first.cancel()
            await asyncio.gather(first, return_exceptions=True)
            return await asyncio.wait_for(second, 5)

    media = asyncio.run(main())
    assert media.info.kind == "image" and media.ext == ".jpg"
    assert media_server.hits["/slow/0.4/image.jpg"] == before + 2  # the second downloaded it again
    assert fetch_env.scratch_leftovers() == []


def test_a_full_pool_delays_but_does_not_fail_a_healthy_url(fetch_env: FetchEnv, media_server: MediaServer) -> None:
    """34 trickles (each its own request) for 32 connections, then a healthy URL.

    The healthy download waits for a slot, not for a pooled connection: the
    pool's acquisition timeout (the 0.5 s read timeout) used to fail it with
    "timed out connecting" while every connection trickled on.
    """
    async def main() -> tuple[MediaFile | BaseException, float]:
        async with fetch_env.fetcher(media_timeout_s=0.5) as fetcher:  # deadline 2 s
            slow = [asyncio.create_task(fetcher.get(media_server.url(f"{TRICKLE}?interval=0.05&p={i}")))
                    for i in range(34)]
            await wait_for(lambda: media_server.open_streams[TRICKLE] == 32)
            started = time.monotonic()
            try:
                result: MediaFile | BaseException = await fetcher.get(media_server.url("/image.jpg?pool=1"))
            except MediaUnreachable as exc:
                result = exc
            took = time.monotonic() - started
            for task in slow:
                task.cancel()
            await asyncio.gather(*slow, return_exceptions=True)
            return result, took

    result, took = asyncio.run(main())
    assert isinstance(result, MediaFile), result
    assert took < 4, took
    assert media_server.wait_streams_closed(TRICKLE, 2) < 1.0


def test_a_lost_cancellation_does_not_leave_a_download_running() -> None:
    """A download that swallows its cancellation (as anyio's connect can) is cancelled again, and ends.

    Waiting for it without that would hold the request, and a trickling
    connection, for as long as the origin keeps sending.
    """
    async def stubborn(cancels: list[float]) -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancels.append(time.monotonic())  # swallowed: carries on as if nothing happened
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancels.append(time.monotonic())
            raise

    async def main() -> tuple[list[float], float]:
        cancels: list[float] = []
        task = asyncio.ensure_future(stubborn(cancels))
        await asyncio.sleep(0.01)
        started = time.monotonic()
        task.cancel()
        await asyncio.wait_for(_settled(task), 5)
        return cancels, time.monotonic() - started

    cancels, took = asyncio.run(main())
    assert len(cancels) == 2
    assert RECANCEL_S <= took < RECANCEL_S + 0.5, took


class _SwallowingTransport(httpx.AsyncBaseTransport):
    """Loses a cancellation that arrives while connecting, then sends the request anyway.

    What anyio's connect does when the cancellation lands just as the
    connection is made (seen under load in the fairness tests): the download
    carries on as if it had not been cancelled.
    """

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.swallowed = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            await asyncio.sleep(0.3)
        except asyncio.CancelledError:
            self.swallowed += 1
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def test_a_cancellation_lost_while_connecting_stops_the_download(
        fetch_env: FetchEnv, media_server: MediaServer, caplog: pytest.LogCaptureFixture) -> None:
    transport = _SwallowingTransport()

    async def main() -> float:
        fetcher = MediaFetcher(fetch_env.settings(), fetch_env.blobs, fetch_env.index, transport=transport)
        async with fetcher:
            task = asyncio.create_task(fetcher.get(media_server.url(f"{TRICKLE}?interval=0.05&lost=1")))
            await asyncio.sleep(0.1)
            started = time.monotonic()
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            took = time.monotonic() - started
            assert task.cancelled()
            closed_in = await asyncio.to_thread(media_server.wait_streams_closed, TRICKLE, 2)
            assert media_server.open_streams[TRICKLE] == 0 and closed_in < 1.0, closed_in
            return took

    took = asyncio.run(main())
    assert transport.swallowed == 1
    # Stopped as soon as the response came back, not by the re-cancel safety net.
    assert took < 0.3 + RECANCEL_S, took
    assert "cancelling it again" not in caplog.text
