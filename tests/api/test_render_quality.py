"""gen_video's `quality`: a 360p proxy render next to the final one, cached apart, through the HTTP API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import av
import httpx
import pytest
from utils.render_jobs import wait_render
from utils.server_fixtures import call, create_draft


def _draft(api: httpx.Client, media: Any, width: int, height: int) -> str:
    """A 2 s moving pattern with sound, on a canvas of the given size."""
    url = create_draft(api, width, height)
    call(api, "add_videos", {"draft_url": url, "video_infos": json.dumps(
        [{"video_url": media.url("pattern_5s.mp4"), "start": 0, "end": 2_000_000}])})
    call(api, "add_audios", {"draft_url": url, "audio_infos": json.dumps(
        [{"audio_url": media.url("audio_2s.mp3"), "start": 0, "end": 2_000_000}])})
    return url


def _render(api: httpx.Client, url: str, quality: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"draft_url": url}
    if quality is not None:
        body["quality"] = quality
    submitted = call(api, "gen_video", body)
    status = wait_render(api, url, timeout=240)
    assert status["status"] == "completed", status
    return {**status, "submitted": submitted}


def _video(url: str, dest: Path) -> tuple[int, int, float, int]:
    """(width, height, fps, bytes) of the served MP4; it must play (a frame and its sound decode)."""
    resp = httpx.get(url, timeout=60)
    assert resp.status_code == 200 and resp.headers["content-type"] == "video/mp4"
    dest.write_bytes(resp.content)
    with av.open(str(dest)) as container:
        video, audio = container.streams.video[0], container.streams.audio[0]
        assert video.codec_context.name == "h264" and audio.codec_context.name == "aac"
        assert next(container.decode(video=0)) is not None
        size = (video.codec_context.width, video.codec_context.height)
        fps = float(video.average_rate or 0)
    return size[0], size[1], fps, len(resp.content)


def test_preview_quality_is_a_small_proxy_of_the_final(api: httpx.Client, media: Any, tmp_path: Path) -> None:
    url = _draft(api, media, 1280, 720)
    preview = _render(api, url, "preview")
    assert preview["submitted"]["quality"] == "preview" and preview["quality"] == "preview"
    final = _render(api, url, "final")
    assert final["quality"] == "final" and final["video_url"] != preview["video_url"]
    pw, ph, pfps, pbytes = _video(preview["video_url"], tmp_path / "preview.mp4")
    fw, fh, _, fbytes = _video(final["video_url"], tmp_path / "final.mp4")
    assert (pw, ph) == (640, 360) and (fw, fh) == (1280, 720)
    assert pfps <= 30 and pbytes < fbytes, (pbytes, fbytes)


def test_preview_quality_scales_the_canvas_to_360_on_its_short_side(api: httpx.Client, media: Any,
                                                                      tmp_path: Path) -> None:
    url = _draft(api, media, 720, 1280)
    assert _video(_render(api, url, "preview")["video_url"], tmp_path / "portrait.mp4")[:2] == (360, 640)
    url = _draft(api, media, 640, 360)  # 360 already: kept, never scaled up
    assert _video(_render(api, url, "preview")["video_url"], tmp_path / "small.mp4")[:2] == (640, 360)


def test_the_cache_keeps_qualities_apart(api: httpx.Client, media: Any) -> None:
    url = _draft(api, media, 640, 360)
    preview = _render(api, url, "preview")
    final = call(api, "gen_video", {"draft_url": url})  # default: final, never answered by the preview
    assert final["cached"] is False and final["quality"] == "final", final
    final_done = wait_render(api, url, timeout=240)
    assert final_done["status"] == "completed" and final_done["quality"] == "final"
    again = call(api, "gen_video", {"draft_url": url, "quality": "preview"})
    assert again["cached"] is True and again["video_url"] == preview["video_url"], again
    assert call(api, "gen_video_status", {"draft_url": url})["quality"] == "preview"
    final_again = call(api, "gen_video", {"draft_url": url, "quality": "final"})
    assert final_again["cached"] is True and final_again["video_url"] == final_done["video_url"]


def test_an_active_render_of_one_quality_does_not_stand_in_for_the_other(api: httpx.Client, media: Any) -> None:
    url = _draft(api, media, 640, 360)
    first = call(api, "gen_video", {"draft_url": url})
    second = call(api, "gen_video", {"draft_url": url, "quality": "preview"})
    assert second["task_id"] != first["task_id"] and second["quality"] == "preview"
    wait_render(api, url, timeout=240)


@pytest.mark.parametrize("quality", [None, ""])
def test_empty_quality_means_final(api: httpx.Client, media: Any, quality: str | None) -> None:
    url = _draft(api, media, 640, 360)
    data = call(api, "gen_video", {"draft_url": url, "quality": quality})
    assert data["quality"] == "final"
    wait_render(api, url, timeout=240)


@pytest.mark.parametrize("quality", ["draft", "PREVIEW", "360p", 1, ["preview"]])
def test_unknown_quality_is_refused_naming_the_field(api: httpx.Client, media: Any, quality: Any) -> None:
    url = _draft(api, media, 640, 360)
    data = call(api, "gen_video", {"draft_url": url, "quality": quality}, status=400, code=1001)
    assert "quality" in data["detail"], data
