"""The ASGI application: wiring of settings, stores, media fetcher and routes."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from draftcut import __version__
from draftcut.api import drafts, edits, files, handoff, render, segments, text, web, workflow
from draftcut.api._auth import ApiKeyGuard
from draftcut.api._body_limit import BodyLimit
from draftcut.api.errors import install_error_handlers
from draftcut.config import API_PREFIX, Settings, get_settings
from draftcut.draft.catalog import CATALOG_KINDS, get_catalog
from draftcut.jobs.runner import JobRunner
from draftcut.jobs.service import RenderService
from draftcut.jobs.webhooks import WebhookSender
from draftcut.mcp.http import McpEndpoint
from draftcut.service import DraftService
from draftcut.store.backends import open_stores

if TYPE_CHECKING:
    from draftcut.jobs.broker import RenderQueue

__all__ = ["create_app"]

log = logging.getLogger("draftcut")


async def _retention_loop(service: DraftService) -> None:
    while True:
        try:
            removed = await service.sweep_retention()
            if removed:
                log.info("retention: deleted %d drafts", len(removed))
        except Exception:  # a failed sweep must not stop the next one
            log.exception("retention sweep failed")
        await asyncio.sleep(3600)


class _WorkerHeader:
    """Adds `x-draftcut-pid`, so multi-worker deployments show which process answered."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.header = (b"x-draftcut-pid", str(os.getpid()).encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], self.header]
            await send(message)

        await self.app(scope, receive, send_with_header)


def _settle_heap() -> None:
    """Load what every process needs, then exempt it from garbage collection.

    The catalogs, FastAPI's route models and the imported libraries are a few
    hundred thousand objects that live as long as the process. Each full
    collection walked all of them: a 15-30 ms pause, under load every second
    or so, that every request in flight waited out (the benchmark's p99).
    `gc.freeze` moves them to a generation the collector never scans.
    """
    for kind in CATALOG_KINDS:
        get_catalog(kind)
    gc.collect()
    gc.freeze()


def _render_queue(settings: Settings) -> RenderQueue | None:
    """The Celery queue of render jobs when `DRAFTCUT_BROKER_URL` is set; Celery is not imported otherwise."""
    if not settings.broker_url:
        return None
    from draftcut.jobs.broker import RenderQueue

    return RenderQueue(settings)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    mcp = McpEndpoint(settings)  # /mcp; the SDK is loaded on its first request

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stores = open_stores(settings, checkpointer=True)
        app.state.service = DraftService.from_stores(settings, stores)
        jobs = stores.jobs
        queue = _render_queue(settings)  # with a broker, `draftcut worker` processes render, not this one
        runner = JobRunner(settings, jobs, app.state.service) if settings.render_enabled and not queue else None
        app.state.renders = RenderService(app.state.service, jobs, runner, queue=queue)
        webhooks = WebhookSender(settings, jobs, app.state.renders.callback_body)
        app.state.renders.webhooks = webhooks
        if runner:
            runner.webhooks = webhooks
        app.state.api_keys = stores.api_keys
        if not settings.api_keys and app.state.api_keys.active_count():
            log.warning("API keys exist but are not required: set DRAFTCUT_API_KEYS=true to require them")
        _settle_heap()
        sweeper = asyncio.create_task(_retention_loop(app.state.service))
        if runner:
            runner.start()
        webhooks.start()
        try:
            async with mcp.running(app):
                yield
        finally:
            sweeper.cancel()
            if runner:
                await runner.stop()
            await webhooks.aclose()
            if queue:
                queue.close()
            await app.state.service.fetcher.aclose()
            stores.close()

    otel = settings.telemetry
    app = FastAPI(title="draftcut", version=__version__, lifespan=lifespan,
                  telemetry={"tracing": otel, "metrics": otel, "logs": otel, "operation_spans": otel},
                  description="capcut-mate compatible Jianying/CapCut draft API with a native renderer")
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(drafts.router, prefix=API_PREFIX, tags=["drafts"])
    app.include_router(text.router, prefix=API_PREFIX, tags=["text"])
    app.include_router(workflow.router, prefix=API_PREFIX, tags=["workflow"])
    app.include_router(edits.router, prefix=API_PREFIX, tags=["edits"])
    app.include_router(segments.router, prefix=API_PREFIX, tags=["segments"])
    app.include_router(render.router, prefix=API_PREFIX, tags=["render"])
    app.include_router(handoff.router, prefix=API_PREFIX, tags=["drafts"])
    app.include_router(files.router, tags=["files"])
    app.include_router(render.files, tags=["files"])
    app.include_router(web.router)
    mcp.mount(app)
    if settings.api_keys:  # inside the body cap, which bounds the gen_video body it may read
        # The web page's own files hold no data; the API calls it makes carry the key it asks for.
        public = frozenset(p for p in (app.openapi_url, app.docs_url, app.redoc_url,
                                       app.swagger_ui_oauth2_redirect_url) if p) | web.PUBLIC_PATHS
        app.add_middleware(ApiKeyGuard, public_paths=public, body_key_paths=frozenset({f"{API_PREFIX}/gen_video"}))
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, path_caps=handoff.body_caps(settings))
    app.add_middleware(_WorkerHeader)
    return app


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` worker processes, which read settings from the environment."""
    return create_app(Settings())
