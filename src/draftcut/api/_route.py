"""A lean request handler for the routes that take one JSON body.

Every draft edit is `POST` + one JSON object + a dict back. FastAPI's general
request handler (dependency solving, scope bookkeeping, response-model
validation) cost 140-180 microseconds of such a call, a third of an edit,
and under 50 concurrent clients every microsecond is queueing for the rest.
`JsonRoute` keeps FastAPI for everything else (the route is declared as
usual, so the OpenAPI schema, body-size limit, middleware and exception
handlers are unchanged) and handles the request itself: JSON → pydantic
model → endpoint → orjson. Validation failures are raised as FastAPI's
`RequestValidationError`, with the same `("body", ...)` locations and the
same JSON content-type rule, so error responses do not change.
"""

from __future__ import annotations

import asyncio
import email.message
import inspect
import json
import typing
from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

from draftcut.disconnect import bind_client

__all__ = ["JsonRoute"]

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False  # FastAPI's strict default: no content type, no JSON
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (subtype == "json" or subtype.endswith("+json"))


def _body_model(endpoint: Callable[..., Any]) -> tuple[type[BaseModel], bool, Any] | None:
    """`(model, optional, default)` if the endpoint is `f(request: Request, body: Model [= default])`."""
    params = list(inspect.signature(endpoint).parameters.values())
    if len(params) != 2:
        return None
    hints = typing.get_type_hints(endpoint)
    if hints.get(params[0].name) is not Request:
        return None
    annotation = hints.get(params[1].name)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    optional = len(args) == 1 and len(typing.get_args(annotation)) == 2
    model = args[0] if optional else annotation
    if not (inspect.isclass(model) and issubclass(model, BaseModel)):
        return None
    return model, optional, params[1].default


INLINE_PARSE_BYTES = 64 * 1024
"""Bodies up to this size are parsed and validated on the event loop (about 3 ms at most);
larger ones, up to `DRAFTCUT_MAX_BODY_BYTES`, in a worker thread, so that validating hundreds of
items does not hold up every other request. A thread hop costs more than parsing a typical edit."""


def _json_error(raw: bytes, exc: json.JSONDecodeError) -> RequestValidationError:
    """FastAPI's error for a body that is not JSON, worded by the standard library as FastAPI's is.

    What the standard library accepts but orjson does not (NaN, Infinity,
    integers beyond 64 bits) keeps orjson's wording: none is a valid value here.
    So do bodies over `INLINE_PARSE_BYTES`: parsing megabytes a second time,
    only for the wording, would double the time a bad body holds the GIL.
    """
    if len(raw) <= INLINE_PARSE_BYTES:
        try:
            json.loads(raw)
        except json.JSONDecodeError as std:
            exc = std
        except (UnicodeDecodeError, RecursionError):
            pass
    return RequestValidationError([{"type": "json_invalid", "loc": ("body", exc.pos), "msg": "JSON decode error",
                                    "input": {}, "ctx": {"error": exc.msg}}])


def _parse(raw: bytes, is_json: bool, model: type[BaseModel], optional: bool) -> BaseModel | None:
    """Body bytes → model, raising FastAPI's `RequestValidationError` as its own handler would."""
    data: Any = raw
    if is_json:
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise _json_error(raw, exc) from None
    if data is None and optional:
        return None
    try:
        return model.model_validate(data, from_attributes=True)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from None


class JsonRoute(APIRoute):
    """APIRoute with a direct handler for `endpoint(request, body_model)`; other shapes use FastAPI's."""

    def get_route_handler(self) -> Handler:
        shape = _body_model(self.endpoint)
        if shape is None or self.dependant.dependencies or self.status_code not in (None, 200):
            return super().get_route_handler()
        model, optional, default = shape
        endpoint = self.endpoint

        async def handler(request: Request) -> Response:
            raw = await request.body()
            bind_client(request.receive)
            body: Any
            if not raw:
                if default is inspect.Parameter.empty:
                    raise RequestValidationError([{"type": "missing", "loc": ("body",), "msg": "Field required",
                                                   "input": None}])
                body = default
            else:
                is_json = _is_json(request.headers.get("content-type"))
                if len(raw) <= INLINE_PARSE_BYTES:
                    body = _parse(raw, is_json, model, optional)
                else:
                    body = await asyncio.to_thread(_parse, raw, is_json, model, optional)
            result = await endpoint(request, body)
            if isinstance(result, Response):
                return result
            return Response(orjson.dumps(result), media_type="application/json")

        return handler
