"""gen_video's render cache and its submit-time warnings, over HTTP against the session's server."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx
from utils.render_jobs import blob_of, own_clip, small_draft, wait_render
from utils.server_fixtures import Server, call

from draftcut.jobs.store import SqliteJobStore
from draftcut.store._sqlite import Database


def test_unchanged_draft_is_not_rendered_again(api: httpx.Client, server: Server, media: Any) -> None:
    url = small_draft(api, media)
    first = call(api, "gen_video", {"draft_url": url})
    assert first["cached"] is False and first["warnings"] == []
    done = wait_render(api, url)
    assert done["status"] == "completed" and done["cached"] is False, done

    started = time.monotonic()
    again = call(api, "gen_video", {"draft_url": url})
    assert time.monotonic() - started < 5
    assert again["cached"] is True and again["status"] == "completed", again
    assert again["video_url"] == done["video_url"] and again["task_id"] != first["task_id"]
    status = call(api, "gen_video_status", {"draft_url": url})
    assert (status["status"], status["progress"], status["cached"]) == ("completed", 100, True)
    assert status["video_url"] == done["video_url"] and status["draft_version"] == done["draft_version"]
    assert httpx.get(status["video_url"]).status_code == 200

    # one edit: a new version, rendered again
    call(api, "add_audios", {"draft_url": url, "audio_infos": json.dumps(
        [{"audio_url": media.url("audio_2s.mp3"), "start": 0, "end": 1_000_000}])})
    edited = call(api, "gen_video", {"draft_url": url})
    assert edited["cached"] is False and edited["status"] in ("pending", "processing"), edited
    redone = wait_render(api, url)
    assert redone["status"] == "completed" and redone["cached"] is False, redone
    assert redone["video_url"] != done["video_url"] and redone["draft_version"] > done["draft_version"]

    # the cached video must still exist: once it is gone, the same version renders again
    (server.data_dir / "blobs" / "renders" / f"{redone['task_id']}.mp4").unlink()
    gone = call(api, "gen_video", {"draft_url": url})
    assert gone["cached"] is False, gone
    assert wait_render(api, url)["status"] == "completed"


def test_missing_clip_and_approximations_are_warnings_at_submit(api: httpx.Client, server: Server,
                                                                 media: Any) -> None:
    clip = own_clip(media, "missing_warning", "0x3060a0")
    url = small_draft(api, media, clip)
    call(api, "add_effects", {"draft_url": url, "effect_infos": json.dumps(
        [{"effect_title": "暗角", "start": 0, "end": 1_000_000}], ensure_ascii=False)})
    blob_of(server.data_dir, media, clip).unlink()

    data = call(api, "gen_video", {"draft_url": url})
    missing = [w for w in data["warnings"] if w["kind"] == "missing_media"]
    assert len(missing) == 1, data["warnings"]
    assert missing[0]["path"].startswith("assets/videos/") and "missing" in missing[0]["message"]
    assert missing[0]["field"] == f"materials[{missing[0]['material_id']}].path"
    approximated = [w for w in data["warnings"] if w["kind"] == "unsupported"]
    assert any("暗角" in w["detail"] for w in approximated), data["warnings"]
    assert all({"segment_id", "feature", "detail", "message"} <= w.keys() for w in approximated)
    assert wait_render(api, url)["status"] == "failed"  # as warned


def test_a_database_from_before_the_cache_gets_the_new_columns(tmp_path: Path) -> None:
    """Jobs stored by an older draftcut keep working: their table gains the columns on open."""
    path = tmp_path / "draftcut.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE jobs (id TEXT PRIMARY KEY, draft_id TEXT NOT NULL, draft_url TEXT NOT NULL,"
                     " status TEXT NOT NULL, progress INTEGER NOT NULL DEFAULT 0, phase TEXT NOT NULL DEFAULT '',"
                     " video_key TEXT NOT NULL DEFAULT '', error_message TEXT NOT NULL DEFAULT '',"
                     " error_status INTEGER NOT NULL DEFAULT 0, unsupported TEXT NOT NULL DEFAULT '[]',"
                     " attempts INTEGER NOT NULL DEFAULT 0, worker TEXT NOT NULL DEFAULT '',"
                     " heartbeat_at REAL NOT NULL DEFAULT 0, created_at REAL NOT NULL, started_at REAL,"
                     " completed_at REAL)")
        conn.execute("INSERT INTO jobs (id, draft_id, draft_url, status, video_key, created_at)"
                     " VALUES ('a', 'd', 'u', 'completed', 'renders/a.mp4', 1)")
    db = Database(path)
    try:
        jobs = SqliteJobStore(db)
        old = jobs.latest("d")
        assert (old.status, old.draft_version, old.callback_url, old.callback_status) == ("completed", 0, "", "")
        assert jobs.cached("d", 0, "") == [old]  # an empty key matches no key a render computes
    finally:
        db.close()
