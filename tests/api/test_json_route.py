"""JsonRoute answers exactly as FastAPI's own handler would, for good and bad requests alike."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request
from fastapi.routing import APIRoute

from draftcut.api._route import JsonRoute
from draftcut.api.errors import install_error_handlers
from draftcut.config import Settings
from draftcut.schemas import AddVideosRequest, CreateDraftRequest

URL = "http://h/openapi/capcut-mate/v1/get_draft?draft_id=20261121000000abcdef01"
VIDEO = {"video_url": "https://example.com/a.mp4", "start": 0, "end": 1_000_000}


def _app(route_class: type[APIRoute]) -> FastAPI:
    router = APIRouter(route_class=route_class)

    @router.post("/add_videos")
    async def add_videos(request: Request, req: AddVideosRequest) -> dict[str, Any]:
        return {"code": 0, "draft_url": req.draft_url, "n": len(req.video_infos),
                "first": req.video_infos[0].model_dump(mode="json")}

    @router.post("/create_draft")
    async def create_draft(request: Request, req: CreateDraftRequest | None = None) -> dict[str, Any]:
        req = req or CreateDraftRequest()
        return {"code": 0, "width": req.width, "height": req.height}

    app = FastAPI()
    app.state.settings = Settings()
    install_error_handlers(app)
    app.include_router(router)
    return app


class Client:
    """In-process ASGI calls (the handler's logic is under test here, not the network)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://t") as c:
                return await c.request(method, path, **kwargs)
        return asyncio.run(go())

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self._call("POST", path, **kwargs)

    def get(self, path: str) -> httpx.Response:
        return self._call("GET", path)


LEAN, STOCK = Client(_app(JsonRoute)), Client(_app(APIRoute))
JSON = {"content-type": "application/json"}

CASES: list[tuple[str, bytes, dict[str, str]]] = [
    ("/add_videos", json.dumps({"draft_url": URL, "video_infos": json.dumps([VIDEO])}).encode(), JSON),
    ("/add_videos", json.dumps({"draft_url": URL, "video_infos": [VIDEO]}).encode(), JSON),
    ("/add_videos", json.dumps({"draft_url": URL, "video_infos": [VIDEO]}).encode(),
     {"content-type": "application/vnd.api+json; charset=utf-8"}),
    ("/add_videos", b"", JSON),
    ("/add_videos", b"null", JSON),
    ("/add_videos", b"[]", JSON),
    ("/add_videos", b"{not json", JSON),
    ("/add_videos", b'{"draft_url": "x"', JSON),
    ("/add_videos", json.dumps({"draft_url": URL, "video_infos": [VIDEO]}).encode(), {"content-type": "text/plain"}),
    ("/add_videos", json.dumps({"draft_url": URL, "video_infos": [VIDEO]}).encode(), {}),
    ("/add_videos", json.dumps({"draft_url": URL, "video_infos": 5}).encode(), JSON),
    ("/add_videos", json.dumps({"draft_url": URL, "video_infos": "[{\"video_url\": 1"}).encode(), JSON),
    ("/add_videos", json.dumps({"draft_url": URL, "video_infos": [{**VIDEO, "end": -1}]}).encode(), JSON),
    ("/add_videos", json.dumps({"draft_url": URL, "video_infos": [VIDEO], "alpha": "lots"}).encode(), JSON),
    ("/add_videos", json.dumps({"video_infos": [VIDEO]}).encode(), JSON),
    ("/create_draft", b"", JSON),
    ("/create_draft", b"", {}),
    ("/create_draft", b"null", JSON),
    ("/create_draft", b"{}", JSON),
    ("/create_draft", json.dumps({"width": 720, "height": 1280}).encode(), JSON),
    ("/create_draft", json.dumps({"width": -5}).encode(), JSON),
    ("/create_draft", b"[1]", JSON),
]


@pytest.mark.parametrize(("path", "body", "headers"), CASES)
def test_same_answer_as_fastapi(path: str, body: bytes, headers: dict[str, str]) -> None:
    lean = LEAN.post(path, content=body, headers=headers)
    stock = STOCK.post(path, content=body, headers=headers)
    assert (lean.status_code, lean.json()) == (stock.status_code, stock.json())
    assert lean.headers["content-type"] == stock.headers["content-type"] == "application/json"


def test_nan_is_invalid_json_not_a_number() -> None:
    # The standard library parses NaN; a NaN volume or position must not slip past range checks.
    body = b'{"draft_url": "%s", "video_infos": [{"video_url": "https://e.com/a.mp4", "start": 0, "end": NaN}]}' % (
        URL.encode())
    resp = LEAN.post("/add_videos", content=body, headers=JSON)
    assert resp.status_code == 400 and "JSON" in resp.json()["detail"]


def test_schema_still_documents_the_body() -> None:
    schema = LEAN.get("/openapi.json").json()
    ref = schema["paths"]["/add_videos"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/AddVideosRequest")
    assert schema == STOCK.get("/openapi.json").json()
