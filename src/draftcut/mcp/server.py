"""The MCP server: every capcut-mate endpoint as a tool, plus preview_frame.

A tool call is an HTTP request to the app through an `httpx.AsyncClient`,
whatever the transport: in-process (`httpx.ASGITransport`, no network) for
the `/mcp` mount and for `draftcut mcp`, or a running server for
`draftcut mcp --url`. So a tool behaves exactly as the endpoint does (same
validation, same errors, same body-size cap), and the tool list is read from
the same `/openapi.json` the client reaches: it always matches the server
that executes the calls.

Built on the SDK's low-level `Server`: tool schemas are data here (read from
the OpenAPI document), not Python signatures, which is what `MCPServer`'s
decorators are for.
"""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import anyio
import anyio.to_thread
import httpx
import mcp_types as types
from mcp.server import Server, ServerRequestContext
from mcp.shared.exceptions import MCPError

from draftcut import __version__
from draftcut.config import API_PREFIX
from draftcut.mcp.tools import ToolSpec, load_notes, tool_specs
from draftcut.schemas.render import PREVIEW_MAX_WIDTH, PREVIEW_MIN_WIDTH

__all__ = ["DraftcutTools", "build_server"]


def _error(text: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=text)], is_error=True)


def _answer(resp: httpx.Response) -> types.CallToolResult:
    """An endpoint's answer as a tool result: the JSON as text and structured content, or a tool error.

    Errors are recognised by status or by a non-zero `code`, so servers run with
    `DRAFTCUT_ERRORS_HTTP_200` (errors with HTTP 200, as capcut-mate) read the same.
    """
    try:
        body = resp.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return _error(f"HTTP {resp.status_code}: {resp.text[:1000]}")
    code = body.get("code")
    if resp.status_code >= 400 or code not in (0, None):
        detail = body.get("detail") or body.get("message") or "error"
        if not isinstance(detail, str):
            detail = json.dumps(detail, ensure_ascii=False)
        return _error(f"error {code} (HTTP {resp.status_code}): {detail}")
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return types.CallToolResult(content=[types.TextContent(text=text)], structured_content=body)


def _png(data: bytes, max_width: int | None) -> tuple[bytes, str]:
    """The frame, downscaled to `max_width` if it is wider, and a line saying its size."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        width, height = img.size
        if not max_width or width <= max_width:
            return data, f"{width}x{height} px"
        size = (max_width, max(1, round(height * max_width / width)))
        out = io.BytesIO()
        img.convert("RGB").resize(size, Image.Resampling.LANCZOS).save(out, format="PNG")
    return out.getvalue(), f"{size[0]}x{size[1]} px (downscaled from {width}x{height})"


class DraftcutTools:
    """The tool list and tool calls over one client whose base URL reaches the API."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self._specs: dict[str, ToolSpec] | None = None
        self._lock = anyio.Lock()

    async def specs(self) -> dict[str, ToolSpec]:
        """Read once per process (the routes do not change while it runs); a failed read is retried."""
        async with self._lock:
            if self._specs is None:
                resp = await self.client.get("/openapi.json")
                resp.raise_for_status()
                self._specs = {spec.name: spec for spec in tool_specs(resp.json())}
            return self._specs

    async def list(self) -> list[types.Tool]:
        return [types.Tool(name=s.name, description=s.description, input_schema=s.input_schema)
                for s in (await self.specs()).values()]

    async def call(self, name: str, arguments: dict[str, Any], headers: dict[str, str] | None = None,
                   ) -> types.CallToolResult:
        """Call tool `name`; `headers` go with the HTTP request (the MCP client's API key)."""
        spec = (await self.specs()).get(name)
        if spec is None:
            raise MCPError(types.INVALID_PARAMS, f"unknown tool {name!r}")
        try:
            if spec.path is None:
                return await self.preview_frame(arguments, headers)
            return _answer(await self.client.post(spec.path, json=arguments, headers=headers))
        except httpx.HTTPError as exc:  # `--url` server down or too slow: the agent should hear why
            return _error(f"the draftcut server could not be reached: {type(exc).__name__}: {exc}")

    async def preview_frame(self, arguments: dict[str, Any], headers: dict[str, str] | None = None,
                            ) -> types.CallToolResult:
        draft = arguments.get("draft_url") or arguments.get("draft_id")
        if not isinstance(draft, str) or not draft.strip():
            return _error("draft_url: give draft_url or draft_id")
        at = arguments.get("at", 0)
        max_width = arguments.get("max_width")
        if isinstance(at, bool) or not isinstance(at, int | float):
            return _error("at: should be a number of seconds")
        if max_width is not None and (isinstance(max_width, bool) or not isinstance(max_width, int) or max_width < 16):
            return _error("max_width: should be an integer of at least 16")
        params: dict[str, Any] = {"draft_id": draft, "at": at}
        if max_width is not None:  # the server composes a smaller picture faster than we can shrink a big one
            params["width"] = min(max(PREVIEW_MIN_WIDTH, max_width - max_width % 2), PREVIEW_MAX_WIDTH)
        resp = await self.client.get(f"{API_PREFIX}/preview", params=params, headers=headers)
        if resp.status_code != 200 or not resp.headers.get("content-type", "").startswith("image/png"):
            return _answer(resp)
        png, size = await anyio.to_thread.run_sync(_png, resp.content, max_width)
        return types.CallToolResult(content=[
            types.ImageContent(data=base64.b64encode(png).decode("ascii"), mime_type="image/png"),
            types.TextContent(text=f"frame at {at} s, {size}"),
        ])


_FORWARDED = ("authorization", "x-api-key")
"""Headers of an MCP request over HTTP that its tool calls carry on: the caller's API key, so that
with `DRAFTCUT_API_KEYS` a tool call is allowed exactly when the same HTTP call would be."""


def _forwarded(ctx: ServerRequestContext[Any]) -> dict[str, str]:
    headers = getattr(ctx.request, "headers", None)  # a starlette Request over HTTP; None over stdio
    if headers is None:
        return {}
    return {name: headers[name] for name in _FORWARDED if name in headers}


def build_server(client: httpx.AsyncClient, *, telemetry: bool = False) -> Server[Any]:
    """A low-level MCP server whose tools call the API through `client`."""
    tools = DraftcutTools(client)

    async def list_tools(ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None,
                         ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=await tools.list())

    async def call_tool(ctx: ServerRequestContext[Any], params: types.CallToolRequestParams,
                        ) -> types.CallToolResult:
        return await tools.call(params.name, params.arguments or {}, _forwarded(ctx))

    server: Server[Any] = Server("draftcut", version=__version__, instructions=load_notes().get("_conventions"),
                                 on_list_tools=list_tools, on_call_tool=call_tool)
    if not telemetry:
        # The SDK's OpenTelemetry middleware costs every message a span lookup; off unless asked for,
        # as the app's own telemetry is (DRAFTCUT_TELEMETRY).
        server.middleware = []
    return server
