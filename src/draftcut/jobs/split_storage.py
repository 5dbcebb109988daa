"""The shared storage of a render split across workers: what the coordinator hands over, through the BlobStore.

Under ``parts/<job_id>/<attempt>/`` (the blob store every worker reaches,
a folder or an S3 bucket):

- ``split.json``: the parts manifest (run/split.py), the draft media the
  parts read (draft-folder path → the asset entry, whose `blob_key` is the
  media's blob), and the names of the parts' outputs;
- ``work.tar``: every work-dir file a part `needs` (filter graphs, side files,
  masks, text rasters, nested drafts' renders), one object rather than
  hundreds of small ones: one round trip per worker on S3;
- ``out/<part output>``: each part run on a helper worker (the coordinator's
  own parts never leave its disk).

A helper thus needs neither the draft store nor the coordinator's draft
version: it lays out only the media the parts read, from their content
blobs, so an edit of the draft while it renders changes nothing.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from draftcut.draft.folder import write_folder
from draftcut.render.run.split import PartsManifest
from draftcut.store.blobs import BlobStore, LocalBlobStore

__all__ = ["SplitBundle", "fetch_bundle", "fetch_output", "output_key", "prefix", "publish", "put_output",
           "remove_attempt"]

_SPLIT, _WORK = "split.json", "work.tar"


def prefix(job_id: str, attempt: int) -> str:
    return f"parts/{job_id}/{attempt}/"


def output_key(job_id: str, attempt: int, name: str) -> str:
    return f"{prefix(job_id, attempt)}out/{name}"


@dataclass(frozen=True)
class SplitBundle:
    """What a worker needs to run any part: the manifest, its work dir, its draft folder."""

    manifest: PartsManifest
    workdir: Path
    folder: Path


def _put_copy(blobs: BlobStore, key: str, src: Path, scratch: Path) -> None:
    """`put_file` may move its source away (into the store, or the S3 cache): hand it a copy."""
    copy = scratch / f"put-{src.name}"
    shutil.copyfile(src, copy)
    blobs.put_file(key, copy)
    copy.unlink(missing_ok=True)


def publish(blobs: BlobStore, job_id: str, attempt: int, manifest: PartsManifest, workdir: Path,
            media: dict[str, Any], scratch: Path) -> None:
    """Upload the work-dir files the parts need, then the manifest (last: a bundle whose split.json exists is
    whole). `media`: draft-folder path → asset entry, for every media file a part reads."""
    scratch.mkdir(parents=True, exist_ok=True)
    needs = sorted({name for part in manifest.parts for name in part.needs})
    archive = scratch / _WORK
    with tarfile.open(archive, "w") as tar:
        for name in needs:
            tar.add(workdir / name, arcname=name, recursive=False)
    blobs.put_file(prefix(job_id, attempt) + _WORK, archive)
    split = scratch / _SPLIT
    split.write_text(json.dumps({"manifest": manifest.to_json(), "media": media,
                                 "outputs": [p.output for p in manifest.parts]}, ensure_ascii=False),
                     encoding="utf-8")
    blobs.put_file(prefix(job_id, attempt) + _SPLIT, split)


def fetch_bundle(blobs: BlobStore, job_id: str, attempt: int, dest: Path) -> SplitBundle:
    """Download the attempt's bundle into `dest` (work dir and draft folder); FileNotFoundError if it is gone."""
    data = json.loads(blobs.local_path(prefix(job_id, attempt) + _SPLIT).read_text(encoding="utf-8"))
    workdir, folder = dest / "work", dest / "draft"
    workdir.mkdir(parents=True, exist_ok=True)
    with tarfile.open(blobs.local_path(prefix(job_id, attempt) + _WORK)) as tar:
        tar.extractall(workdir, filter="data")
    write_folder(folder, {}, data["media"], blobs.local_path)
    return SplitBundle(PartsManifest.from_json(data["manifest"]), workdir, folder)


def put_output(blobs: BlobStore, job_id: str, attempt: int, workdir: Path, name: str) -> None:
    _put_copy(blobs, output_key(job_id, attempt, name), workdir / name, workdir)


def fetch_output(blobs: BlobStore, job_id: str, attempt: int, workdir: Path, name: str) -> None:
    """A helper's part output into the coordinator's work dir (FileNotFoundError if it never arrived)."""
    src = blobs.local_path(output_key(job_id, attempt, name))
    temp = workdir / f".{name}.fetch"
    shutil.copyfile(src, temp)
    temp.replace(workdir / name)


def remove_attempt(blobs: BlobStore, job_id: str, attempt: int) -> None:
    """Delete the attempt's objects, best effort (a store that fails now leaves them, and says nothing)."""
    with contextlib.suppress(Exception):
        data = json.loads(blobs.local_path(prefix(job_id, attempt) + _SPLIT).read_text(encoding="utf-8"))
        for name in data.get("outputs", []):
            with contextlib.suppress(Exception):
                blobs.delete(output_key(job_id, attempt, name))
    for name in (_WORK, _SPLIT):
        with contextlib.suppress(Exception):
            blobs.delete(prefix(job_id, attempt) + name)
    if isinstance(blobs, LocalBlobStore):  # no empty folders left behind (an object store has none)
        for folder in (f"{prefix(job_id, attempt)}out", prefix(job_id, attempt), f"parts/{job_id}"):
            with contextlib.suppress(OSError):
                (blobs.root / folder).rmdir()
