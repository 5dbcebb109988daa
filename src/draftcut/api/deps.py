"""Request-scoped look-ups shared by the routes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from draftcut.api.errors import language
from draftcut.service import DraftService

__all__ = ["Lang", "Service", "ok"]


async def _service(request: Request) -> DraftService:
    # async: FastAPI runs a plain-def dependency in its thread pool, a hop per request.
    service: DraftService = request.app.state.service
    return service


Service = Annotated[DraftService, Depends(_service)]


async def _language(request: Request) -> str:
    return language(request)


Lang = Annotated[str, Depends(_language)]

_SUCCESS = {"zh": "成功", "en": "Success"}


def ok(lang: str, data: dict[str, Any]) -> dict[str, Any]:
    """capcut-mate's success envelope; a `message` in `data` wins, as it does there."""
    return {"code": 0, "message": _SUCCESS[lang], **data}
