"""Stop a request's long waits when its HTTP client goes away.

uvicorn does not cancel a request's task when the client disconnects: the
handler runs to the end and its answer is dropped. For an edit that was
downloading media, that kept dozens of connections busy, up to their
deadline, for nobody. So the route handler hands its ASGI `receive` to
`bind_client` (a context variable: it follows the request's task, and tasks
started from it), and a long wait runs through `unless_client_leaves`, which
listens on `receive` for `http.disconnect`, cancels the wait when it comes and
raises the caller's error (answered to nobody, but it unwinds the handler as
any failure does, without uvicorn logging a cancelled task as a crash).

Only waits that may take long pay for the listening task; the rest of a
request never looks at the connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, MutableMapping
from contextvars import ContextVar
from typing import Any, TypeVar

__all__ = ["bind_client", "unless_client_leaves"]

T = TypeVar("T")
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]

_RECEIVE: ContextVar[Receive | None] = ContextVar("draftcut_client_receive", default=None)


def bind_client(receive: Receive) -> None:
    """Let `unless_client_leaves` watch this request's connection (call once the body is read)."""
    _RECEIVE.set(receive)


async def _client_left(receive: Receive) -> None:
    """Return when `receive` reports the disconnect; never, if it cannot say."""
    try:
        while (await receive())["type"] != "http.disconnect":
            pass
    except Exception:  # a server without disconnect messages: never cancel on its behalf
        await asyncio.Event().wait()


async def unless_client_leaves(work: Coroutine[Any, Any, T], gone: Exception) -> T:
    """Await `work`; if the bound client disconnects first, cancel it and raise `gone`.

    `work` runs in a task of its own, and is waited for once cancelled, so
    its cleanup (closing connections, removing partial files) is done when
    this returns. Without a bound client this is a plain `await work`.
    """
    receive = _RECEIVE.get()
    if receive is None:
        return await work
    task = asyncio.ensure_future(work)
    watcher = asyncio.ensure_future(_client_left(receive))
    try:
        await asyncio.wait((task, watcher), return_when=asyncio.FIRST_COMPLETED)
    finally:
        watcher.cancel()
        if not task.done():
            task.cancel()
            await asyncio.wait((task,))
    if task.cancelled():
        raise gone
    return task.result()
