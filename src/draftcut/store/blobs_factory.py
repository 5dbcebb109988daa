"""The one place that picks the blob store from the settings."""

from __future__ import annotations

from draftcut.config import Settings
from draftcut.store.blobs import BlobStore, LocalBlobStore

__all__ = ["open_blobs"]


def open_blobs(settings: Settings) -> BlobStore:
    """S3-compatible storage when `DRAFTCUT_S3_ENDPOINT` is set, else the data dir's `blobs` folder.

    boto3 is imported only in the first case: the embedded default never loads it.
    """
    if settings.s3_endpoint:
        from draftcut.store.s3 import S3BlobStore

        return S3BlobStore(settings)
    return LocalBlobStore(settings.blob_dir)
