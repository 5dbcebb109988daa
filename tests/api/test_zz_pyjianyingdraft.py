"""Every draft the suite made loads in pyJianYingDraft 0.3.1 with all its tracks re-imported.

Named `zz` so it runs after the other API modules have filled `CREATED_DRAFTS`.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pyJianYingDraft as pjd
from utils.server_fixtures import CREATED_DRAFTS, draft_id


def _download(draft_url: str, root: Path) -> Path:
    did = draft_id(draft_url)
    for file_url in httpx.get(draft_url, timeout=10).json()["files"]:
        rel = file_url.split(f"/{did}/", 1)[1]
        if rel.endswith(".json"):
            target = root / did / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(httpx.get(file_url, timeout=10).content)
    return root / did


def test_every_suite_draft_loads_and_reimports(tmp_path: Path) -> None:
    alive = [u for u in CREATED_DRAFTS if httpx.get(u, timeout=10).status_code == 200]
    assert len(alive) >= 40, len(alive)  # the suite above really produced drafts
    folder = pjd.DraftFolder(str(tmp_path))
    for url in alive:
        path = _download(url, tmp_path)
        script = folder.load_template(path.name)
        target = pjd.ScriptFile(script.width, script.height, script.fps, False)
        for track in script.imported_tracks:
            target.import_track(script, track)  # asserts every material and extra ref exists
        assert len(target.imported_tracks) == len(script.imported_tracks)
        assert script.duration == max(
            (s.target_timerange.end for t in script.imported_tracks for s in t.segments), default=0)
