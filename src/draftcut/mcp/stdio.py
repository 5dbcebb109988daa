"""`draftcut mcp`: the MCP server over stdio, for agents that launch their tools as processes.

By default the app is built in this process, on the same data directory as
`draftcut serve` (SQLite and the blob store are safe to share between
processes), and tool calls reach it in process; its lifespan runs here too,
so render workers run and `gen_video` works with no server started. With
`--url`, tool calls go to a running server instead, and this process is only
a bridge.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import anyio
import httpx

from draftcut.config import Settings

__all__ = ["run_stdio"]

_HEADERS = {"accept-language": "en"}  # errors name the field in English, which models read best


@contextlib.asynccontextmanager
async def _client(settings: Settings, url: str | None, api_key: str | None) -> AsyncIterator[httpx.AsyncClient]:
    headers = {**_HEADERS, **({"authorization": f"Bearer {api_key}"} if api_key else {})}
    if url:
        async with httpx.AsyncClient(base_url=url.rstrip("/"), timeout=httpx.Timeout(600, connect=10),
                                     headers=headers) as client:
            yield client
        return
    from draftcut.api.app import create_app
    from draftcut.store.backends import init_database

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    init_database(settings)  # the schema (SQLite: and WAL mode), as `draftcut serve` does before its workers
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=transport, base_url=settings.base_url, timeout=None, headers=headers) as client:
        yield client


async def _serve(settings: Settings, url: str | None, api_key: str | None) -> None:
    from mcp.server.stdio import stdio_server

    from draftcut.mcp.server import build_server

    async with _client(settings, url, api_key) as client, stdio_server() as (read, write):
        server = build_server(client, telemetry=settings.telemetry)
        await server.run(read, write, server.create_initialization_options())


def run_stdio(settings: Settings, url: str | None = None, api_key: str | None = None) -> int:
    """Serve MCP on stdin/stdout until the client closes stdin; `api_key` is sent with every call."""
    anyio.run(_serve, settings, url, api_key)
    return 0
