"""API keys and their rate limits, for every route, as one ASGI middleware.

With `DRAFTCUT_API_KEYS=true` every request but the OpenAPI documents
(`/openapi.json`, `/docs`, `/redoc`) and the web page's own files (`/`,
`/web/index.html`, `app.js`, `style.css`: the page asks for a key and sends
it with its API calls) needs a live key, whatever answers it:
API routes, files under `/output/`, mounted apps such as `/mcp`, and routes
added later. Sitting in front of the router, this cannot be forgotten on a
route. A key is read from, in order:

* `Authorization: Bearer <key>`,
* `X-API-Key: <key>`,
* `apiKey` in the JSON body of `gen_video` (capcut-mate's field; the body is
  read here only for that route and only when no header carries a key).

A missing, unknown or revoked key is capcut-mate's `1004` (HTTP 401). Keys are
looked up on every request (one indexed SQLite read), so a revoked key stops
working at once. Each key has a token bucket per server process: its
`rate_per_minute` requests, in bursts of at most that many; over it is `3030`
(HTTP 429) with `Retry-After`.
"""

from __future__ import annotations

import math
import time

import orjson
from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from draftcut.api.errors import error_response
from draftcut.errors import AuthenticationFailed, DraftcutError, RateLimited
from draftcut.store.api_keys import ApiKeyStore

__all__ = ["ApiKeyGuard", "RateLimiter"]


class RateLimiter:
    """Token buckets by key id: `per_minute` tokens refilled evenly over a minute, holding at most that many."""

    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, key_id: str, per_minute: float, now: float | None = None) -> float:
        """Spend a token: 0.0 if there was one, else the seconds until there will be (nothing spent)."""
        if per_minute <= 0:
            return 0.0
        now = time.monotonic() if now is None else now
        capacity = max(1.0, per_minute)
        refill = per_minute / 60.0
        tokens, at = self._buckets.get(key_id, (capacity, now))
        tokens = min(capacity, tokens + (now - at) * refill)
        if tokens >= 1.0:
            self._buckets[key_id] = (tokens - 1.0, now)
            return 0.0
        self._buckets[key_id] = (tokens, now)
        return (1.0 - tokens) / refill


class ApiKeyGuard:
    """Refuse requests without a live API key (401, `1004`) or over their key's rate (429, `3030`)."""

    def __init__(self, app: ASGIApp, *, public_paths: frozenset[str], body_key_paths: frozenset[str]) -> None:
        self.app = app
        self.public_paths = public_paths
        self.body_key_paths = body_key_paths
        self.limiter = RateLimiter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"] in self.public_paths:
            await self.app(scope, receive, send)
            return
        key = _header_key(scope)
        if key is None and scope["type"] == "http" and scope["method"] == "POST" \
                and scope["path"] in self.body_key_paths:
            key, receive = await _body_key(receive)
        try:
            key_id = self._check(scope, key)
        except DraftcutError as exc:
            await self._refuse(scope, receive, send, exc)
            return
        scope.setdefault("state", {})["api_key_id"] = key_id
        await self.app(scope, receive, send)

    def _check(self, scope: Scope, key: str | None) -> str:
        if not key:
            raise AuthenticationFailed("no API key: send Authorization: Bearer <key> or X-API-Key: <key>")
        store: ApiKeyStore = scope["app"].state.api_keys
        record = store.lookup(key)
        if record is None:
            raise AuthenticationFailed("unknown or revoked API key")
        wait = self.limiter.take(record.id, record.rate_per_minute)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            raise RateLimited(f"key {record.id} is limited to {record.rate_per_minute:g} requests per minute; "
                              f"retry in {retry_after} s", retry_after=retry_after)
        return record.id

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, exc: DraftcutError) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": exc.message("en")})
            return
        response = error_response(Request(scope), exc)
        if isinstance(exc, RateLimited):
            response.headers["Retry-After"] = str(exc.retry_after)
        else:
            response.headers["WWW-Authenticate"] = 'Bearer realm="draftcut"'
        await response(scope, receive, send)


def _header_key(scope: Scope) -> str | None:
    for name, raw in scope["headers"]:
        value = str(raw.decode("latin-1")).strip()
        if name == b"authorization":
            scheme, _, token = value.partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
        elif name == b"x-api-key" and value:
            return value
    return None


async def _body_key(receive: Receive) -> tuple[str | None, Receive]:
    """capcut-mate's `apiKey` from a JSON body, and a `receive` that hands the app the body again.

    The body is already capped by the body-size middleware in front of this one.
    """
    messages: list[Message] = []
    chunks: list[bytes] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    replay = [{"type": "http.request", "body": body, "more_body": False},
              *(m for m in messages if m["type"] != "http.request")]

    async def replaying() -> Message:
        return replay.pop(0) if replay else await receive()

    key: str | None = None
    try:
        data = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("apiKey"), str):
        key = data["apiKey"].strip() or None
    return key, replaying
