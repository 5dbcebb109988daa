"""The MCP server, through the SDK's own client, over both transports.

stdio: `draftcut mcp` launched as an agent launches it (the app in process,
on a data dir of its own). Streamable HTTP: `/mcp` of a real `draftcut serve`.
Tools are generated from the app's routes, so one test holds the tool list to
`/openapi.json`: an endpoint added later must be a tool without anyone
listing it.
"""

from __future__ import annotations

import asyncio
import base64
import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import mcp_types as types
import pytest
from mcp import Client, StdioServerParameters
from PIL import Image
from utils.server_fixtures import Server

from draftcut.api.app import create_app
from draftcut.config import API_PREFIX, Settings
from draftcut.mcp.tools import load_notes, tool_specs

WRITTEN_NOTES = ("create_draft", "add_videos", "add_audios", "add_images", "add_captions", "add_effects",
                 "add_filters", "add_keyframes", "add_masks", "add_sticker", "get_timeline", "update_segment",
                 "delete_segment", "replace_material", "set_text", "catalog", "gen_video", "gen_video_status",
                 "preview_frame")


def _text(result: types.CallToolResult) -> str:
    return "\n".join(c.text for c in result.content if isinstance(c, types.TextContent))


def _ok(result: types.CallToolResult) -> dict[str, Any]:
    assert not result.is_error, _text(result)
    assert isinstance(result.structured_content, dict) and result.structured_content["code"] == 0
    return result.structured_content


def _post_endpoints(openapi: dict[str, Any]) -> set[str]:
    """Every POST endpoint with a JSON body (a multipart upload such as import_draft is not a tool)."""
    return {path.removeprefix(API_PREFIX + "/") for path, item in openapi["paths"].items()
            if path.startswith(API_PREFIX + "/") and "post" in item
            and "multipart/form-data" not in item["post"].get("requestBody", {}).get("content", {})}


@pytest.fixture(scope="module")
def mcp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with Server(tmp_path_factory.mktemp("mcp-http")) as srv:
        yield srv


def test_stdio_builds_a_draft_and_previews_it(tmp_path: Path, media: Any) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRAFTCUT_")}
    env.update({"DRAFTCUT_DATA_DIR": str(tmp_path / "data"), "DRAFTCUT_MEDIA_ALLOW_HOSTS": "127.0.0.1,localhost"})
    params = StdioServerParameters(command=str(Path(sys.executable).with_name("draftcut")), args=["mcp"], env=env)

    async def session() -> None:
        async with Client(params, read_timeout_seconds=120) as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            for name in ("create_draft", "add_videos", "add_captions", "gen_video", "preview_frame"):
                assert tools[name].input_schema["type"] == "object", name
                assert tools[name].description, name
            assert "video_infos" in tools["add_videos"].input_schema["properties"]
            assert tools["add_videos"].input_schema["properties"]["video_infos"]["type"] == "array"
            assert "µs" in (tools["add_videos"].description or "") or "MICROSECONDS" in (
                tools["add_videos"].description or "")

            draft = _ok(await client.call_tool("create_draft", {"width": 640, "height": 360}))
            added = _ok(await client.call_tool("add_videos", {"draft_url": draft["draft_url"], "video_infos": [
                {"video_url": media.url("video_red_2s.mp4"), "start": 0, "end": 2_000_000}]}))
            assert len(added["segment_ids"]) == 1

            frame = await client.call_tool("preview_frame", {"draft_url": draft["draft_url"], "at": 1.0})
            assert not frame.is_error, _text(frame)
            image = next(c for c in frame.content if isinstance(c, types.ImageContent))
            assert image.mime_type == "image/png"
            with Image.open(io.BytesIO(base64.b64decode(image.data))) as png:
                assert png.format == "PNG" and png.size == (640, 360)
                r, g, b = png.convert("RGB").getpixel((320, 180))
                assert r > 200 and g < 60 and b < 60, (r, g, b)

            small = await client.call_tool("preview_frame", {"draft_id": draft["draft_id"], "at": 0.5,
                                                             "max_width": 320})
            image = next(c for c in small.content if isinstance(c, types.ImageContent))
            with Image.open(io.BytesIO(base64.b64decode(image.data))) as png:
                assert png.size == (320, 180)

            missing = await client.call_tool("preview_frame", {"at": 1.0})
            assert missing.is_error and "draft_url" in _text(missing)

    asyncio.run(session())


def test_streamable_http_tools_and_errors(mcp_server: Server) -> None:
    async def session() -> None:
        async with Client(f"{mcp_server.url}/mcp", read_timeout_seconds=60) as client:
            names = {t.name for t in (await client.list_tools()).tools}
            assert {"create_draft", "add_captions", "catalog", "preview_frame"} <= names

            draft = _ok(await client.call_tool("create_draft", {"width": 1080, "height": 1920}))
            captions = _ok(await client.call_tool("add_captions", {
                "draft_url": draft["draft_url"], "font_size": 12, "transform_y": -1300,
                "captions": [{"start": 0, "end": 2_000_000, "text": "AI绘画真酷", "keyword": "AI"}]}))
            assert len(captions["segment_ids"]) == 1
            timeline = _ok(await client.call_tool("get_timeline", {"draft_url": draft["draft_url"]}))
            texts = [s.get("text") for t in timeline["tracks"] for s in t["segments"]]
            assert "AI绘画真酷" in texts

            bad = await client.call_tool("add_captions", {
                "draft_url": draft["draft_url"], "captions": [{"start": 2_000_000, "end": 1_000_000, "text": "x"}]})
            assert bad.is_error
            assert "captions[0]" in _text(bad) and "error 2" in _text(bad), _text(bad)

            gone = await client.call_tool("save_draft", {"draft_url": draft["draft_url"] + "nope"})
            assert gone.is_error and "2001" in _text(gone), _text(gone)

    asyncio.run(session())


def test_stdio_bridge_to_a_running_server(mcp_server: Server) -> None:
    params = StdioServerParameters(command=str(Path(sys.executable).with_name("draftcut")),
                                   args=["mcp", "--url", mcp_server.url])

    async def session() -> None:
        async with Client(params, read_timeout_seconds=60) as client:
            draft = _ok(await client.call_tool("create_draft", {}))
            assert draft["draft_url"].startswith(mcp_server.url)  # made by that server, not in process
            found = _ok(await client.call_tool("catalog", {"kind": "transitions", "query": "diehua"}))
            assert any(item["name"] == "叠化" for item in found["items"])

    asyncio.run(session())


def test_a_tool_for_every_post_endpoint(mcp_server: Server) -> None:
    openapi = httpx.get(f"{mcp_server.url}/openapi.json", timeout=30).json()
    endpoints = _post_endpoints(openapi)
    assert {"create_draft", "add_videos", "gen_video", "get_timeline", "update_segment"} <= endpoints

    async def listed() -> dict[str, types.Tool]:
        async with Client(f"{mcp_server.url}/mcp", read_timeout_seconds=60) as client:
            return {t.name: t for t in (await client.list_tools()).tools}

    tools = asyncio.run(listed())
    assert endpoints <= set(tools), endpoints - set(tools)
    assert set(tools) - endpoints == {"preview_frame"}
    assert "import_draft" not in tools and f"{API_PREFIX}/import_draft" in openapi["paths"]
    for name in endpoints:
        op = openapi["paths"][f"{API_PREFIX}/{name}"]["post"]
        assert tools[name].description and tools[name].description.startswith(op["description"].strip())
        assert tools[name].input_schema["type"] == "object"
        assert "$ref" not in str(tools[name].input_schema), name


def test_notes_and_examples_match_the_schemas(tmp_path: Path) -> None:
    """Every written example is a valid call of its tool; notes name no tool that does not exist."""
    specs = {s.name: s for s in tool_specs(create_app(Settings(data_dir=tmp_path)).openapi())}
    notes = load_notes()
    for name in WRITTEN_NOTES:
        assert notes[name].get("notes") and "example" in notes[name], name
        jsonschema.validate(notes[name]["example"], specs[name].input_schema)
        assert "Example arguments:" in specs[name].description
    helper_only = {"get_draft", "gen_video_active_count"}  # GET endpoints: response fields for the Coze file
    assert {k for k in notes if not k.startswith("_")} - set(specs) <= helper_only
