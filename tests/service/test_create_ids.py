"""DraftService.create_draft on a real store when a fresh id is already taken."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from draftcut import service as service_module
from draftcut.config import Settings
from draftcut.errors import DraftBusy
from draftcut.media import MediaFetcher
from draftcut.schemas import CreateDraftRequest
from draftcut.service import DraftService
from draftcut.store._sqlite import Database
from draftcut.store.blobs import LocalBlobStore
from draftcut.store.drafts import SqliteDraftStore
from draftcut.store.media_index import SqliteMediaIndex

TAKEN = "20261121000000aaaaaaaa"


async def _create(tmp_path: Path, ids: list[str]) -> tuple[dict, SqliteDraftStore]:
    settings = Settings(data_dir=tmp_path)
    db = Database(settings.db_path)
    blobs = LocalBlobStore(settings.blob_dir)
    store = SqliteDraftStore(db)
    async with MediaFetcher(settings, blobs, SqliteMediaIndex(db)) as fetcher:
        service = DraftService(settings, store, blobs, fetcher)
        first = await service.create_draft(CreateDraftRequest())
        assert first["draft_id"] == ids[0]
        return await service.create_draft(CreateDraftRequest()), store


def test_a_colliding_draft_id_is_replaced_not_a_500(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The id generator (timestamp + 32 random bits) repeating itself is what is simulated here.
    ids = [TAKEN, TAKEN, TAKEN, "20261121000000bbbbbbbb"]
    monkeypatch.setattr(service_module, "new_draft_id", lambda: ids.pop(0))
    second, store = asyncio.run(_create(tmp_path, [TAKEN]))
    assert second["draft_id"] == "20261121000000bbbbbbbb"
    assert store.exists(TAKEN) and store.exists(second["draft_id"])


def test_an_id_generator_that_keeps_colliding_gives_a_clear_error(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service_module, "new_draft_id", lambda: TAKEN)
    with pytest.raises(DraftBusy, match="unused draft id"):
        asyncio.run(_create(tmp_path, [TAKEN]))
