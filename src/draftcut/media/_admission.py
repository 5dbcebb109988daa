"""Who may download now: a few downloads per request, and a fair share of the process's connections.

Every running download holds one pooled connection, and an origin that
trickles bytes can make that last until the whole-fetch deadline. One
`add_images` with 64 such URLs used to take all 32 connections; another
user's healthy URL then waited for the pool and failed with "timed out
connecting". Two rules prevent that:

- a `FetchGroup` (one per API request) runs at most `limit` of its
  downloads at once; its other URLs wait for one of these to finish;
- `DownloadSlots` admits at most `total` downloads per process (the pool's
  size, so downloads wait here, in order and without a timeout, and never in
  the pool, whose acquisition timeout would fail a healthy URL), and keeps
  `reserve` of them for groups with nothing running yet: a group's second and
  later downloads start only while more than `reserve` slots are free.

So however many slow URLs a few requests send, a new request's first download
starts at once, as long as fewer than `reserve` other requests are also
waiting for their first one.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

__all__ = ["DownloadSlots", "FetchGroup"]


class FetchGroup:
    """The downloads of one request: at most `limit` run at once."""

    __slots__ = ("_held", "_turns", "limit")

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("a fetch group needs room for one download")
        self.limit = limit
        self._turns = asyncio.Semaphore(limit)
        self._held = 0
        """`DownloadSlots` slots this group holds (kept by `DownloadSlots`)."""

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """One of the group's `limit` turns, for as long as one URL is being fetched."""
        async with self._turns:
            yield


class DownloadSlots:
    """At most `total` downloads at once, `reserve` of them kept for groups that have none yet.

    Waiters are served in arrival order among those allowed to start, so a
    group held back by the reserve does not block a newcomer's first download.
    """

    def __init__(self, total: int, reserve: int) -> None:
        if not 0 <= reserve < total:
            raise ValueError(f"reserve {reserve} must be at least 0 and below total {total}")
        self.total = total
        self.reserve = reserve
        self._in_use = 0
        self._waiters: deque[tuple[FetchGroup, asyncio.Future[None]]] = deque()

    @property
    def in_use(self) -> int:
        return self._in_use

    @property
    def waiting(self) -> int:
        return sum(1 for _, fut in self._waiters if not fut.done())

    @asynccontextmanager
    async def slot(self, group: FetchGroup) -> AsyncIterator[None]:
        """Hold one slot for `group` while the body runs (one download, all its hops and retries)."""
        await self._acquire(group)
        try:
            yield
        finally:
            self._release(group)

    def _may_start(self, group: FetchGroup) -> bool:
        free = self.total - self._in_use
        return free > (0 if group._held == 0 else self.reserve)

    def _take(self, group: FetchGroup) -> None:
        self._in_use += 1
        group._held += 1

    async def _acquire(self, group: FetchGroup) -> None:
        # Every waiter left in the queue is one that may not start now (each release serves
        # all that may), so a newcomer that may start does not overtake anyone who could.
        if self._may_start(group):
            self._take(group)
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((group, fut))
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                self._release(group)  # granted as we were cancelled: pass the slot on
            else:
                self._forget(fut)
            raise

    def _forget(self, fut: asyncio.Future[None]) -> None:
        for i, (_, waiting) in enumerate(self._waiters):
            if waiting is fut:
                del self._waiters[i]
                return

    def _release(self, group: FetchGroup) -> None:
        self._in_use -= 1
        group._held -= 1
        self._serve()

    def _serve(self) -> None:
        """Start every waiter that may start now, oldest first."""
        kept: deque[tuple[FetchGroup, asyncio.Future[None]]] = deque()
        while self._waiters:
            group, fut = self._waiters.popleft()
            if fut.done():
                continue
            if self._may_start(group):
                self._take(group)
                fut.set_result(None)
            else:
                kept.append((group, fut))
        self._waiters = kept
