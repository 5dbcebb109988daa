"""The request-body size cap (`DRAFTCUT_MAX_BODY_BYTES`), for every route, as ASGI middleware.

A 55 MB edit once held the event loop for ten seconds while it was parsed, and
every other client waited. The cap refuses such a body before any of it is
parsed: a declared Content-Length over the cap is answered 413 at once, without
reading the body or calling the route; a chunked body (no Content-Length) is
counted as it streams and refused when the count passes the cap, so leaving the
header out does not get around it.

The common request costs one scan of its header list: `receive` is wrapped only
for chunked bodies, since the server already holds a body with a Content-Length
to its declared size. FastAPI's own `max_body_size` is not used because it wraps
every request and answers in its own format; this answers like every other
draftcut error (`code`, `message`, `detail`, `DRAFTCUT_ERRORS_HTTP_200`).

A route that takes files (`import_draft`: a draft with its media, gigabytes)
has a cap of its own, looked up by exact path: one dict look-up per request,
and the route streams its body to disk, so the larger cap costs no memory.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from draftcut.api.errors import error_response
from draftcut.errors import BodyTooLarge

__all__ = ["BodyLimit", "Cap"]


@dataclass(frozen=True, slots=True)
class Cap:
    """A body size cap and the setting that sets it (named in the 413, so the operator knows what to raise)."""

    max_bytes: int
    setting: str = "DRAFTCUT_MAX_BODY_BYTES"


class BodyLimit:
    """Refuse request bodies over `max_bytes` (or their path's own cap) with HTTP 413 (`BodyTooLarge`)."""

    def __init__(self, app: ASGIApp, max_bytes: int, path_caps: Mapping[str, Cap] | None = None) -> None:
        self.app = app
        self.cap = Cap(max_bytes)
        self.path_caps = dict(path_caps or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.path_caps.get(scope["path"], self.cap)
        declared: bytes | None = None
        chunked = False
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = value
            elif name == b"transfer-encoding":
                chunked = True
        if declared is not None:
            if _size(declared) > cap.max_bytes:
                await self._refuse(scope, send, cap, f"{int(declared)} bytes")
                return
            await self.app(scope, receive, send)
        elif chunked:
            await self._counted(scope, receive, send, cap)
        else:
            await self.app(scope, receive, send)

    async def _counted(self, scope: Scope, receive: Receive, send: Send, cap: Cap) -> None:
        """Run the app on a streamed body, answering 413 in its place once the body passes the cap.

        The route sees `BodyTooLarge` from `receive`; whatever it makes of that
        (FastAPI's general handler turns body-read errors into a 400) is
        dropped, and the 413 is sent here, unless the route had already started
        its answer before reading the body through.
        """
        seen = 0
        over = False
        started = False

        async def counting_receive() -> Message:
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap.max_bytes:
                    over = True
                    raise BodyTooLarge(_detail(cap, f"over {cap.max_bytes} bytes"), field="request body")
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if over and not started:
                return  # the 413 below replaces the route's answer
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not over or started:
                raise
        if over and not started:
            await self._refuse(scope, send, cap, f"over {cap.max_bytes} bytes")

    @staticmethod
    async def _refuse(scope: Scope, send: Send, cap: Cap, size: str) -> None:
        error = BodyTooLarge(_detail(cap, size), field="request body")
        request = Request(scope)
        # The app's own error rendering: same body, language and DRAFTCUT_ERRORS_HTTP_200 rule.
        response = error_response(request, error)
        await response(scope, _no_body, send)


def _detail(cap: Cap, size: str) -> str:
    return f"{size}, more than the {cap.max_bytes}-byte limit ({cap.setting})"


def _size(declared: bytes) -> int:
    """The declared Content-Length; the server has already refused malformed ones, this only stays safe."""
    try:
        return int(declared)
    except ValueError:
        return 0


async def _no_body() -> Message:
    """The refused body is never read; the server discards what is still arriving."""
    return {"type": "http.request", "body": b"", "more_body": False}
