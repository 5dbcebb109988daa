"""Every draft the suite made loads in pyJianYingDraft 0.3.1 with all its tracks re-imported.

Named `zz` so it runs after the other API modules have filled `CREATED_DRAFTS`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pyJianYingDraft as pjd
from utils.server_fixtures import CREATED_DRAFTS, call, create_draft, draft_id


def _download(draft_url: str, root: Path) -> Path:
    did = draft_id(draft_url)
    for file_url in httpx.get(draft_url, timeout=10).json()["files"]:
        rel = file_url.split(f"/{did}/", 1)[1]
        if rel.endswith(".json"):
            target = root / did / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(httpx.get(file_url, timeout=10).content)
    return root / did


def _alive(draft_url: str) -> bool:
    """Drafts made on the session server; ones made on per-test servers (now stopped) are skipped."""
    try:
        return httpx.get(draft_url, timeout=10).status_code == 200
    except httpx.ConnectError:
        return False


def _rich_draft(api: httpx.Client, media: Any) -> str:
    """One draft with every kind of material this service writes, so the check never runs empty."""
    url = create_draft(api, 1080, 1920)
    call(api, "add_videos", {"draft_url": url, "video_infos": [
        {"video_url": media.url("pattern_5s.mp4"), "start": 0, "end": 3000000, "mask": "爱心",
         "transition": "闪黑"},
        {"video_url": media.url("video_red_2s.mp4"), "start": 3000000, "end": 5000000}],
        "scene_timelines": [{"start": 0, "end": 1500000}, {"start": 0, "end": 2000000}]})
    call(api, "add_audios", {"draft_url": url, "audio_infos": [
        {"audio_url": media.url("audio_2s.mp3"), "start": 0, "end": 2000000, "fade_in": 100000,
         "audio_effect": "echo"}]})
    call(api, "add_images", {"draft_url": url, "image_infos": [
        {"image_url": media.url("image.jpg"), "start": 0, "end": 2000000, "in_animation": "zoom in"}]})
    call(api, "add_captions", {"draft_url": url, "text_effect": "黑色描边花字", "has_shadow": True, "captions": [
        {"start": 0, "end": 2000000, "text": CAPTION, "keyword": "AI|酷", "in_animation": "向上滑动",
         "loop_animation": "VHS"},
        {"start": 2000000, "end": 4000000, "text": "say hi now", "words": [
            {"text": "say", "start": 2000000, "end": 2500000}, {"text": "hi", "start": 2500000, "end": 3000000}]}]})
    call(api, "add_subtitles", {"draft_url": url, "srt": "1\n00:00:04,000 --> 00:00:05,000\n字幕\n"})
    call(api, "add_effects", {"draft_url": url, "effect_infos": [{"effect_title": "1998", "start": 0, "end": 1000000}]})
    call(api, "add_filters", {"draft_url": url, "filter_infos": [{"filter_title": "1980", "start": 0, "end": 1000000}]})
    sticker = call(api, "add_sticker", {"draft_url": url, "sticker_id": "7226264888031694140", "start": 0,
                                        "end": 1000000, "sticker_url": media.url("image_blue.png")})["segment_id"]
    call(api, "add_keyframes", {"draft_url": url, "keyframes": [
        {"segment_id": sticker, "property": "UNIFORM_SCALE", "offset": 0, "value": 0.5},
        {"segment_id": sticker, "property": "UNIFORM_SCALE", "offset": 1000000, "value": 1.0}]})
    return url


CAPTION = "😀AI很酷"
#: The style runs written for CAPTION, in UTF-16 units: the emoji is two units.
CAPTION_RANGES = [[0, 2], [2, 4], [4, 5], [5, 6]]


def test_every_suite_draft_loads_and_reimports(tmp_path: Path, api: httpx.Client, media: Any) -> None:
    rich = _rich_draft(api, media)
    alive = [u for u in CREATED_DRAFTS if _alive(u)]
    assert rich in alive and len(alive) > 1
    folder = pjd.DraftFolder(str(tmp_path))
    for url in alive:
        path = _download(url, tmp_path)
        script = folder.load_template(path.name)
        target = pjd.ScriptFile(script.width, script.height, script.fps, False)
        for track in script.imported_tracks:
            _reimport(target, script, track)
        assert len(target.imported_tracks) == len(script.imported_tracks)
        assert script.duration == max((_end(t) for t in script.imported_tracks), default=0)
        if url == rich:
            _check_text(script)


def _end(track: Any) -> int:
    """Where a track's last segment ends (effect/filter/sticker tracks keep only their raw JSON there)."""
    if hasattr(track, "segments"):
        return max((s.target_timerange.end for s in track.segments), default=0)
    ranges = [s["target_timerange"] for s in track.raw_data["segments"]]
    return max((int(r["start"]) + int(r["duration"]) for r in ranges), default=0)


def _reimport(target: Any, script: Any, track: Any) -> None:
    """`import_track` asserts that every material and extra ref of the track exists.

    pyJianYingDraft 0.3.1 then fails on tracks it cannot edit (effect, filter
    and sticker tracks are plain `ImportedTrack`s without `end_time`), after
    that check: for those, reaching the AttributeError means the check passed.
    """
    try:
        target.import_track(script, track)
    except AttributeError as exc:
        assert "end_time" in str(exc) and not track.track_type.value.allow_modify, exc
        assert target.imported_tracks[-1].name == track.name


def _check_text(script: Any) -> None:
    """pyJianYingDraft reads back the text tracks and the style ranges that were written, and can edit them."""
    texts = {json.loads(m["content"])["text"]: json.loads(m["content"])["styles"]
             for m in script.imported_materials["texts"]}
    assert [s["range"] for s in texts[CAPTION]] == CAPTION_RANGES
    assert {"say hi now", "字幕"} <= set(texts)
    text_tracks = [t for t in script.imported_tracks if t.track_type == pjd.TrackType.text]
    assert sum(len(t.segments) for t in text_tracks) == 1 + 2 + 1  # one segment per spoken word
    track = next(t for t in text_tracks if len(t.segments) == 3)
    script.replace_text(track, 0, "😀AI很酷!")  # re-ranges the styles it read

