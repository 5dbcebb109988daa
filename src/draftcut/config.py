"""Settings, read once from `DRAFTCUT_*` environment variables.

The only module that looks at the environment: everything else takes a
`Settings` (or asks `get_settings()`), so tests build their own.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings"]

API_PREFIX = "/openapi/capcut-mate/v1"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DRAFTCUT_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(30000, ge=1, le=65535)
    workers: int = Field(1, ge=1, le=64)
    data_dir: Path = Path("data")
    public_url: str = ""
    """Base URL clients reach us at; empty means http://<host>:<port>."""

    tip_url: str = "https://github.com/draftcut/draftcut#readme"
    """Returned as create_draft's `tip_url`, as capcut-mate does."""
    material_path_root: str = "/app/output/draft"
    """Material paths are written as `<root>/<draft_id>/assets/...`. capcut-mate's Docker image
    writes exactly this, so its desktop client (which rewrites any path containing the draft id)
    and its Windows render host (which rewrites this prefix) both localise our drafts."""

    media_allow_hosts: str = ""
    """Comma-separated hosts exempt from the private-address guard (e.g. `127.0.0.1,localhost`)."""
    media_max_bytes: int = Field(200 * 1024 * 1024, ge=1)
    media_timeout_s: float = Field(30.0, gt=0)
    media_max_redirects: int = Field(5, ge=0, le=20)
    media_cache_ttl_s: float = Field(24 * 3600.0, ge=0)
    """How long a fetched URL is reused without asking the origin again."""
    media_connections: int = Field(32, ge=2, le=1024)
    """Media downloads running at once in a process (the size of its connection pool). A quarter
    of them is kept for requests that have no download running yet, so that a few requests with
    many slow URLs cannot hold every connection."""
    media_downloads_per_request: int = Field(6, ge=1, le=256)
    """Downloads one request runs at once; its other URLs wait for one of these to finish."""

    media_max_image_bytes: int = Field(256 * 1024 * 1024, ge=1)
    """Images are refused when width × height × bytes per pixel (as their header declares) is over
    this, before anything is decoded: a small file can decode to gigabytes."""

    max_body_bytes: int = Field(8 * 1024 * 1024, ge=1024)
    """Request bodies over this are refused with 413 before they are parsed."""
    import_max_bytes: int = Field(2 * 1024 * 1024 * 1024, ge=1024)
    """Cap of an `import_draft` upload (it replaces `max_body_bytes` there: a draft with its media is
    gigabytes) and of what its zip may unpack to. The upload streams to disk, never into memory."""
    strict_names: bool = False
    """Unknown transition, mask, animation, effect, filter or font names: by default they are ignored
    (as capcut-mate does) and listed in the response's `warnings`; true makes them 400 errors."""

    retention_days: float = Field(0.0, ge=0)
    """Drafts untouched this long are deleted; 0 keeps them forever."""

    lock_timeout_s: float = Field(30.0, gt=0)
    database_url: str = ""
    """PostgreSQL for drafts, render jobs, the media index and API keys (e.g.
    `postgresql://draftcut:secret@db.internal:5432/draftcut`), shared by every draftcut process on every
    host; the schema is created on first use. Empty: the SQLite file in the data dir, as before."""
    database_pool_size: int = Field(10, ge=1, le=1000)
    """Connections each server process may hold to PostgreSQL (processes × this ≤ the server's
    `max_connections`)."""
    database_timeout_s: float = Field(5.0, gt=0)
    """How long a request waits for a PostgreSQL connection (all busy, or the server down) before it is
    answered 503 with Retry-After."""
    errors_http_200: bool = False
    """capcut-mate answers every error with HTTP 200; set this for clients that rely on it."""
    telemetry: bool = False
    """FastAPI's OpenTelemetry spans, metrics and logs (exported through the providers you configure).

    Off by default: even with no provider configured, checking for one costs
    each request about as much as routing it.
    """

    ffmpeg: str = ""
    """ffmpeg executable; empty means the one inside the imageio-ffmpeg wheel."""
    render_enabled: bool = True
    """Run render workers in this process (turn off for API-only nodes)."""
    render_workers: int = Field(2, ge=1, le=64)
    """Render jobs running at once, across all server processes sharing the data dir."""
    render_timeout_s: float = Field(3600.0, gt=0)
    render_max_seconds: float = Field(14_400.0, gt=0, le=86_400)
    """The longest timeline `gen_video` renders (4 h): the output is as long as the draft's `duration` or its
    last segment, so a broken or hostile imported draft must not start a render of days of black."""
    render_max_queue: int = Field(100, ge=1)
    broker_url: str = ""
    """Celery broker (Redis, e.g. `redis://127.0.0.1:6379/0`) for render jobs: gen_video queues them there and
    `draftcut worker` processes render them; the API then renders nothing itself. Empty: render workers
    run inside the server process (`render_workers`), with no Redis."""
    render_split_min_s: float = Field(30.0, ge=0)
    """With a broker: a job whose output is at least this long (s) is rendered in parts by several workers
    (jobs/split_render.py); 0 never splits."""
    render_split_window_s: float = Field(0.0, ge=0)
    """Length (s) of a split render's video parts; 0 leaves it to the renderer (3–10 s by the length)."""

    webhook_secret: str = ""
    """HMAC-SHA256 key of `X-Draftcut-Signature` on gen_video callbacks; empty sends them unsigned."""
    webhook_retries: int = Field(4, ge=0, le=20)
    """Retries of a callback after a connection error or a non-2xx answer (so at most retries + 1 tries)."""
    webhook_backoff_s: float = Field(1.0, ge=0)
    """Delay before the first retry; each later retry waits twice as long (1, 2, 4, 8 s by default)."""
    webhook_timeout_s: float = Field(10.0, gt=0)
    """Time one callback attempt may take, connecting included."""

    api_keys: bool = False
    """Require an API key (`draftcut keys create`) on every route but the OpenAPI docs."""

    s3_endpoint: str = ""
    """S3-compatible object storage for media, draft files and renders (e.g. `http://127.0.0.1:8333`);
    empty keeps them in the data dir's `blobs` folder. Every draftcut process and worker sets the same."""
    s3_bucket: str = ""
    s3_access_key: str = ""
    s3_secret_key: str = ""
    s3_region: str = "us-east-1"
    s3_prefix: str = ""
    """Key prefix inside the bucket (e.g. `draftcut/`), so one bucket can hold other things too."""
    s3_path_style: bool = True
    """Path-style URLs (`endpoint/bucket/key`: MinIO, SeaweedFS); false for virtual-hosted style
    (`bucket.endpoint/key`), which Aliyun OSS, Tencent COS and Volcengine TOS require."""
    s3_urls: Literal["proxy", "presign"] = "proxy"
    """`/output/...` file routes: `proxy` streams the object through draftcut (HTTP Range kept);
    `presign` redirects to a presigned GET URL on the endpoint, which clients must then reach."""
    s3_presign_s: int = Field(3600, ge=1, le=7 * 24 * 3600)
    s3_cache_bytes: int = Field(5 * 1024 * 1024 * 1024, ge=0)
    """Local copies of objects the renderer and prober need as files, under `<data_dir>/s3-cache`;
    the least recently used are removed past this size."""

    @field_validator("public_url")
    @classmethod
    def _strip_slash(cls, v: str) -> str:
        if v and not v.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return v.rstrip("/")

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://{host}:{self.port}"

    @property
    def allowed_media_hosts(self) -> frozenset[str]:
        return frozenset(h.strip().lower() for h in self.media_allow_hosts.split(",") if h.strip())

    @property
    def db_path(self) -> Path:
        return self.data_dir / "draftcut.sqlite3"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def s3_cache_dir(self) -> Path:
        return self.data_dir / "s3-cache"

    def ffmpeg_exe(self) -> str:
        if self.ffmpeg:
            return self.ffmpeg
        import imageio_ffmpeg  # deferred: only renders and probes need it

        return str(imageio_ffmpeg.get_ffmpeg_exe())


    def export_to_environ(self) -> None:
        """Publish these settings to child processes (uvicorn workers read them back)."""
        for name, value in self.model_dump().items():
            os.environ[f"DRAFTCUT_{name.upper()}"] = str(value).lower() if isinstance(value, bool) else str(value)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
