"""gen_video's `start`/`end` over real HTTP: the part rendered, bad ranges refused, the cache kept apart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import av
import httpx
import pytest
from utils.render_jobs import wait_render
from utils.server_fixtures import call, create_draft


def _red_then_blue(client: httpx.Client, media: Any) -> str:
    """320×240: red 0–1 s, blue 1–2 s."""
    url = create_draft(client, 320, 240)
    call(client, "add_videos", {"draft_url": url, "video_infos": json.dumps([
        {"video_url": media.url("video_red_2s.mp4"), "start": 0, "end": 1_000_000},
        {"video_url": media.url("video_blue_3s_silent.mp4"), "start": 1_000_000, "end": 2_000_000}])})
    return url


def _video(status: dict[str, Any], tmp_path: Path) -> tuple[int, tuple[int, int, int]]:
    """Frames of the rendered video and the RGB of its first frame's centre."""
    assert status["status"] == "completed", status
    out = tmp_path / f"{status['task_id']}.mp4"
    out.write_bytes(httpx.get(status["video_url"]).content)
    with av.open(str(out)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
        assert container.streams.audio, "the range keeps its sound track"
    r, g, b = (int(v) for v in frames[0][120, 160])
    return len(frames), (r, g, b)


def test_gen_video_renders_a_range_apart_from_the_whole(api: httpx.Client, media: Any, tmp_path: Path) -> None:
    url = _red_then_blue(api, media)
    submitted = call(api, "gen_video", {"draft_url": url, "start": 1_000_000, "end": 2_000_000})
    assert (submitted["start"], submitted["end"], submitted["cached"]) == (1_000_000, 2_000_000, False)
    part = wait_render(api, url)
    frames, rgb = _video(part, tmp_path)
    assert frames == 30 and rgb[2] > 180 and rgb[0] < 80, (frames, rgb)  # 1 s, starting on the blue clip

    whole = call(api, "gen_video", {"draft_url": url})
    assert not whole["cached"] and "start" not in whole  # the range's render does not answer for the whole
    full = wait_render(api, url)
    frames, rgb = _video(full, tmp_path)
    assert frames == 60 and rgb[0] > 180 and rgb[2] < 80, (frames, rgb)

    again = call(api, "gen_video", {"draft_url": url, "start": 1_000_000, "end": ""})  # "" = to the end
    assert again["cached"] and again["video_url"] == part["video_url"], again
    same = call(api, "gen_video", {"draft_url": url, "start": 0, "end": 2_000_000})  # all of it: the whole render
    assert same["cached"] and same["video_url"] == full["video_url"], same
    other = call(api, "gen_video", {"draft_url": url, "start": 500_000, "end": 1_500_000})
    assert not other["cached"]
    frames, rgb = _video(wait_render(api, url), tmp_path)
    assert frames == 30 and rgb[0] > 180, (frames, rgb)


@pytest.mark.parametrize(("body", "code", "field"), [
    ({"start": -1}, 1001, "start"),
    ({"start": 1_000_000, "end": 1_000_000}, 1001, "end"),
    ({"end": "nan"}, 1001, "end"),
    ({"end": 10**20}, 1001, "end"),
    ({"end": 5_000_000}, 3022, "end"),
    ({"start": 2_000_000}, 3022, "start"),
])
def test_bad_ranges_are_a_400_naming_the_field(api: httpx.Client, media: Any, body: dict[str, Any], code: int,
                                               field: str) -> None:
    url = _red_then_blue(api, media)
    data = call(api, "gen_video", {"draft_url": url, **body}, status=400, code=code)
    assert f"{field}:" in data["message"], data
    call(api, "gen_video_status", {"draft_url": url}, status=404, code=2031)  # no job was made


def test_a_timeline_longer_than_the_service_renders_is_a_400(tmp_path: Path, media: Any) -> None:
    """DRAFTCUT_RENDER_MAX_SECONDS: refused at submit naming the field, while a short enough range renders."""
    from utils.server_fixtures import Server

    with Server(tmp_path / "data", env={"DRAFTCUT_RENDER_MAX_SECONDS": "1.5"}) as srv, \
            httpx.Client(base_url=srv.url, timeout=60) as client:
        url = _red_then_blue(client, media)  # 2 s
        answer = client.post("/openapi/capcut-mate/v1/gen_video", json={"draft_url": url}).json()
        assert answer["code"] == 3023 and "duration" in json.dumps(answer, ensure_ascii=False), answer
        assert "1.5 s" in answer["message"] + json.dumps(answer.get("detail"), ensure_ascii=False), answer
        answer = client.post("/openapi/capcut-mate/v1/gen_video",
                             json={"draft_url": url, "start": 0, "end": 1_800_000}).json()
        assert answer["code"] == 3023 and "end" in json.dumps(answer, ensure_ascii=False), answer
        call(client, "gen_video", {"draft_url": url, "start": 500_000, "end": 1_500_000})
        frames, rgb = _video(wait_render(client, url), tmp_path)
        assert frames == 30 and rgb[0] > 180, (frames, rgb)
