"""Per-request look-ups shared by the routes.

Plain functions of the request rather than FastAPI dependencies: resolving
a dependency costs each request about as much as routing it, and these
are two attribute reads.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from draftcut.api.errors import language
from draftcut.jobs.service import RenderService
from draftcut.service import DraftService

__all__ = ["drafts", "ok", "renders"]

_SUCCESS = {"zh": "成功", "en": "Success"}


def drafts(request: Request) -> DraftService:
    service: DraftService = request.app.state.service
    return service


def renders(request: Request) -> RenderService:
    service: RenderService = request.app.state.renders
    return service


def ok(request: Request, data: dict[str, Any]) -> dict[str, Any]:
    """capcut-mate's success envelope in the request's language; a `message` in `data` wins, as it does there."""
    return {"code": 0, "message": _SUCCESS[language(request)], **data}
