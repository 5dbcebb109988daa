"""Run a request's downloads together, and report the first that failed by position."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

__all__ = ["in_order"]

T = TypeVar("T")


async def in_order(jobs: Sequence[Callable[[], Awaitable[T]]]) -> list[T]:
    """Run `jobs` concurrently; their results in order.

    A TaskGroup, unlike gather, cancels the other jobs when one fails and
    waits until they have closed their connections. The error raised is that
    of the first job, by position, that failed, not whichever failed first in
    time: the caller reports ``video_infos[0]``, not a later item that
    happened to fail sooner.
    """
    running: list[asyncio.Task[T]] = []

    async def run(job: Callable[[], Awaitable[T]]) -> T:
        return await job()

    try:
        async with asyncio.TaskGroup() as tasks:
            running.extend(tasks.create_task(run(job)) for job in jobs)
    except BaseExceptionGroup as failed:
        for task in running:
            error = task.exception() if task.done() and not task.cancelled() else None
            if error is not None:
                raise error from None
        raise failed.exceptions[0] from None
    return [task.result() for task in running]
