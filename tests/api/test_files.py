"""Media files of a draft are served by draftcut itself, with HTTP Range."""

from __future__ import annotations

import json
from typing import Any

import httpx
from utils.server_fixtures import call, create_draft, draft_content, draft_id


def test_media_files_listed_served_with_range(api: httpx.Client, media: Any, media_dir: Any) -> None:
    url = create_draft(api)
    call(api, "add_videos", {"draft_url": url, "video_infos": json.dumps([
        {"video_url": media.url("video_red_2s.mp4"), "start": 0, "end": 1000000},
        {"video_url": media.url("video_red_2s.mp4"), "start": 1000000, "end": 2000000}])})
    call(api, "add_audios", {"draft_url": url, "audio_infos": [
        {"audio_url": media.url("audio_2s.mp3"), "start": 0, "end": 1000000}]})
    did = draft_id(url)
    files = httpx.get(url).json()["files"]
    media_urls = [f for f in files if "/assets/" in f]
    assert len(media_urls) == 2  # the clip used twice is stored once
    original = (media_dir / "video_red_2s.mp4").read_bytes()
    video_url = next(f for f in media_urls if "/assets/videos/" in f)
    assert httpx.get(video_url).content == original
    part = httpx.get(video_url, headers={"Range": "bytes=10-99"})
    assert part.status_code == 206 and part.content == original[10:100]
    assert httpx.head(video_url).headers["content-length"] == str(len(original))
    # material paths contain the draft id followed by the path inside the folder (client contract D.2)
    content = draft_content(api, url)
    for m in content["materials"]["videos"] + content["materials"]["audios"]:
        rel = m["path"].split(f"/{did}/", 1)[1]
        assert any(f.endswith(f"/{did}/{rel}") for f in files)
