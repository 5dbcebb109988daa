"""gen_video_status's `report`: a render's notes grouped by feature, detail and material, over real HTTP."""

from __future__ import annotations

import json
from typing import Any

import httpx
from utils.render_jobs import render_draft, small_draft
from utils.server_fixtures import call

SEC = 1_000_000
UNMAPPED = "I Love You"
"""A catalog scene effect the renderer has no approximation for (read/looks.py): left out, and reported."""


def test_an_unmapped_effect_is_one_group_of_the_report_named_by_its_name(api: httpx.Client, media: Any) -> None:
    url = small_draft(api, media, seconds=1.0)
    cuts = [(0, 300_000), (300_000, 600_000), (600_000, 900_000)]
    data = call(api, "add_effects", {"draft_url": url, "effect_infos": json.dumps(
        [{"effect_title": UNMAPPED, "start": a, "end": b} for a, b in cuts], ensure_ascii=False)})
    status = render_draft(api, url, timeout=120)
    assert status["status"] == "completed", status
    report = status["report"]
    assert report["exact"] is False and report["duration_matches"] is True and report["length"] is None
    assert report["approximated"] == []
    (group,) = [g for g in report["omitted"] if g["feature"] == "video effect"]
    assert group["detail"] == f"{UNMAPPED}: not rendered (no approximation for this effect)"
    assert group["material"] == UNMAPPED and group["kind"] == "omitted" and group["count"] == 3
    assert group["segment_ids"] == data["segment_ids"]
    assert group["ranges"] == [{"start_us": a, "end_us": b} for a, b in cuts]
    assert group["message"].startswith(f"video effect: {UNMAPPED}: not rendered") and "3 segments" in group["message"]
    assert not any(i in json.dumps(report, ensure_ascii=False) for i in data["effect_ids"])
    # the flat list stays as it was (same keys), with the new ones added
    notes = [u for u in status["unsupported"] if u["feature"] == "video effect"]
    assert len(notes) == 3 and all({"segment_id", "feature", "detail"} <= set(u) for u in notes)
    assert [(u["start_us"], u["end_us"], u["material"], u["kind"]) for u in notes] == [
        (a, b, UNMAPPED, "omitted") for a, b in cuts]

    # a cached answer (the same draft version, rendered before) serves the same report from the stored notes
    assert call(api, "gen_video", {"draft_url": url})["cached"] is True
    assert call(api, "gen_video_status", {"draft_url": url})["report"] == report
