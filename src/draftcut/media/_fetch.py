"""`MediaFetcher`: URL in, stored and probed `MediaFile` out, with a cache in between.

Drafts reference the same clips over and over (every `add_videos` call names
its URLs again), so a URL fetched recently is served from the blob store with
no network request; after `media_cache_ttl_s` the origin is asked with a
conditional GET, which costs a 304 when nothing changed. Blobs are
content-addressed, so the same bytes behind several URLs are stored once.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from draftcut.config import Settings
from draftcut.errors import ImageTooLarge, MediaTooLarge, MediaUnreachable, MediaUnreadable
from draftcut.media._admission import DownloadSlots, FetchGroup
from draftcut.media._ext import choose_ext, mime_for_ext
from draftcut.media._guard import check_url
from draftcut.media._http import Downloaded, NotModified, Validators, download
from draftcut.media._locks import KeyedLocks
from draftcut.media._probe import probe_file
from draftcut.media._transport import GuardedTransport
from draftcut.media._types import MediaFile, MediaInfo
from draftcut.store.blobs import BlobStore
from draftcut.store.media_index import MediaIndex, MediaRecord

__all__ = ["DEADLINE_FACTOR", "USER_AGENT", "MediaFetcher", "blob_key_for"]

log = logging.getLogger("draftcut.media")

USER_AGENT = "draftcut/0.1 (media fetcher)"
MEMO_SIZE = 4096
"""How many fresh URL → MediaFile answers each process keeps in memory."""
DEADLINE_FACTOR = 4
"""A whole fetch (all hops, retries and the body) may take this many `media_timeout_s`.

The per-operation timeouts alone never fire against a server that trickles a
byte just often enough; this bounds how long a request handler can be held.
"""


def blob_key_for(sha256: str, ext: str) -> str:
    return f"media/{sha256[:2]}/{sha256}{ext}"


RECANCEL_S = 0.5
"""A cancelled download still running after this is cancelled again (see `_settled`)."""


async def _settled(task: asyncio.Future[Any], what: str = "a download") -> None:
    """Wait until the cancelled `task` has finished cleaning up, however often we are cancelled meanwhile.

    A cancellation can also get lost below us: anyio's connect swallows one
    that arrives just as the connection is made, and the download then runs
    on, until its origin stops (a trickle never does). So a task still running
    after `RECANCEL_S` is cancelled again; by then it is no longer closing a
    connection, where a second cancellation would do harm. A cancellation of
    our own that arrives meanwhile is raised once the task is done.
    """
    interrupted = False
    while not task.done():
        try:
            await asyncio.wait((task,), timeout=RECANCEL_S)
        except asyncio.CancelledError:
            interrupted = True
            continue
        if not task.done():
            log.warning("%s was still running %gs after it was cancelled; cancelling it again", what, RECANCEL_S)
            task.cancel()
    if not task.cancelled():
        task.exception()  # whatever it ended with, the caller answers with the timeout or the cancellation
    if interrupted:
        raise asyncio.CancelledError


def _media_file(record: MediaRecord) -> MediaFile:
    return MediaFile(url=record.url, sha256=record.sha256, size=record.size,
                     content_type=record.content_type, ext=record.ext,
                     blob_key=record.blob_key, info=MediaInfo.from_dict(record.info))


class MediaFetcher:
    """Fetches media URLs safely into a `BlobStore`, remembering them in a `MediaIndex`.

    One instance per process (it holds a connection pool); `aclose()` when done.
    Downloads are admitted by `DownloadSlots` (at most `media_connections` at
    once, a quarter of them kept for requests with none running), and the URLs
    of one request share a `FetchGroup` from `new_group()`, which runs at most
    `media_downloads_per_request` of them at a time.
    `transport` replaces the guarded transport, e.g. with `httpx.MockTransport`
    or an egress proxy; the address guard is then that transport's job, while
    the URL checks (scheme, credentials, literal addresses) still apply.
    """

    def __init__(self, settings: Settings, blobs: BlobStore, index: MediaIndex, *,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._settings = settings
        self._blobs = blobs
        self._index = index
        self._allowed_hosts = settings.allowed_media_hosts
        timeout = settings.media_timeout_s
        connections = settings.media_connections
        # As many slots as pooled connections: a download that may start always finds a connection.
        self._slots = DownloadSlots(connections, reserve=max(1, connections // 4))
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=min(8, connections))
        self._client = httpx.AsyncClient(
            transport=transport if transport is not None else GuardedTransport(self._allowed_hosts, limits=limits),
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            trust_env=False,
            # identity: the stored bytes and their hash are the file, not a transfer encoding of it.
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
        )
        self._locks = KeyedLocks()
        # A repeated clip costs a dict look-up and a stat, not a database read and a parse.
        self._memo: dict[str, tuple[MediaFile, float]] = {}

    async def __aenter__(self) -> MediaFetcher:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    @property
    def slots(self) -> DownloadSlots:
        """The process-wide download admission (for inspection)."""
        return self._slots

    def new_group(self) -> FetchGroup:
        """A `FetchGroup` for the URLs of one request."""
        return FetchGroup(self._settings.media_downloads_per_request)

    async def get(self, url: str, *, group: FetchGroup | None = None) -> MediaFile:
        """The media at `url`, from the cache when fresh, else fetched and probed.

        Raises MediaRefused, MediaUnreachable, MediaTooLarge, MediaUnreadable
        or ImageTooLarge. Concurrent calls for one URL share a single download:
        the first downloads while the others wait for it. If the first is
        cancelled (its request failed or its client left), its download stops
        and the next waiter downloads the URL itself. `group` is the request's
        `FetchGroup`; without one the call counts as a request of its own.
        """
        fresh = self.get_fresh(url)
        if fresh is not None:
            return fresh
        group = group if group is not None else FetchGroup(1)
        asked_at = time.time()
        async with group.turn(), self._locks.hold(url):
            record, media = self._cached(url)
            if record is not None and media is not None:
                # Fresh, or fetched by a concurrent call while we waited for the lock.
                age = time.time() - record.fetched_at
                if age < self._settings.media_cache_ttl_s or record.fetched_at >= asked_at:
                    return self._remember(media, record.fetched_at)
            return self._remember(await self._fetch(url, record, group), time.time())

    async def get_text(self, url: str, *, max_bytes: int) -> str:
        """The UTF-8 (or UTF-16 with a BOM) text at `url`, e.g. an SRT file; not cached, not probed.

        Same guard, slots and deadline as media; `max_bytes` bounds what is
        read. Raises MediaRefused, MediaUnreachable, MediaTooLarge, or
        MediaUnreadable when the bytes are not text.
        """
        scratch = self._blobs.scratch_dir()
        try:
            async with self._slots.slot(FetchGroup(1)):
                got = await asyncio.wait_for(download(
                    self._client, url, scratch / "download", allowed_hosts=self._allowed_hosts,
                    max_bytes=max_bytes, max_redirects=self._settings.media_max_redirects),
                    timeout=self._settings.media_timeout_s * DEADLINE_FACTOR)
            assert isinstance(got, Downloaded)  # no validators were sent, so never NotModified
            data = await asyncio.to_thread(got.path.read_bytes)
        except TimeoutError:
            raise MediaUnreachable(f"timed out fetching {url}", url=url) from None
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            raise MediaUnreadable(f"{url}: is not UTF-8 text", url=url) from None

    def get_fresh(self, url: str) -> MediaFile | None:
        """The media at `url` if this process fetched or checked it within the cache TTL.

        Synchronous, so an edit whose clips are all fresh needs no task or
        await per clip. Raises MediaRefused for a URL that may not be fetched.
        """
        memo = self._memo.get(url)
        # A remembered URL passed check_url when it was fetched (the allowed hosts are fixed per process).
        if memo is not None and time.time() - memo[1] < self._settings.media_cache_ttl_s \
                and self._blobs.exists(memo[0].blob_key):
            return memo[0]
        check_url(url, self._allowed_hosts)
        return None

    def _remember(self, media: MediaFile, fetched_at: float) -> MediaFile:
        self._memo.pop(media.url, None)
        self._memo[media.url] = (media, fetched_at)
        if len(self._memo) > MEMO_SIZE:
            del self._memo[next(iter(self._memo))]
        return media

    def _cached(self, url: str) -> tuple[MediaRecord | None, MediaFile | None]:
        """The index entry for `url`, and its MediaFile if the blob is there and the entry readable."""
        record = self._index.get(url)
        if record is None or not self._blobs.exists(record.blob_key):
            return None, None
        try:
            return record, _media_file(record)
        except (KeyError, TypeError, ValueError):
            return None, None  # written by an incompatible version: fetch again

    async def _fetch(self, url: str, record: MediaRecord | None, group: FetchGroup) -> MediaFile:
        validators = Validators(record.etag, record.last_modified) if record is not None else None
        if validators is not None and not (validators.etag or validators.last_modified):
            validators = None
        scratch = self._blobs.scratch_dir()
        try:
            result = await self._download(url, scratch / "download", validators, group)
            if isinstance(result, NotModified):
                assert record is not None
                record.fetched_at = time.time()
                record.etag = result.validators.etag
                record.last_modified = result.validators.last_modified
                # A write: it may queue behind another process, so never on the event loop.
                await asyncio.to_thread(self._index.put, record)
                return _media_file(record)
            return await self._store(url, result)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    async def _download(self, url: str, dest: Path, validators: Validators | None,
                        group: FetchGroup) -> Downloaded | NotModified:
        deadline = self._settings.media_timeout_s * DEADLINE_FACTOR
        # The deadline starts once a slot is ours: waiting for one is not the origin's fault.
        async with self._slots.slot(group):
            # The download runs in a task of its own that is cancelled once at most, by us, and
            # always waited for. A second cancellation that lands while httpcore is closing the
            # connection (a deadline firing as the request's other downloads are cancelled, or a
            # client leaving just then) interrupts that close: the socket then stays open, and
            # its pool slot taken, for good.
            work = asyncio.ensure_future(download(
                self._client, url, dest,
                allowed_hosts=self._allowed_hosts,
                max_bytes=self._settings.media_max_bytes,
                max_redirects=self._settings.media_max_redirects,
                validators=validators,
            ))
            try:
                done, _ = await asyncio.wait((work,), timeout=deadline)
            finally:
                if not work.done():
                    work.cancel()
                    await _settled(work, f"the download of {url}")
            if not done:
                raise MediaUnreachable(f"timed out after {deadline:g}s fetching {url}", url=url)
            return work.result()

    async def _store(self, url: str, got: Downloaded) -> MediaFile:
        try:
            info = await asyncio.to_thread(probe_file, got.path,
                                           max_image_bytes=self._settings.media_max_image_bytes)
        except (MediaUnreadable, MediaTooLarge, ImageTooLarge) as exc:
            raise type(exc)(f"{url}: {exc.detail}", url=url) from exc
        ext = choose_ext(info, got.content_type, (got.final_url, url))
        key = blob_key_for(got.sha256, ext)
        if not await asyncio.to_thread(self._blobs.exists, key):  # a network round trip with object storage
            await asyncio.to_thread(self._blobs.put_file, key, got.path)
        record = MediaRecord(
            url=url, sha256=got.sha256, size=got.size, content_type=mime_for_ext(ext), ext=ext,
            blob_key=key, info=info.to_dict(), fetched_at=time.time(),
            etag=got.validators.etag, last_modified=got.validators.last_modified,
        )
        # A write: it may queue behind another process, so never on the event loop.
        await asyncio.to_thread(self._index.put, record)
        return _media_file(record)

