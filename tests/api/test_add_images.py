"""add_images: pictures with animations, transitions and placement."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from utils.server_fixtures import call, create_draft, draft_content


def test_images_with_animations_and_transition(api: httpx.Client, media: Any) -> None:
    url = create_draft(api)
    data = call(api, "add_images", {"draft_url": url, "image_infos": [
        {"image_url": media.url("image_blue.png"), "start": 0, "end": 3000000, "in_animation": "渐显",
         "out_animation": "fade out", "out_animation_duration": 800000, "transition": "dissolve"},
        {"image_url": media.url("image.jpg"), "start": 3000000, "end": 6000000, "loop_animation": "zoom"},
    ], "alpha": 0.9, "scale_x": 2, "scale_y": 2})
    assert len(data["image_ids"]) == 2 and [i["end"] for i in data["segment_infos"]] == [3000000, 6000000]
    content = draft_content(api, url)
    photos = [m for m in content["materials"]["videos"] if m["id"] in data["image_ids"]]
    assert all(m["type"] == "photo" and m["duration"] == 10_800_000_000 for m in photos)
    assert (photos[0]["width"], photos[0]["height"]) == (320, 240)
    segs = {s["id"]: s for t in content["tracks"] for s in t["segments"]}
    first = segs[data["segment_ids"][0]]
    anims = next(m for m in content["materials"]["material_animations"] if m["id"] in first["extra_material_refs"])
    by_type = {a["type"]: a for a in anims["animations"]}
    assert by_type["in"]["name"] == "渐显" and by_type["in"]["start"] == 0
    assert by_type["out"]["name"] == "渐隐" and by_type["out"]["start"] == 3000000 - 800000
    second = segs[data["segment_ids"][1]]
    group = next(m for m in content["materials"]["material_animations"] if m["id"] in second["extra_material_refs"])
    assert group["animations"][0]["type"] == "group" and group["animations"][0]["duration"] == 3000000
    trans = next(m for m in content["materials"]["transitions"] if m["id"] in first["extra_material_refs"])
    assert trans["name"] == "叠化"
    assert first["clip"]["alpha"] == 0.9 and first["clip"]["scale"] == {"x": 2.0, "y": 2.0}


@pytest.mark.parametrize("item, code, field", [
    ({"loop_animation": "zoom", "in_animation": "渐显"}, 2009, "image_infos[0].loop_animation"),
    ({"in_animation": "渐显", "in_animation_duration": 900000, "out_animation": "渐隐",
      "out_animation_duration": 900000}, 2009, "image_infos[0].out_animation_duration"),
    ({"width": -5}, 2009, "image_infos[0].width"),
])
def test_errors(api: httpx.Client, media: Any, item: dict[str, Any], code: int, field: str) -> None:
    url = create_draft(api)
    before = draft_content(api, url)
    body = {"image_url": media.url("image_blue.png"), "start": 0, "end": 1000000, **item}
    data = call(api, "add_images", {"draft_url": url, "image_infos": [body]}, status=400, code=code)
    assert field in data["detail"]
    assert draft_content(api, url) == before
