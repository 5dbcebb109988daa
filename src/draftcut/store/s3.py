"""Blobs in S3-compatible object storage (AWS S3, MinIO, SeaweedFS, Aliyun OSS, Tencent COS, Volcengine TOS).

With blobs in a bucket, API nodes and render workers on different machines
share media and renders without a shared disk. The bucket is the truth; the
renderer and the prober need real files, so `local_path` keeps downloaded
copies in a bounded cache under the data dir. Keys are content-addressed
(media) or unique (renders), so a cached copy never goes stale.

boto3 is imported only here, and this module only when `DRAFTCUT_S3_ENDPOINT`
is set. A server that does not answer becomes `BackendUnavailable` (503 with
Retry-After); boto3 opens connections per request from its pool, so nothing
dead is kept and the store works again as soon as the server is back.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, cast

import boto3
from boto3.exceptions import S3UploadFailedError
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from draftcut.config import Settings
from draftcut.errors import BackendUnavailable
from draftcut.store.blobs import _check_key

__all__ = ["S3BlobStore"]

_UNREACHABLE = (HTTPClientError, BotoConnectionError)
"""Refused, reset, timed out, a body cut short."""
_NOT_FOUND = frozenset({"404", "NoSuchKey", "NotFound"})
EXISTS_TTL_S = 60.0
"""How long a key seen in the bucket is taken as there without asking again: edits check
every clip's blob, and nothing but `delete` (rarely, and then locally forgotten) removes one."""
EXISTS_MEMO = 50_000
IN_USE_S = 120.0
"""Copies used this recently are never evicted: `local_path` has just handed them to a caller
that has yet to open or hard-link them."""


def _unavailable(what: str, exc: BaseException) -> BackendUnavailable:
    return BackendUnavailable(f"object storage did not answer ({what}): {type(exc).__name__}: {exc}")


def _translate(what: str, key: str, exc: BaseException) -> BaseException:
    """botocore's error as draftcut's: missing → FileNotFoundError, unreachable or 5xx → BackendUnavailable."""
    if isinstance(exc, S3UploadFailedError):  # upload_file wraps the ClientError it got
        inner = exc.__cause__ or exc.__context__
        return _translate(what, key, inner) if isinstance(inner, (ClientError, *_UNREACHABLE)) else exc
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code"))
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        if code in _NOT_FOUND or status == 404:
            return FileNotFoundError(key)
        return _unavailable(what, exc) if status >= 500 or status == 0 else exc
    if isinstance(exc, _UNREACHABLE):
        return _unavailable(what, exc)
    return exc


@contextlib.contextmanager
def _translated(what: str, key: str) -> Iterator[None]:
    try:
        yield
    except (ClientError, *_UNREACHABLE, S3UploadFailedError) as exc:
        translated = _translate(what, key, exc)
        if translated is exc:
            raise
        raise translated from (None if isinstance(translated, FileNotFoundError) else exc)


class S3BlobStore:
    """`BlobStore` over one bucket (and optional key prefix), through one thread-safe boto3 client."""

    def __init__(self, settings: Settings) -> None:
        if not settings.s3_bucket:
            raise ValueError("DRAFTCUT_S3_BUCKET must be set with DRAFTCUT_S3_ENDPOINT")
        self.bucket = settings.s3_bucket
        prefix = settings.s3_prefix.strip("/")
        self.prefix = f"{prefix}/" if prefix else ""
        self.redirect = settings.s3_urls == "presign"
        self.presign_s = settings.s3_presign_s
        self.cache_bytes = settings.s3_cache_bytes
        config = Config(
            s3={"addressing_style": "path" if settings.s3_path_style else "virtual"},
            signature_version="s3v4",
            connect_timeout=3, read_timeout=30,
            retries={"max_attempts": 3, "mode": "standard"},  # 3 tries in all, then BackendUnavailable
            max_pool_connections=64,
        )
        self._client: Any = boto3.client(
            "s3", endpoint_url=settings.s3_endpoint, region_name=settings.s3_region or "us-east-1",
            aws_access_key_id=settings.s3_access_key or None,
            aws_secret_access_key=settings.s3_secret_key or None, config=config)
        self._transfer = TransferConfig(multipart_threshold=64 * 1024 * 1024, multipart_chunksize=16 * 1024 * 1024)
        self.cache_dir = settings.s3_cache_dir / "objects"
        self._tmp = settings.s3_cache_dir / "tmp"
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self._tmp.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._seen: dict[str, float] = {}
        self._cached_bytes: int | None = None  # counted on the first download

    def _object(self, key: str) -> str:
        return self.prefix + _check_key(key)

    # -- BlobStore ---------------------------------------------------------------------------------

    def put_file(self, key: str, src: Path) -> None:
        """One PUT (multipart past 64 MiB: completed atomically too); `src` then becomes the cached copy."""
        name = self._object(key)
        with _translated("put", key):
            self._client.upload_file(str(src), self.bucket, name, Config=self._transfer)
        self._mark_seen(key)
        if self.cache_bytes:
            with contextlib.suppress(OSError):
                self._adopt(key, src)

    def open(self, key: str) -> BinaryIO:
        name = self._object(key)
        with _translated("get", key):
            return cast(BinaryIO, self._client.get_object(Bucket=self.bucket, Key=name)["Body"])

    def open_range(self, key: str, start: int, end: int) -> BinaryIO:
        name = self._object(key)
        with _translated("get", key):
            return cast(BinaryIO, self._client.get_object(Bucket=self.bucket, Key=name,
                                                          Range=f"bytes={start}-{end}")["Body"])

    def presigned_url(self, key: str, *, content_type: str | None = None) -> str:
        params: dict[str, str] = {"Bucket": self.bucket, "Key": self._object(key)}
        if content_type:
            params["ResponseContentType"] = content_type
        return str(self._client.generate_presigned_url("get_object", Params=params, ExpiresIn=self.presign_s))

    def local_path(self, key: str) -> Path:
        """The cached copy, downloaded first if needed (to a temp file renamed in place: concurrent-safe)."""
        path = self.cache_dir / _check_key(key)
        if path.is_file():
            with contextlib.suppress(OSError):
                os.utime(path)  # recently used: evicted last
            return path
        fd, tmp = tempfile.mkstemp(dir=self._tmp, prefix="get-")
        try:
            with os.fdopen(fd, "wb") as out, _translated("get", key):
                body = self._client.get_object(Bucket=self.bucket, Key=self._object(key))["Body"]
                try:
                    for chunk in body.iter_chunks(1024 * 1024):
                        out.write(chunk)
                finally:
                    body.close()
            path.parent.mkdir(parents=True, exist_ok=True)
            size = os.path.getsize(tmp)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        self._mark_seen(key)
        self._grew(size)
        return path

    def exists(self, key: str) -> bool:
        seen = self._seen.get(key)
        if seen is not None and time.monotonic() - seen < EXISTS_TTL_S:
            return True
        try:
            self._head(key)
        except FileNotFoundError:
            return False
        self._mark_seen(key)
        return True

    def size(self, key: str) -> int:
        return int(self._head(key)["ContentLength"])

    def delete(self, key: str) -> None:
        with _translated("delete", key):
            self._client.delete_object(Bucket=self.bucket, Key=self._object(key))
        self._seen.pop(key, None)
        with contextlib.suppress(OSError):
            (self.cache_dir / key).unlink()

    def scratch_dir(self) -> Path:
        """Under the cache's folder, so cached copies hard-link into draft folders."""
        return Path(tempfile.mkdtemp(dir=self._tmp))

    # -- internals ---------------------------------------------------------------------------------

    def _head(self, key: str) -> dict[str, Any]:
        with _translated("head", key):
            return cast(dict[str, Any], self._client.head_object(Bucket=self.bucket, Key=self._object(key)))

    def _mark_seen(self, key: str) -> None:
        with self._lock:
            self._seen.pop(key, None)
            self._seen[key] = time.monotonic()
            if len(self._seen) > EXISTS_MEMO:
                del self._seen[next(iter(self._seen))]

    def _adopt(self, key: str, src: Path) -> None:
        """Keep the uploaded file as the cached copy (a rename within the data dir, else skipped)."""
        path = self.cache_dir / key
        if path.is_file():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        size = src.stat().st_size
        os.replace(src, path)
        self._grew(size)

    def _grew(self, size: int) -> None:
        with self._lock:
            if self._cached_bytes is None:
                self._cached_bytes = sum(p.stat().st_size for p in self.cache_dir.rglob("*") if p.is_file())
            else:
                self._cached_bytes += size
            if self._cached_bytes <= self.cache_bytes:
                return
            self._cached_bytes = self._evict(int(self.cache_bytes * 0.9))

    def _evict(self, target: int) -> int:
        """Remove least recently used copies until at most `target` bytes stay; returns what stays.

        Draft folders hard-link their media, so a render in progress keeps its files; copies
        used in the last `IN_USE_S` stay even past the bound.
        """
        files = []
        for p in self.cache_dir.rglob("*"):
            with contextlib.suppress(OSError):
                st = p.stat()
                if p.is_file():
                    files.append((st.st_mtime, st.st_size, p))
        total = sum(size for _, size, _ in files)
        recent = time.time() - IN_USE_S
        for mtime, size, p in sorted(files, key=lambda f: f[0]):
            if total <= target or mtime > recent:
                break
            with contextlib.suppress(OSError):
                p.unlink()
                total -= size
        return total

    def clear_cache(self) -> None:
        """Drop every local copy (tests, or an operator freeing disk); the bucket is untouched."""
        with self._lock:
            shutil.rmtree(self.cache_dir, ignore_errors=True)
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            self._cached_bytes = 0
