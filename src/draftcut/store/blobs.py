"""Blob storage for media and rendered videos, behind a small interface.

The embedded backend is a folder. An S3-compatible backend only has to
implement `BlobStore`; callers that need a real file (ffmpeg, PyAV) ask
`local_path`, which a remote backend answers by caching a download.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

__all__ = ["BlobStore", "LocalBlobStore", "RemoteBlobStore"]


class BlobStore(Protocol):
    def put_file(self, key: str, src: Path) -> None:
        """Store `src` under `key`, atomically; `src` may be moved away."""

    def open(self, key: str) -> BinaryIO: ...

    def local_path(self, key: str) -> Path:
        """A readable local file holding the blob (raises FileNotFoundError)."""

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int: ...

    def delete(self, key: str) -> None: ...

    def scratch_dir(self) -> Path:
        """A private temporary folder on the same filesystem as the store."""


@runtime_checkable
class RemoteBlobStore(BlobStore, Protocol):
    """A `BlobStore` whose blobs live on another server (store/s3.py).

    The file routes serve such blobs without a local copy: they stream the
    requested byte range, or redirect the client to a URL of the blob itself.
    """

    redirect: bool
    """Answer file requests with a redirect to `presigned_url` instead of streaming."""

    def open_range(self, key: str, start: int, end: int) -> BinaryIO:
        """Bytes `start`..`end` (inclusive) of the blob, streamed; close it when done."""

    def presigned_url(self, key: str, *, content_type: str | None = None) -> str:
        """A URL anyone holding it can GET the blob from, for a limited time."""


def _check_key(key: str) -> str:
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts) or "\\" in key:
        raise ValueError(f"bad blob key {key!r}")
    return key


class LocalBlobStore:
    """Blobs as files under one root; writes go through a rename so readers never see half a file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._root = str(root)
        (root / ".tmp").mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / _check_key(key)

    def put_file(self, key: str, src: Path) -> None:
        dst = self._path(key)
        dst.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.root / ".tmp" / f"put-{os.getpid()}-{os.urandom(6).hex()}"
        try:
            os.replace(src, tmp)
        except OSError:
            shutil.copyfile(src, tmp)
        os.replace(tmp, dst)

    def open(self, key: str) -> BinaryIO:
        return open(self._path(key), "rb")

    def local_path(self, key: str) -> Path:
        path = self._path(key)
        if not path.is_file():
            raise FileNotFoundError(key)
        return path

    def exists(self, key: str) -> bool:
        # os.path over pathlib: every edit asks this once per clip, and pathlib was 10x the stat.
        return os.path.isfile(os.path.join(self._root, _check_key(key)))

    def size(self, key: str) -> int:
        return self._path(key).stat().st_size

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def scratch_dir(self) -> Path:
        return Path(tempfile.mkdtemp(dir=self.root / ".tmp"))
