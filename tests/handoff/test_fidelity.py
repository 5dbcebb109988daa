"""Field-by-field fidelity: every key an app-written draft has, a draftcut draft has too.

`tests/data/app_fields/<app>-<version>.json` hold the key sets (with one example
value each) of real drafts saved by Jianying 5.9.0 and CapCut 8.1.1 / 9.1.0 on
Windows, made with `scripts/app_fields_fixture.py`; each names its source. Here
a draft is built through the HTTP API with every material and segment kind
draftcut writes, reduced with the same script, and compared per top level,
track object, material kind and segment kind, nested one level (``clip``,
``crop``, ``material_animations[].animations[]``, ...). Keys we write that the
app does not are fine; keys the app writes that we lack fail, naming the app
version, the kind and the keys.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from utils.server_fixtures import call, create_draft, draft_content

SEC = 1_000_000
ROOT = Path(__file__).resolve().parents[2]
FIXTURES = sorted((ROOT / "tests" / "data" / "app_fields").glob("*.json"))

#: App object kinds draftcut never writes, and why. A fixture with a kind in
#: neither this list nor our draft fails `test_every_app_kind_is_compared`.
NOT_WRITTEN: dict[str, str] = {
    "materials:beats": "app-internal per-audio beat analysis; optional for opening (draft-format §4.3)",
    "materials:placeholder_infos": "app-internal per-segment default; optional for opening (draft-format §4.3)",
    "materials:material_colors": "app-internal per-segment default; optional for opening (draft-format §4.3)",
    "materials:vocal_separations": "app-internal per-segment default; optional for opening (draft-format §4.3)",
    "materials:loudnesses": "app-internal per-segment default; optional for opening (draft-format §4.3)",
    "materials:effects:mix_mode": "draftcut has no mix-mode (blend) edit",
}



@cache
def _reducer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("app_fields_fixture", ROOT / "scripts" / "app_fields_fixture.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _kinds(reduced: dict[str, Any]) -> dict[str, Any]:
    """Every comparable object of a reduced draft, by a name like ``materials:videos:photo``."""
    kinds: dict[str, Any] = {"top_level": reduced["top_level"], "track": reduced["track"]}
    kinds.update({f"materials:{k}": v for k, v in reduced["materials"].items()})
    kinds.update({f"segments:{k}": v for k, v in reduced["segments"].items()})
    return kinds


def _cases() -> Iterator[Any]:
    for path in FIXTURES:
        for kind in _kinds(_load(path)):
            yield pytest.param(path.stem, kind, id=f"{path.stem}-{kind}")


def _nested(value: Any) -> dict[str, Any] | None:
    if isinstance(value, dict):
        return value
    if isinstance(value, list) and value and isinstance(value[0], dict):
        first: dict[str, Any] = value[0]
        return first
    return None


def missing_keys(app: dict[str, Any], ours: dict[str, Any]) -> set[str]:
    """Keys of `app` absent from `ours`, and of its nested objects (first list element) one level down."""
    missing = set()
    for key, value in app.items():
        if key not in ours:
            missing.add(key)
            continue
        inner_app, inner_ours = _nested(value), _nested(ours[key])
        if inner_app is not None and inner_ours is not None:
            missing |= {f"{key}.{k}" for k in inner_app if k not in inner_ours}
    return missing


@pytest.fixture(scope="module")
def ours(api: httpx.Client, media: Any) -> dict[str, Any]:
    """A draft with every material and segment kind draftcut writes, reduced like the fixtures."""
    url = create_draft(api, 1920, 1080)
    videos = call(api, "add_videos", {"draft_url": url, "video_infos": json.dumps([
        {"video_url": media.url("pattern_5s.mp4"), "start": 0, "end": 2 * SEC, "mask": "圆形",
         "transition": "叠化", "transition_duration": 500_000, "volume": 0.8},
        {"video_url": media.url("video_red_2s.mp4"), "start": 2 * SEC, "end": 4 * SEC}], ensure_ascii=False)})
    call(api, "add_images", {"draft_url": url, "image_infos": json.dumps([
        {"image_url": media.url("image_blue.png"), "start": 0, "end": 2 * SEC, "in_animation": "渐显",
         "out_animation": "渐隐", "transition": "叠化"},
        {"image_url": media.url("image.jpg"), "start": 2 * SEC, "end": 4 * SEC, "loop_animation": "zoom"}],
        ensure_ascii=False)})
    call(api, "add_audios", {"draft_url": url, "audio_infos": json.dumps([
        {"audio_url": media.url("audio_2s.mp3"), "start": 0, "end": 2 * SEC, "fade_in": 300_000,
         "fade_out": 300_000, "audio_effect": "reverb"}])})
    call(api, "add_captions", {"draft_url": url, "text_effect": "黑色描边花字", "captions": json.dumps([
        {"start": 0, "end": 2 * SEC, "text": "你好世界", "keyword": "世界", "in_animation": "向上滑动",
         "out_animation": "渐隐", "loop_animation": "VHS"},
        {"start": 2 * SEC, "end": 3 * SEC, "text": "plain"}], ensure_ascii=False),
        "has_shadow": True, "background_color": "#000000"})
    call(api, "add_effects", {"draft_url": url, "effect_infos": json.dumps([
        {"effect_title": "1998", "start": 0, "end": SEC}, {"effect_title": "BOOM！", "start": SEC, "end": 2 * SEC}],
        ensure_ascii=False)})
    call(api, "add_filters", {"draft_url": url, "filter_infos": [{"filter_title": "1980", "start": 0, "end": SEC}]})
    call(api, "add_keyframes", {"draft_url": url, "keyframes": json.dumps([
        {"segment_id": videos["segment_ids"][0], "property": "KFTypeAlpha", "offset": 0, "value": 0.5}])})
    call(api, "add_sticker", {"draft_url": url, "sticker_id": "7226264888031694140", "start": 0, "end": SEC,
                              "sticker_url": media.url("image_blue.png")})
    reduced: dict[str, Any] = _reducer().reduce_draft(draft_content(api, url))
    return reduced


def test_our_draft_has_every_kind_we_write(ours: dict[str, Any]) -> None:
    """The scene above really exercises every builder, so the comparisons below cover them."""
    assert set(ours["materials"]) >= {
        "videos:video", "videos:photo", "audios", "texts", "speeds", "canvases", "sound_channel_mappings",
        "audio_fades", "audio_effects", "transitions", "material_animations", "masks", "common_mask",
        "effects:filter", "effects:text_effect", "video_effects:video_effect", "video_effects:face_effect",
        "stickers"}
    assert set(ours["segments"]) == {"video", "audio", "text", "effect", "filter", "sticker"}


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_fixture_names_its_source(path: Path) -> None:
    prov = _load(path)["provenance"]
    assert prov["app"] in ("jianying", "capcut") and prov["app_version"] and prov["os"]
    assert prov["repo"] and prov["path"] and len(prov["commit"]) == 40
    assert path.stem == f"{prov['app']}-{prov['app_version']}"


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_every_app_kind_is_compared(path: Path, ours: dict[str, Any]) -> None:
    """Each kind the app writes is either compared below (we write it too) or listed in NOT_WRITTEN."""
    unaccounted = set(_kinds(_load(path))) - set(_kinds(ours)) - set(NOT_WRITTEN)
    assert not unaccounted, f"{path.stem}: app kinds draftcut neither writes nor lists in NOT_WRITTEN: {unaccounted}"


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_we_have_every_material_array(path: Path, ours: dict[str, Any]) -> None:
    """`materials` holds every array the app writes (empty where we have nothing for it)."""
    missing = set(_load(path)["material_arrays"]) - set(ours["material_arrays"])
    assert not missing, f"{path.stem}: materials lacks the arrays {sorted(missing)}"


@pytest.mark.parametrize("fixture, kind", list(_cases()))
def test_we_write_every_key_the_app_writes(fixture: str, kind: str, ours: dict[str, Any]) -> None:
    app = _kinds(_load(ROOT / "tests" / "data" / "app_fields" / f"{fixture}.json"))[kind]
    mine = _kinds(ours).get(kind)
    if mine is None:  # a kind we never write must say why
        assert kind in NOT_WRITTEN, f"{fixture}: the app writes {kind}, draftcut does not, and NOT_WRITTEN lacks it"
        return
    missing = missing_keys(app, mine)
    assert not missing, f"{fixture} {kind}: draftcut lacks {sorted(missing)}"


def test_missing_keys_nests_one_level() -> None:
    app = {"a": 1, "clip": {"x": 1, "y": {"deep": 1}}, "anims": [{"id": 1, "path": ""}], "n": None}
    ours = {"a": 2, "clip": {"x": 0, "y": {}}, "anims": [{"id": 2}], "n": {"k": 1}}
    assert missing_keys(app, ours) == {"anims.path"}
    assert missing_keys(app, {"clip": None, "anims": []}) == {"a", "n"}
