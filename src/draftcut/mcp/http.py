"""`/mcp`: the MCP server over streamable HTTP, inside the app.

The SDK's session manager must run (`manager.run()`, a task group) for as long
as it serves requests, and must be entered and left by one task. Importing the
SDK costs each server process about a second and some memory, so it is done
on the first `/mcp` request, not at start-up: the app's lifespan starts a
small supervisor task that waits for that first request, then builds the
server and runs the manager until shutdown. Processes nobody asks for MCP
never load it.

Tool calls go back into the same app in process (`httpx.ASGITransport`), so
they pass the app's middleware and error handlers as any HTTP call does.
Stateless, JSON-answer mode: no session lives in a process, so with
`--workers N` any worker answers any request.

Only this module is imported by `api/app.py`; it imports nothing of the SDK
at module level.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from draftcut.config import Settings

if TYPE_CHECKING:
    from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

__all__ = ["McpEndpoint"]

log = logging.getLogger("draftcut.mcp")

_LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


def _security(settings: Settings) -> Any:
    """DNS-rebinding protection as the SDK applies it: on when the server listens on loopback only.

    Then a browser page cannot reach `/mcp` through a hostile DNS name; the
    public URL's host is allowed too. Bound to other addresses, the server is
    meant to be reached by name, like the rest of the API, and no Host is refused.
    """
    from mcp.server.transport_security import TransportSecuritySettings

    if settings.host not in _LOOPBACK:
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    hosts = ["127.0.0.1:*", "localhost:*", "[::1]:*"]
    origins = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]
    public = urlsplit(settings.base_url)
    if public.hostname and public.hostname not in _LOOPBACK:
        hosts += [public.netloc, public.hostname]
        origins.append(f"{public.scheme}://{public.netloc}")
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts,
                                     allowed_origins=origins)


async def _unavailable(send: Send, message: str) -> None:
    body = json.dumps({"jsonrpc": "2.0", "id": None, "error": {"code": -32603, "message": message}}).encode()
    await send({"type": "http.response.start", "status": 503,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


class McpEndpoint:
    """The ASGI endpoint mounted at `/mcp`; `running(app)` belongs in the app's lifespan."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._manager: StreamableHTTPSessionManager | None = None
        self._wanted: asyncio.Event | None = None
        self._ready: asyncio.Event | None = None
        self._stop: asyncio.Event | None = None
        self._failure = ""

    def mount(self, app: FastAPI) -> None:
        """Route `/mcp` (every method: POST, GET, DELETE) here; a route, not a mount, so no slash redirect."""
        endpoint: Any = self  # an ASGI app: starlette's Route calls it as such, FastAPI's hint expects a function
        app.add_route("/mcp", endpoint, include_in_schema=False)

    @contextlib.asynccontextmanager
    async def running(self, app: ASGIApp) -> AsyncIterator[None]:
        """Serve `/mcp` while the app runs; the SDK is loaded on the first request."""
        self._wanted, self._ready, self._stop = asyncio.Event(), asyncio.Event(), asyncio.Event()
        self._failure = ""
        supervisor = asyncio.create_task(self._supervise(app))
        try:
            yield
        finally:
            self._stop.set()
            if not self._wanted.is_set():
                supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await supervisor
            self._wanted = self._ready = self._stop = None

    async def _supervise(self, app: ASGIApp) -> None:
        assert self._wanted and self._ready and self._stop
        await self._wanted.wait()
        try:
            import httpx
            from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

            from draftcut.mcp.server import build_server

            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url=self.settings.base_url, timeout=None,
                                         headers={"accept-language": "en"}) as client:
                server = build_server(client, telemetry=self.settings.telemetry)
                manager = StreamableHTTPSessionManager(server, json_response=True, stateless=True,
                                                       security_settings=_security(self.settings),
                                                       max_request_body_size=self.settings.max_body_bytes)
                async with manager.run():
                    self._manager = manager
                    self._ready.set()
                    await self._stop.wait()
        except Exception as exc:  # /mcp answers 503 saying why; the rest of the app is unaffected
            log.exception("MCP server failed to start")
            self._failure = f"MCP server unavailable: {exc}"
        finally:
            self._manager = None
            self._ready.set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._manager is None:
            if self._wanted is None or self._ready is None:
                await _unavailable(send, "MCP server is not running (app lifespan not started)")
                return
            self._wanted.set()
            await self._ready.wait()
        manager = self._manager
        if manager is None:
            await _unavailable(send, self._failure or "MCP server is shutting down")
            return
        await manager.handle_request(scope, receive, send)
