"""S3BlobStore against a real SeaweedFS S3 server: the BlobStore contract, ranges, presigned URLs, the cache."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import httpx
import pytest
from utils.s3_server import S3Server

from draftcut.config import Settings
from draftcut.errors import BackendUnavailable
from draftcut.store.blobs import RemoteBlobStore
from draftcut.store.blobs_factory import open_blobs
from draftcut.store.s3 import S3BlobStore


def _settings(s3: S3Server, data_dir: Path, **kw: object) -> Settings:
    env = {k.removeprefix("DRAFTCUT_").lower(): v for k, v in s3.env().items()}
    return Settings(data_dir=data_dir, **{**env, **kw})


@pytest.fixture
def store(s3_server: S3Server, tmp_path: Path) -> S3BlobStore:
    blobs = open_blobs(_settings(s3_server, tmp_path, s3_prefix=f"unit-{os.urandom(4).hex()}/"))
    assert isinstance(blobs, S3BlobStore) and isinstance(blobs, RemoteBlobStore)
    return blobs


def _file(tmp_path: Path, data: bytes, name: str = "src.bin") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_put_open_size_exists_delete(store: S3BlobStore, s3_server: S3Server, tmp_path: Path) -> None:
    data = os.urandom(300_000)
    assert not store.exists("media/ab/x.mp4")
    store.put_file("media/ab/x.mp4", _file(tmp_path, data))
    # really in the bucket, under the prefix
    raw = s3_server.client().get_object(Bucket=s3_server.bucket, Key=f"{store.prefix}media/ab/x.mp4")
    assert raw["Body"].read() == data
    assert store.exists("media/ab/x.mp4") and store.size("media/ab/x.mp4") == len(data)
    with store.open("media/ab/x.mp4") as body:
        assert body.read() == data
    with store.open_range("media/ab/x.mp4", 1000, 1999) as body:
        assert body.read() == data[1000:2000]
    store.delete("media/ab/x.mp4")
    assert not store.exists("media/ab/x.mp4")
    with pytest.raises(FileNotFoundError):
        store.open("media/ab/x.mp4")
    with pytest.raises(FileNotFoundError):
        store.size("media/ab/x.mp4")
    with pytest.raises(FileNotFoundError):
        store.local_path("media/ab/x.mp4")
    store.delete("media/ab/x.mp4")  # deleting what is gone is no error


def test_keys_are_checked(store: S3BlobStore, tmp_path: Path) -> None:
    for bad in ("../x", "/abs", "a//b", "a\\b", ""):
        with pytest.raises(ValueError):
            store.exists(bad)
        with pytest.raises(ValueError):
            store.put_file(bad, _file(tmp_path, b"x"))


def test_local_path_downloads_into_a_cache(store: S3BlobStore, s3_server: S3Server, tmp_path: Path) -> None:
    data = os.urandom(50_000)
    s3_server.client().put_object(Bucket=s3_server.bucket, Key=f"{store.prefix}renders/r.mp4", Body=data)
    path = store.local_path("renders/r.mp4")
    assert path.read_bytes() == data and path.is_relative_to(tmp_path / "s3-cache")
    assert not (tmp_path / "blobs").exists()
    # concurrent callers all get a complete file, and no temp file is left behind
    store.clear_cache()
    got: list[bytes] = []
    threads = [threading.Thread(target=lambda: got.append(store.local_path("renders/r.mp4").read_bytes()))
               for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == [data] * 6
    assert not any((tmp_path / "s3-cache" / "tmp").iterdir())


def test_cache_is_bounded(s3_server: S3Server, tmp_path: Path) -> None:
    store = open_blobs(_settings(s3_server, tmp_path, s3_prefix="bounded/", s3_cache_bytes=100_000))
    assert isinstance(store, S3BlobStore)
    store.put_file("media/0.bin", _file(tmp_path, os.urandom(40_000), "0.bin"))
    assert (store.cache_dir / "media" / "0.bin").exists()  # the upload became the cached copy
    for i in range(1, 5):
        store.put_file(f"media/{i}.bin", _file(tmp_path, os.urandom(40_000), f"{i}.bin"))
    store.clear_cache()
    for i in range(5):
        store.local_path(f"media/{i}.bin")
        os.utime(store.cache_dir / "media" / f"{i}.bin", (i + 1, i + 1))  # as if last used long ago, in order
    store.local_path("media/0.bin")  # used again: the most recent
    store.put_file("media/5.bin", _file(tmp_path, os.urandom(40_000), "5.bin"))
    cached = sorted(p.name for p in (store.cache_dir / "media").iterdir())
    total = sum(p.stat().st_size for p in (store.cache_dir / "media").iterdir())
    assert total <= 100_000 and cached == ["0.bin", "5.bin"], cached


def test_presigned_url_works_without_credentials(store: S3BlobStore, tmp_path: Path) -> None:
    data = os.urandom(10_000)
    store.put_file("renders/p.mp4", _file(tmp_path, data))
    url = store.presigned_url("renders/p.mp4", content_type="video/mp4")
    resp = httpx.get(url)
    assert resp.status_code == 200 and resp.content == data
    assert resp.headers["content-type"] == "video/mp4"
    assert httpx.get(url.replace("renders/p.mp4", "renders/q.mp4")).status_code in (403, 404)


def test_unreachable_server_is_backend_unavailable(tmp_path: Path) -> None:
    from utils.server_fixtures import free_port

    settings = Settings(data_dir=tmp_path, s3_endpoint=f"http://127.0.0.1:{free_port()}", s3_bucket="b",
                        s3_access_key="k", s3_secret_key="s")
    store = open_blobs(settings)
    for call in (lambda: store.exists("a/b"), lambda: store.local_path("a/b"), lambda: store.size("a/b"),
                 lambda: store.put_file("a/b", _file(tmp_path, b"x"))):
        with pytest.raises(BackendUnavailable) as err:
            call()
        assert err.value.status == 503 and err.value.retry_after


def test_embedded_default_is_local(tmp_path: Path) -> None:
    from draftcut.store.blobs import LocalBlobStore

    assert isinstance(open_blobs(Settings(data_dir=tmp_path)), LocalBlobStore)
    assert not isinstance(LocalBlobStore(tmp_path / "b"), RemoteBlobStore)
