"""Draft operations, written once: parse → fetch media → edit in one transaction.

capcut-mate repeats parse/download/lock/mutate/save in every endpoint's
service file. Here every add_* call is `_edit(draft_url, urls, edit)`: the
media are fetched (and cached) before the draft is touched, and the edit
runs inside `DraftStore.update`, so a failure leaves the draft as it was.
"""

from __future__ import annotations

import asyncio
import functools
import shutil
import time
import uuid
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from draftcut.config import API_PREFIX, Settings
from draftcut.disconnect import unless_client_leaves
from draftcut.draft import captions, edits, effects, keyframes, masks, quick, segment_edits, stickers, text_helpers
from draftcut.draft.document import Draft
from draftcut.draft.edits import EditContext, MediaRef
from draftcut.draft.folder import JSON_FILES, folder_file, folder_files, is_safe_relpath, write_folder
from draftcut.draft.ids import draft_id_from_url, is_draft_id, new_draft_id
from draftcut.draft.names import NameResolver
from draftcut.draft.profiles import get_profile
from draftcut.draft.record import DraftRecord
from draftcut.errors import (
    DraftBusy,
    DraftcutError,
    DraftMediaGone,
    DraftNotFound,
    InvalidCaptionInfo,
    InvalidDraftUrl,
    MediaError,
)
from draftcut.media import FetchGroup, MediaFetcher, MediaFile, in_order
from draftcut.schemas import AddAudiosRequest, AddImagesRequest, AddVideosRequest, CreateDraftRequest
from draftcut.schemas.edits import (
    AddEffectsRequest,
    AddFiltersRequest,
    AddKeyframesRequest,
    AddMasksRequest,
    AddStickerRequest,
    EasyCreateMaterialRequest,
)
from draftcut.schemas.segments import (
    DeleteSegmentRequest,
    ReplaceMaterialRequest,
    SetTextRequest,
    UpdateSegmentRequest,
)
from draftcut.schemas.text import AddCaptionsRequest, AddSubtitlesRequest, CaptionItem
from draftcut.store.backends import Stores
from draftcut.store.blobs import BlobStore
from draftcut.store.drafts import DraftIdTaken, DraftListing, DraftStore, DraftSummary, WriteBusy

__all__ = ["DraftFile", "DraftService"]

ID_TRIES = 5
SRT_MAX_BYTES = 4 * 1024 * 1024
"""An SRT file fetched from a URL: a feature film's subtitles are ~100 KB."""
T = TypeVar("T")
Req = TypeVar("Req", AddVideosRequest, AddAudiosRequest, AddImagesRequest, AddCaptionsRequest, AddEffectsRequest,
              AddFiltersRequest, AddKeyframesRequest, AddMasksRequest, AddStickerRequest, EasyCreateMaterialRequest,
              UpdateSegmentRequest, DeleteSegmentRequest, ReplaceMaterialRequest, SetTextRequest)
Edit = Callable[[DraftRecord, EditContext, Req, list[MediaRef]], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class DraftFile:
    """One file of a draft folder: JSON bytes, or the key of a blob (local or in object storage)."""

    relpath: str
    data: bytes | None = None
    blob_key: str | None = None


def _media_ref(media: MediaFile) -> MediaRef:
    info = media.info
    return MediaRef(url=media.url, blob_key=media.blob_key, sha256=media.sha256, ext=media.ext, size=media.size,
                    kind=info.kind, duration_us=info.duration_us, width=info.width, height=info.height,
                    has_audio=info.has_audio, has_video=info.has_video)


class DraftService:
    def __init__(self, settings: Settings, store: DraftStore, blobs: BlobStore, fetcher: MediaFetcher) -> None:
        self.settings = settings
        self.store = store
        self.blobs = blobs
        self.fetcher = fetcher

    @classmethod
    def from_stores(cls, settings: Settings, stores: Stores) -> DraftService:
        """The service over a process's stores (the API server and every render worker build it alike)."""
        return cls(settings, stores.drafts, stores.blobs, MediaFetcher(settings, stores.blobs, stores.media_index))

    def draft_url(self, draft_id: str) -> str:
        return f"{self.settings.base_url}{API_PREFIX}/get_draft?draft_id={draft_id}"

    def file_url(self, draft_id: str, relpath: str) -> str:
        return f"{self.settings.base_url}/output/draft/{draft_id}/{relpath}"

    async def create_draft(self, req: CreateDraftRequest) -> dict[str, Any]:
        draft = Draft.new(req.width, req.height, app=req.app)
        now_us = int(time.time() * 1_000_000)
        record = DraftRecord(id=new_draft_id(), content=draft.content,
                             meta={"meta_id": str(uuid.uuid4()).upper(), "created_us": now_us, "modified_us": now_us,
                                   "app": req.app})
        for _ in range(ID_TRIES):
            try:
                await self._write(self.store.create, record)
                break
            except DraftIdTaken:
                record.id = new_draft_id()
        else:
            raise DraftBusy("could not pick an unused draft id")
        return {"draft_url": self.draft_url(record.id), "draft_id": record.id, "app": req.app,
                "tip_url": self.settings.tip_url}

    async def list_drafts(self, page: int, page_size: int) -> dict[str, Any]:
        """One page of drafts, most recently changed first (the web page's list); timelines are not loaded."""

        def read() -> tuple[int, list[DraftSummary]]:
            return self.store.count(), self.store.list((page - 1) * page_size, page_size)

        total, rows = await asyncio.to_thread(read)
        drafts = [{"draft_id": r.id, "draft_url": self.draft_url(r.id), "width": r.width, "height": r.height,
                   "duration": r.duration, "app": r.app, "segments": r.segments,
                   "created": round(r.created_at, 3), "modified": round(r.updated_at, 3)} for r in rows]
        return {"drafts": drafts, "total": total, "page": page, "page_size": page_size}

    async def save_draft(self, draft_url: str) -> dict[str, Any]:
        draft_id = draft_id_from_url(draft_url)
        await self._write(self.store.update, draft_id, self._touch)
        return {"draft_url": self.draft_url(draft_id)}

    @staticmethod
    def _touch(record: DraftRecord) -> None:
        record.meta["modified_us"] = int(time.time() * 1_000_000)

    async def list_files(self, draft_id: str) -> list[str]:
        """Absolute URLs of every file in the draft folder, JSON first."""
        if not is_draft_id(draft_id):
            raise InvalidDraftUrl(f"malformed draft_id {draft_id[:40]!r}", field="draft_id")
        assets = await self._read(self.store.assets, draft_id)
        return [self.file_url(draft_id, p) for p in (*JSON_FILES, *assets)]

    async def read_file(self, draft_id: str, relpath: str) -> DraftFile:
        if not is_draft_id(draft_id) or not is_safe_relpath(relpath):
            raise DraftNotFound(draft_id, field="path")
        listing = await asyncio.to_thread(self.store.listing, draft_id)
        if relpath in JSON_FILES:
            return DraftFile(relpath, data=folder_file(relpath, draft_id, listing.content_json, listing.meta,
                                                       listing.assets))
        entry = listing.assets.get(relpath)
        if entry is None:
            raise DraftNotFound(draft_id, field="path")
        return DraftFile(relpath, blob_key=entry["blob_key"])

    def export_zip(self, draft_id: str) -> Path:
        """The draft folder as one zip (`<draft_id>/...`, the layout the apps list), in a scratch folder.

        Media paths are in the placeholder form, so the unzipped folder opens on any machine without
        rewriting. Media are stored, not deflated: they are compressed already. The caller removes
        the zip's folder when it has been sent.
        """
        if not is_draft_id(draft_id):
            raise InvalidDraftUrl(f"malformed draft_id {draft_id[:40]!r}", field="draft_id")
        listing = self.store.listing(draft_id)
        media = {relpath: entry for relpath, entry in listing.assets.items() if is_safe_relpath(relpath)}
        for relpath, entry in media.items():
            if not self.blobs.exists(entry["blob_key"]):
                raise DraftMediaGone(f"{relpath} of draft {draft_id} is no longer stored", field="draft_id")
        dest = self.blobs.scratch_dir() / f"{draft_id}.zip"
        try:
            with zipfile.ZipFile(dest, "w") as archive:
                files = folder_files(draft_id, listing.content_json, listing.meta, listing.assets, portable=True)
                for name, data in files.items():
                    archive.writestr(f"{draft_id}/{name}", data, compress_type=zipfile.ZIP_DEFLATED)
                for relpath, entry in media.items():
                    archive.write(self.blobs.local_path(entry["blob_key"]), f"{draft_id}/{relpath}",
                                  compress_type=zipfile.ZIP_STORED)
        except BaseException:
            shutil.rmtree(dest.parent, ignore_errors=True)
            raise
        return dest

    def materialize(self, draft_id: str, dest: Path) -> Path:
        """Write the whole draft folder to `dest` (for the renderer or a local hand-off)."""
        return self.materialize_listing(self.store.listing(draft_id), dest)

    def materialize_listing(self, listing: DraftListing, dest: Path, *,
                            missing: dict[str, dict[str, Any]] | None = None) -> Path:
        """`materialize` of a listing already read (its `version` is the one written).

        With `missing`, media whose blob is gone are put there (relpath → asset entry) and
        stand in the folder as empty files, instead of failing: for checking a draft, not rendering it.
        """
        assets = listing.assets
        if missing is not None:
            assets = {}
            for relpath, entry in listing.assets.items():
                if self.blobs.exists(entry["blob_key"]):
                    assets[relpath] = entry
                elif is_safe_relpath(relpath):
                    missing[relpath] = entry
        files = folder_files(listing.id, listing.content_json, listing.meta, listing.assets)
        folder = write_folder(dest, files, assets, self.blobs.local_path)
        for relpath in missing or ():
            (folder / relpath).parent.mkdir(parents=True, exist_ok=True)
            (folder / relpath).touch()
        return folder

    async def _read(self, read: Callable[..., T], *args: Any) -> T:
        """A one-row store read: inline where that is cheaper than a hop to a thread (SQLite), else in a thread."""
        if self.store.inline_reads:
            return read(*args)
        return await asyncio.to_thread(read, *args)

    @staticmethod
    async def _write(write: Callable[..., T], *args: Any) -> T:
        """A store write on the event loop, or in a thread if the write turn stays taken.

        The write itself is a few hundred microseconds of CPU. Done in a worker
        thread it cost as much again in hand-offs, and a thread holding the
        write turn while it waited for the GIL stalled every other writer: that
        was most of an edit's latency under load. Other writers hold the turn
        for one statement, so the store's short spin (`wait=False`) almost
        always gets it; only a writer that keeps it longer is waited for in a
        thread, where blocking does not stall the other requests.
        """
        try:
            return write(*args, wait=False)
        except WriteBusy:
            return await asyncio.to_thread(write, *args)

    async def _fetch_all(self, urls: Sequence[str], fields: Sequence[str], draft_id: str) -> list[MediaRef]:
        """The clips of one edit: fresh ones from memory, the rest fetched concurrently.

        The downloads stop as soon as one fails or the client disconnects, and
        only a few run at once (the request's `FetchGroup`): a request with
        many slow URLs used to hold the whole connection pool for minutes,
        even after it had answered.
        """
        def at(exc: MediaError, i: int) -> DraftcutError:
            return exc.at(fields[i])

        async def one(i: int, url: str, group: FetchGroup) -> MediaFile:
            try:
                return await self.fetcher.get(url, group=group)
            except MediaError as exc:
                raise at(exc, i) from None

        async def fetch(missing: list[int]) -> list[MediaFile]:
            group = self.fetcher.new_group()
            return await in_order([functools.partial(one, i, urls[i], group) for i in missing])

        found: list[MediaFile | None] = []
        for i, url in enumerate(urls):
            try:
                found.append(self.fetcher.get_fresh(url))
            except MediaError as exc:
                raise at(exc, i) from None
        missing = [i for i, media in enumerate(found) if media is None]
        if missing:
            # Fail on a missing draft before spending time on downloads.
            if not await self._read(self.store.exists, draft_id):
                raise DraftNotFound(draft_id)
            gone = MediaError("the client disconnected; the downloads were cancelled")
            fetched = await unless_client_leaves(fetch(missing), gone)
            for i, media in zip(missing, fetched, strict=True):
                found[i] = media
        return [_media_ref(media) for media in found if media is not None]

    async def _edit(self, draft_url: str, urls: Sequence[str], field: str | Sequence[str], edit: Edit[Req],
                    req: Req) -> dict[str, Any]:
        """Fetch `urls`, then run `edit` in one store transaction.

        `field` names where each URL came from: one name per URL, or an
        array field (``video_infos``) whose items hold them (``video_infos[i].video_url``).
        """
        draft_id = draft_id_from_url(draft_url)
        if isinstance(field, str):
            fields = [f"{field}[{i}].{field.removesuffix('_infos')}_url" for i in range(len(urls))]
        else:
            fields = list(field)
        media = await self._fetch_all(urls, fields, draft_id)

        def apply(record: DraftRecord) -> dict[str, Any]:
            # A fresh context per attempt: the store re-runs `apply` after a write conflict,
            # and the warnings must describe the attempt that was saved, once.
            names = NameResolver(strict=self.settings.strict_names, app=get_profile(record.meta.get("app")).catalogs)
            ctx = EditContext(draft_id=draft_id, draft_url=self.draft_url(draft_id),
                              path_root=self.settings.material_path_root, names=names)
            result = edit(record, ctx, req, media)
            if names.warnings:
                result["warnings"] = names.warnings
            self._touch(record)
            return result

        return await self._write(self.store.update, draft_id, apply)

    async def add_videos(self, req: AddVideosRequest) -> dict[str, Any]:
        return await self._edit(req.draft_url, [i.video_url for i in req.video_infos], "video_infos",
                                edits.add_videos, req)

    async def add_audios(self, req: AddAudiosRequest) -> dict[str, Any]:
        return await self._edit(req.draft_url, [i.audio_url for i in req.audio_infos], "audio_infos",
                                edits.add_audios, req)

    async def add_images(self, req: AddImagesRequest) -> dict[str, Any]:
        return await self._edit(req.draft_url, [i.image_url for i in req.image_infos], "image_infos",
                                edits.add_images, req)

    async def add_captions(self, req: AddCaptionsRequest) -> dict[str, Any]:
        return await self._edit(req.draft_url, [], "captions", captions.add_captions, req)

    async def add_effects(self, req: AddEffectsRequest) -> dict[str, Any]:
        return await self._edit(req.draft_url, [], [], effects.add_effects, req)

    async def add_filters(self, req: AddFiltersRequest) -> dict[str, Any]:
        return await self._edit(req.draft_url, [], [], effects.add_filters, req)

    async def add_keyframes(self, req: AddKeyframesRequest) -> dict[str, Any]:
        return await self._edit(req.draft_url, [], [], keyframes.add_keyframes, req)

    async def add_masks(self, req: AddMasksRequest) -> dict[str, Any]:
        return await self._edit(req.draft_url, [], [], masks.add_masks, req)

    async def add_sticker(self, req: AddStickerRequest) -> dict[str, Any]:
        urls = [req.sticker_url] if req.sticker_url else []
        return await self._edit(req.draft_url, urls, ["sticker_url"] * len(urls), stickers.add_sticker, req)

    async def easy_create_material(self, req: EasyCreateMaterialRequest) -> dict[str, Any]:
        pairs = quick.media_fields(req)
        return await self._edit(req.draft_url, [u for _, u in pairs], [f for f, _ in pairs],
                                quick.easy_create_material, req)

    async def update_segment(self, req: UpdateSegmentRequest) -> dict[str, Any]:
        return await self._edit(req.draft_url, [], [], segment_edits.update_segment, req)

    async def delete_segment(self, req: DeleteSegmentRequest) -> dict[str, Any]:
        return await self._edit(req.draft_url, [], [], segment_edits.delete_segment, req)

    async def replace_material(self, req: ReplaceMaterialRequest) -> dict[str, Any]:
        return await self._edit(req.draft_url, [req.url], ["url"], segment_edits.replace_material, req)

    async def set_text(self, req: SetTextRequest) -> dict[str, Any]:
        return await self._edit(req.draft_url, [], [], segment_edits.set_text, req)

    async def get_timeline(self, draft_url: str) -> dict[str, Any]:
        """Tracks, segments (ids, times, text, attachments) as plain JSON; a read, no lock."""
        draft_id = draft_id_from_url(draft_url)
        record = await asyncio.to_thread(self.store.get, draft_id)
        return segment_edits.timeline(record, self.draft_url(draft_id))

    async def srt_text(self, srt: str) -> str:
        """The SRT itself, or the file at an http(s) URL fetched through the media guard."""
        candidate = srt.strip()
        if candidate.lower().startswith(("http://", "https://")) and "\n" not in candidate:
            try:
                return await self.fetcher.get_text(candidate, max_bytes=SRT_MAX_BYTES)
            except MediaError as exc:
                raise exc.at("srt") from None
        return srt

    async def srt_infos(self, srt: str) -> dict[str, Any]:
        return text_helpers.srt_infos(await self.srt_text(srt))

    async def add_subtitles(self, req: AddSubtitlesRequest) -> dict[str, Any]:
        """Every cue of the SRT becomes a caption, styled by the request's caption fields."""
        cues = text_helpers.parse_cues(await self.srt_text(req.srt))
        shared = req.model_dump(include=set(CaptionItem.model_fields) - {"start", "end", "text", "words"})
        items = []
        for cue in cues:
            try:
                items.append(CaptionItem.model_validate({**shared, "start": cue.start_us, "end": cue.end_us,
                                                         "text": cue.text}))
            except ValueError as exc:  # pydantic's ValidationError is a ValueError
                raise InvalidCaptionInfo(str(exc).splitlines()[-1].strip(), field=f"srt cue {cue.number}") from None
        captions_req = AddCaptionsRequest.model_construct(
            **req.model_dump(include=set(AddCaptionsRequest.model_fields) - {"captions"}, by_alias=False),
            captions=items)
        return await self._edit(req.draft_url, [], "captions", captions.add_captions, captions_req)

    async def sweep_retention(self) -> list[str]:
        """Delete drafts untouched for `retention_days` (off when 0)."""
        if not self.settings.retention_days:
            return []
        cutoff = time.time() - self.settings.retention_days * 86400
        ids = await asyncio.to_thread(self.store.ids_untouched_since, cutoff)
        for draft_id in ids:
            await asyncio.to_thread(self.store.delete, draft_id)
        return ids
