"""kill -9 of two API processes in the middle of concurrent edits, on PostgreSQL (`DRAFTCUT_DATABASE_URL`).

The SQLite twin is tests/api/test_durability.py: every edit acknowledged before the kill is in the draft
that a new process reads back from the database, no track is half made, and the draft stays editable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from utils.edits import add_one as _add
from utils.edits import kill_mid_edits
from utils.pg_server import PgServer, pg_server, pg_url  # noqa: F401  (fixtures)
from utils.server_fixtures import Server


def test_killed_api_processes_keep_every_acknowledged_edit(tmp_path: Path, media: Any, pg_url: str) -> None:  # noqa: F811
    env = {"DRAFTCUT_DATABASE_URL": pg_url}
    url, done = kill_mid_edits(Server(tmp_path / "a", workers=2, env=env).start(), media)
    # a new process with a data dir of its own: the draft can only come from PostgreSQL
    with Server(tmp_path / "b", env=env) as srv2, httpx.Client(base_url=srv2.url, timeout=30) as c2:
        did = url.rsplit("=", 1)[1]
        content = c2.get(f"/output/draft/{did}/draft_content.json").json()
        after = _add(c2, url, media, 99)
    seg_ids = {s["id"] for t in content["tracks"] for s in t["segments"]}
    assert len(done) >= 8
    assert {sid for r in done for sid in r["segment_ids"]} <= seg_ids  # every acknowledged edit is there
    assert all(t["segments"] for t in content["tracks"] if t["name"] != "main_track")  # no half-made tracks
    assert after["code"] == 0
