"""One guarded HTTP download: redirects, retries, size cap, streaming hash.

Redirects are followed here, not by httpx, so every hop passes `check_url`
before a request is made (and the transport vets the address it connects to).
The body streams into a file while being hashed; the caller owns the folder
and removes it, so an aborted download leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from pathlib import Path

import httpx

from draftcut.errors import MediaRefused, MediaTooLarge, MediaUnreachable
from draftcut.media._guard import check_url

__all__ = ["Downloaded", "NotModified", "Validators", "download"]

RETRY_DELAYS_S: tuple[float, ...] = (0.2, 0.5)
"""Pauses before the 2nd and 3rd attempt after a 5xx or a connection failure."""
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 256 * 1024


@dataclass(frozen=True, slots=True)
class Validators:
    """What the origin said last time, for a conditional GET."""

    etag: str = ""
    last_modified: str = ""

    def headers(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if self.etag:
            out["If-None-Match"] = self.etag
        if self.last_modified:
            out["If-Modified-Since"] = self.last_modified
        return out


@dataclass(frozen=True, slots=True)
class NotModified:
    """304: the cached copy is still current (the validators may have been refreshed)."""

    validators: Validators


@dataclass(frozen=True, slots=True)
class Downloaded:
    path: Path
    sha256: str
    size: int
    content_type: str
    validators: Validators
    final_url: str


def _stop_if_cancelled() -> None:
    """Raise CancelledError if this task has been cancelled, even if the cancellation got lost.

    Libraries below us do not always pass a cancellation on: anyio's connect
    can swallow one that arrives as the connection is made, and a connection
    error raised while cleaning up can replace it. Checked before anything
    that would carry on with a cancelled download (using its response,
    reading on, retrying).
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


class _Retryable(Exception):
    """A failure worth another attempt (5xx, refused or dropped connection)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


async def download(
    client: httpx.AsyncClient,
    url: str,
    dest: Path,
    *,
    allowed_hosts: frozenset[str],
    max_bytes: int,
    max_redirects: int,
    validators: Validators | None = None,
) -> Downloaded | NotModified:
    """GET `url` into the file `dest`, retrying transient failures twice.

    Raises MediaRefused, MediaUnreachable or MediaTooLarge; on error `dest`
    does not exist.
    """
    delays = iter(RETRY_DELAYS_S)
    while True:
        try:
            return await _attempt(client, url, dest, allowed_hosts=allowed_hosts, max_bytes=max_bytes,
                                  max_redirects=max_redirects, validators=validators)
        except _Retryable as exc:
            dest.unlink(missing_ok=True)
            delay = next(delays, None)
            if delay is None:
                raise MediaUnreachable(exc.detail, url=url) from exc
            _stop_if_cancelled()
            await asyncio.sleep(delay)
        except BaseException:
            dest.unlink(missing_ok=True)
            raise


async def _attempt(
    client: httpx.AsyncClient,
    url: str,
    dest: Path,
    *,
    allowed_hosts: frozenset[str],
    max_bytes: int,
    max_redirects: int,
    validators: Validators | None,
) -> Downloaded | NotModified:
    headers = validators.headers() if validators else {}
    current = url
    for _hop in range(max_redirects + 1):
        try:
            check_url(current, allowed_hosts)
            response = await _send(client, current, headers)
        except MediaRefused as exc:
            if current == url:
                raise
            raise MediaRefused(f"{url} redirects to {current}, refused: {exc.detail}", url=url) from exc
        try:
            _stop_if_cancelled()
            status = response.status_code
            if status in _REDIRECTS:
                location = response.headers.get("location")
                if not location:
                    raise MediaUnreachable(f"HTTP {status} without a Location from {current}", url=url)
                current = str(response.url.join(location))
                continue
            if status == 304 and validators is not None:
                return NotModified(_validators(response, fallback=validators))
            if status >= 500:
                raise _Retryable(f"HTTP {status} from {current}")
            if not 200 <= status < 300:
                raise MediaUnreachable(f"HTTP {status} from {current}", url=url)
            return await _save_body(response, dest, url=url, max_bytes=max_bytes)
        finally:
            await response.aclose()
    raise MediaUnreachable(f"too many redirects (more than {max_redirects}) starting at {url}", url=url)


async def _send(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> httpx.Response:
    host = httpx.URL(url).host
    try:
        return await client.send(client.build_request("GET", url, headers=headers), stream=True)
    except MediaRefused as exc:
        exc.url = exc.url or url
        raise
    except httpx.TimeoutException as exc:
        raise MediaUnreachable(f"timed out connecting to {host} for {url}", url=url) from exc
    except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
        raise _Retryable(f"cannot reach {host} for {url}: {exc or type(exc).__name__}") from exc
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise MediaRefused(f"cannot fetch {url}: {exc}", url=url) from exc
    except httpx.HTTPError as exc:
        raise MediaUnreachable(f"cannot fetch {url}: {exc or type(exc).__name__}", url=url) from exc


def _validators(response: httpx.Response, fallback: Validators | None = None) -> Validators:
    etag = response.headers.get("etag", "")
    last_modified = response.headers.get("last-modified", "")
    if fallback is not None and not etag and not last_modified:
        return fallback
    return Validators(etag=etag, last_modified=last_modified)


def _content_length(response: httpx.Response) -> int | None:
    raw = response.headers.get("content-length")
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


async def _save_body(response: httpx.Response, dest: Path, *, url: str, max_bytes: int) -> Downloaded:
    declared = _content_length(response)
    if declared is not None and declared > max_bytes:
        raise MediaTooLarge(f"{url} is {declared} bytes, over the {max_bytes} byte limit", url=url)
    digest = hashlib.sha256()
    size = 0
    try:
        with open(dest, "wb") as out:
            async for chunk in response.aiter_bytes(_CHUNK):
                _stop_if_cancelled()
                size += len(chunk)
                if size > max_bytes:
                    raise MediaTooLarge(f"{url} sent more than the {max_bytes} byte limit", url=url)
                digest.update(chunk)
                out.write(chunk)
    except httpx.TimeoutException as exc:
        raise MediaUnreachable(f"timed out reading {url}", url=url) from exc
    except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
        raise _Retryable(f"connection broke while reading {url}: {exc or type(exc).__name__}") from exc
    except httpx.HTTPError as exc:
        raise MediaUnreachable(f"cannot read {url}: {exc or type(exc).__name__}", url=url) from exc
    content_type = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return Downloaded(path=dest, sha256=digest.hexdigest(), size=size, content_type=content_type,
                      validators=_validators(response), final_url=str(response.url))
