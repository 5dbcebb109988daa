"""Warm drafts for the `preview` endpoint: a few drafts kept ready per process, one version each.

The web page scrubs a draft's timeline with `preview`, one request per
playhead move. Laying the draft folder out, parsing its timeline, probing
its media and drawing its captions took as long as composing the frame, and
were redone for every frame, as was decoding each clip from its last
keyframe. Here each previewed draft keeps a `WarmDraft` (``render/warm.py``)
for its current version, in a small LRU; all drafts share one `FramePool` of
warm decoders, keyed by file identity, so an edit (which makes a new
WarmDraft: every edit bumps the draft's `version`) keeps its clips' decoders
and frames, and the new WarmDraft adopts the old one's probes and the
rasters of the captions the edit left alone.

A request reads the draft's listing (one row, the timeline left unparsed) to
learn its version; an entry of another version is replaced. An entry
leaving the cache is closed (its folder removed) once the requests using it
are done.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import shutil
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from draftcut.draft.document import VISUAL_TRACK_TYPES
from draftcut.errors import EmptyDraft

if TYPE_CHECKING:
    from draftcut.render.preview.warm import FramePool, Spares, WarmDraft
    from draftcut.service import DraftService
    from draftcut.store.drafts import DraftListing

__all__ = ["PreviewCache", "check_renderable"]

DRAFTS = 4
"""Warm drafts per process: the page shows one draft at a time; a few more absorb switching back and forth."""
FRAME_BYTES = 256 * 2**20
"""Decoded frames kept per process (about 85 frames of 1080×1920, the last ~3 s a person scrubbed over)."""


def check_renderable(content: dict[str, Any]) -> None:
    """EmptyDraft unless some video, image or audio track has a segment (captions alone render nothing)."""
    tracks = content.get("tracks", [])
    if not any(isinstance(t, dict) and t.get("segments")
               and (t.get("type") in VISUAL_TRACK_TYPES or t.get("type") == "audio") for t in tracks):
        raise EmptyDraft("the draft has no video, audio or image segments", field="draft_url")


@dataclass(eq=False)
class _Entry:
    version: int
    warm: WarmDraft
    scratch: Path
    users: int = 0
    retired: bool = False


class PreviewCache:
    """`frame(draft_id, at_us, width)` through a warm draft of the draft's current version."""

    def __init__(self, drafts: DraftService, *, size: int = DRAFTS, frame_bytes: int = FRAME_BYTES) -> None:
        self.drafts = drafts
        self.size = size
        self.frame_bytes = frame_bytes
        self._pool: FramePool | None = None
        self._spares: Spares | None = None
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        atexit.register(self.close)  # the warm folders live in the blob store's scratch space

    @property
    def pool(self) -> FramePool:
        """Made on the first preview: a process that never previews never imports the renderer."""
        with self._lock:
            if self._pool is None:
                from draftcut.render.preview.warm import FramePool

                self._pool = FramePool(self.frame_bytes)
            return self._pool

    @property
    def spares(self) -> Spares:
        """The pre-started ffmpeg of the next small preview (render/_spare.py), also made on first use."""
        with self._lock:
            if self._spares is None:
                from draftcut.render.preview.warm import Spares
                from draftcut.render.run.render import resolve_ffmpeg

                self._spares = Spares(resolve_ffmpeg(self.drafts.settings.ffmpeg or None),
                                      self.drafts.blobs.scratch_dir())
            return self._spares

    def frame(self, draft_id: str, at_us: int, width: int | None = None) -> bytes:
        """The PNG at `at_us`; blocking (run it in a thread). DraftNotFound, EmptyDraft, RenderError as usual."""
        listing = self.drafts.store.listing(draft_id)
        with self._lease(listing) as warm:
            return warm.frame(at_us, width=width)

    @contextlib.contextmanager
    def _lease(self, listing: DraftListing) -> Iterator[WarmDraft]:
        entry = self._take(listing)
        try:
            yield entry.warm
        finally:
            self._release(entry)

    def _take(self, listing: DraftListing) -> _Entry:
        with self._lock:
            entry = self._entries.get(listing.id)
            if entry is not None and entry.version == listing.version:
                entry.users += 1
                self._entries.move_to_end(listing.id)
                return entry
        fresh = self._build(listing)  # outside the lock: other drafts' previews go on meanwhile
        fresh.users = 1
        with self._lock:
            entry = self._entries.get(listing.id)
            if entry is not None and entry.version >= fresh.version:
                fresh.retired = True  # built twice at once, or the listing went stale: serve it, keep the other
                return fresh
            if entry is not None:
                self._retire(entry)
            self._entries[listing.id] = fresh
            while len(self._entries) > self.size:
                self._retire(self._entries.popitem(last=False)[1])
            return fresh

    def _build(self, listing: DraftListing) -> _Entry:
        from draftcut.render.preview.warm import WarmDraft

        check_renderable(json.loads(listing.content_json))
        with self._lock:
            older = self._entries.get(listing.id)
        scratch = self.drafts.blobs.scratch_dir()
        try:
            folder = self.drafts.materialize_listing(listing, scratch / listing.id)
            warm = WarmDraft(folder, self.pool, scratch, ffmpeg=self.drafts.settings.ffmpeg or None,
                             previous=older.warm if older is not None else None, spares=self.spares)
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        return _Entry(listing.version, warm, scratch)

    def _retire(self, entry: _Entry) -> None:
        """Under the lock: close `entry` now, or when its last request is done."""
        entry.retired = True
        if entry.users == 0:
            shutil.rmtree(entry.scratch, ignore_errors=True)

    def _release(self, entry: _Entry) -> None:
        with self._lock:
            entry.users -= 1
            if entry.retired and entry.users == 0:
                shutil.rmtree(entry.scratch, ignore_errors=True)

    def close(self) -> None:
        """Remove every warm folder and close the decoders (entries in use are removed when released)."""
        with self._lock:
            for entry in self._entries.values():
                self._retire(entry)
            self._entries.clear()
            pool, self._pool = self._pool, None
            spares, self._spares = self._spares, None
        if pool is not None:
            pool.close()
        if spares is not None:
            spares.close()
            shutil.rmtree(spares.root, ignore_errors=True)
