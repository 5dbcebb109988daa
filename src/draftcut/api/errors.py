"""Domain errors → HTTP, in one place.

Status codes follow the seed docs (400/404/500/503…); bodies carry both the
seed docs' `detail` and capcut-mate's numeric `code` + `message`, so either
kind of client can read them. `DRAFTCUT_ERRORS_HTTP_200=true` answers every
error with HTTP 200, as capcut-mate itself does, for clients that need that.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from draftcut.errors import (
    DraftcutError,
    InvalidAudioInfo,
    InvalidCaptionInfo,
    InvalidEffectInfo,
    InvalidFilterInfo,
    InvalidImageInfo,
    InvalidKeyframeInfo,
    InvalidParam,
    InvalidVideoInfo,
)

__all__ = ["error_response", "install_error_handlers", "language"]

log = logging.getLogger("draftcut.api")

_INFO_FIELDS: dict[str, type[InvalidParam]] = {
    "video_infos": InvalidVideoInfo,
    "captions": InvalidCaptionInfo,
    "effect_infos": InvalidEffectInfo,
    "filter_infos": InvalidFilterInfo,
    "keyframes": InvalidKeyframeInfo,
    "audio_infos": InvalidAudioInfo,
    "image_infos": InvalidImageInfo,
}


def language(request: Request) -> str:
    """capcut-mate's rule: the first Accept-Language tag; `en` gives English, anything else Chinese."""
    first = request.headers.get("accept-language", "").split(",")[0].split(";")[0]
    return "en" if first.split("-")[0].strip().lower() == "en" else "zh"


def _respond(request: Request, status: int, body: dict[str, Any]) -> JSONResponse:
    if request.app.state.settings.errors_http_200:
        status = 200
    return JSONResponse(body, status_code=status)


def _error_body(exc: DraftcutError, lang: str) -> dict[str, Any]:
    return {"code": exc.code, "message": exc.message(lang), "detail": exc.describe() or exc.message(lang)}


def _field_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part not in ("body", "query", "path"):
            path += f".{part}" if path else str(part)
    return path


def _from_validation(exc: RequestValidationError) -> DraftcutError:
    problems = []
    first_field = ""
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        if err.get("type") == "json_invalid":
            problems.append(f"request body: JSON decode error ({err.get('ctx', {}).get('error', 'invalid JSON')})")
            continue
        field = _field_path(loc) or "request body"
        first_field = first_field or field
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        problems.append(f"{field}: {msg}")
    error_cls = _INFO_FIELDS.get(first_field.split("[")[0].split(".")[0], InvalidParam)
    return error_cls("; ".join(problems))


def error_response(request: Request, exc: DraftcutError) -> JSONResponse:
    """The answer to `exc`, as every draftcut error is answered (also for middleware, outside the routes)."""
    response = _respond(request, exc.status, _error_body(exc, language(request)))
    retry_after = getattr(exc, "retry_after", None)
    if isinstance(retry_after, int) and "Retry-After" not in response.headers:
        response.headers["Retry-After"] = str(retry_after)
    return response


async def _draftcut_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DraftcutError)
    if exc.status >= 500:
        log.error("%s %s failed: %s", request.method, request.url.path, exc, exc_info=exc)
    return error_response(request, exc)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    error = _from_validation(exc)
    return _respond(request, error.status, _error_body(error, language(request)))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    message = f"HTTP Error {exc.status_code}, detail: {exc.detail}"
    return _respond(request, exc.status_code, {"code": exc.status_code, "message": message, "detail": exc.detail})


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("%s %s crashed", request.method, request.url.path, exc_info=exc)
    return _respond(request, 500, _error_body(DraftcutError(type(exc).__name__), language(request)))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DraftcutError, _draftcut_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
