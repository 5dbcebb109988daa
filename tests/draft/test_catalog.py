"""Catalog data, aliases and look-ups (draftcut.draft.catalog, scripts/gen_catalogs.py)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from enum import Enum
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from draftcut.draft.catalog import (
    CATALOG_KINDS,
    COPIED_KINDS,
    Catalog,
    CatalogEntry,
    get_catalog,
    normalize,
    resolve,
)
from draftcut.errors import (
    AnimationNotFound,
    EffectNotFound,
    FilterNotFound,
    FontNotFound,
    MaskNotFound,
    NameNotFound,
    TransitionNotFound,
)

GENERATOR = Path(__file__).resolve().parents[2] / "scripts" / "gen_catalogs.py"
DATA = resources.files("draftcut.draft") / "data"

GENERATED_KINDS = tuple(k for k in CATALOG_KINDS if k not in COPIED_KINDS)

# Distinct enum members in pyJianYingDraft 0.3.1 (draft-format.md §6).
EXPECTED_COUNTS = {
    "transitions": 453,
    "masks": 6,
    "video_intros": 155,
    "video_outros": 124,
    "video_group_animations": 123,
    "text_intros": 145,
    "text_outros": 97,
    "text_loops": 93,
    "audio_scene_effects": 85,
    "tone_effects": 57,
    "speech_to_song": 6,
    "video_scene_effects": 1097,
    "video_character_effects": 240,
    "filters": 1052,
    "fonts": 798,
    "mix_modes": 10,
}

ERROR_FOR_KIND: dict[str, type[NameNotFound]] = {
    "transitions": TransitionNotFound,
    "masks": MaskNotFound,
    **dict.fromkeys(["video_intros", "video_outros", "video_group_animations",
                     "text_intros", "text_outros", "text_loops"], AnimationNotFound),
    **dict.fromkeys(["audio_scene_effects", "tone_effects", "speech_to_song", "video_scene_effects",
                     "video_character_effects"], EffectNotFound),
    "filters": FilterNotFound,
    "fonts": FontNotFound,
    "mix_modes": NameNotFound,
    "text_effects": EffectNotFound,
}


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    """scripts/gen_catalogs.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("gen_catalogs", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def enum_for(gen: ModuleType, kind: str) -> type[Enum]:
    enum_cls: type[Enum] = gen.load_enum(gen.CATALOGS[kind])
    return enum_cls


def aliases() -> dict[str, dict[str, str]]:
    result: dict[str, dict[str, str]] = json.loads((DATA / "aliases.json").read_text("utf-8"))["aliases"]
    return result


# --- generated data ----------------------------------------------------------


def test_generator_covers_every_kind(gen: ModuleType) -> None:
    assert tuple(gen.CATALOGS) == GENERATED_KINDS
    assert set(EXPECTED_COUNTS) == set(GENERATED_KINDS)


def test_text_effects_are_capcut_mates_list() -> None:
    """config/huazi.json: 1673 rows, 1440 titles; de-duplicated by title (last wins) 1348 VIP and 92 free."""
    catalog = get_catalog("text_effects")
    assert len(catalog) == 1673 and len({e.name for e in catalog}) == 1440
    assert catalog.entries[0].effect_id == "7539407429763796249" and catalog.entries[0].name == "红黄火焰综艺花字"
    by_title = {e.name: e for e in catalog}
    assert sum(not e.is_vip for e in by_title.values()) == 92
    assert all(e.key == e.resource_id == e.effect_id and e.effect_id.isdigit() for e in catalog)
    assert resolve("text_effects", "7403676308145802522").name == "立体综艺花字"


@pytest.mark.parametrize("kind", GENERATED_KINDS)
def test_counts_match_enums(gen: ModuleType, kind: str) -> None:
    assert len(get_catalog(kind)) == EXPECTED_COUNTS[kind] == len(enum_for(gen, kind))


@pytest.mark.parametrize("kind", GENERATED_KINDS)
def test_entries_mirror_enum_members(gen: ModuleType, kind: str) -> None:
    for member, entry in zip(enum_for(gen, kind), get_catalog(kind).entries, strict=True):
        meta: Any = member.value
        assert entry.key == member.name
        assert entry.name == getattr(meta, "name", getattr(meta, "title", None))
        assert (entry.resource_id, entry.effect_id) == (meta.resource_id, meta.effect_id)
        assert entry.is_vip == getattr(meta, "is_vip", False)
        assert entry.data["md5"] == meta.md5


def test_committed_data_equals_generator_output(gen: ModuleType, tmp_path: Path) -> None:
    written = gen.generate(tmp_path)
    assert [p.stem for p in written] == list(GENERATED_KINDS)
    for path in written:
        committed = (DATA / path.name).read_bytes()
        assert committed == path.read_bytes(), f"{path.name} is stale: run scripts/gen_catalogs.py"


def test_generator_is_deterministic(gen: ModuleType, tmp_path: Path) -> None:
    first = {p.name: p.read_bytes() for p in gen.generate(tmp_path / "a")}
    second = {p.name: p.read_bytes() for p in gen.generate(tmp_path / "b")}
    assert first == second


def test_data_file_layout() -> None:
    """Header plus one entry per line, so a refresh diff is readable."""
    lines = (DATA / "transitions.json").read_text("utf-8").splitlines()
    doc = json.loads("\n".join(lines))
    assert doc["kind"] == "transitions"
    assert doc["source"] == "pyJianYingDraft 0.3.1 metadata"
    assert len(lines) == len(doc["entries"]) + 6
    assert "叠化" in (DATA / "transitions.json").read_text("utf-8")  # ensure_ascii=False


def test_kind_specific_fields() -> None:
    dissolve = resolve("transitions", "叠化").data
    assert (dissolve["default_duration"], dissolve["is_overlap"]) == (500_000, True)
    heart = resolve("masks", "爱心").data
    assert (heart["resource_type"], heart["default_aspect_ratio"]) == ("geometric_shape", 1.115)
    assert isinstance(resolve("video_intros", "渐显").data["duration"], int)
    param = resolve("audio_scene_effects", "8bit").data["params"][0]
    assert set(param) == {"name", "default_value", "min_value", "max_value"}


# --- aliases -------------------------------------------------------------------


def test_alias_kinds_exist() -> None:
    assert set(aliases()) <= set(CATALOG_KINDS)


@pytest.mark.parametrize("kind", sorted(aliases()))
def test_every_alias_target_exists(kind: str) -> None:
    names = set(get_catalog(kind).names())
    missing = {alias: target for alias, target in aliases()[kind].items() if target not in names}
    assert not missing


@pytest.mark.parametrize("kind", sorted(aliases()))
def test_aliases_are_not_shadowed_by_names(kind: str) -> None:
    """Names win over aliases, so an alias equal to a (normalised) name would be dead."""
    catalog = get_catalog(kind)
    real = {normalize(e.name) for e in catalog.entries} | {normalize(e.key) for e in catalog.entries}
    assert not [alias for alias in aliases()[kind] if normalize(alias) in real]


@pytest.mark.parametrize("kind", sorted(aliases()))
def test_every_alias_resolves_to_its_target(kind: str) -> None:
    for alias, target in aliases()[kind].items():
        assert resolve(kind, alias).name == target


def test_required_aliases() -> None:
    for alias in ["淡入淡出", "淡入", "淡出", "渐变", "fade", "dissolve", "crossfade", "cross fade"]:
        assert resolve("transitions", alias).name == "叠化"
    masks = {"circle": "圆形", "heart": "爱心", "star": "星形", "rectangle": "矩形", "rect": "矩形",
             "square": "矩形", "line": "线性", "linear": "线性", "线性渐变": "线性", "mirror": "镜面",
             "圆": "圆形", "心形": "爱心", "五角星": "星形", "方形": "矩形"}
    for alias, target in masks.items():
        assert resolve("masks", alias).name == target
    audio = {"reverb": "超级混响", "混响": "超级混响", "echo": "回音", "8bit": "8bit", "lofi": "低保真",
             "lo-fi": "低保真", "megaphone": "扩音器", "underwater": "水下", "telephone": "电话",
             "phone": "电话", "radio": "复古收音机"}
    for alias, target in audio.items():
        assert resolve("audio_scene_effects", alias).name == target


# --- look-ups ------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "query", "key"), [
    ("transitions", "叠化", "叠化"),
    ("transitions", "淡入淡出", "叠化"),
    ("transitions", "Dissolve", "叠化"),
    ("transitions", " DISSOLVE ", "叠化"),
    ("masks", "圆形", "圆形"),
    ("masks", "circle", "圆形"),
    ("masks", "Circle", "圆形"),
    ("audio_scene_effects", "reverb", "超级混响"),
    ("audio_scene_effects", "混响", "超级混响"),
    ("transitions", "3D空间", "_3D空间"),
    ("transitions", "_3D空间", "_3D空间"),
    ("transitions", "3d 空间", "_3D空间"),
    ("transitions", "分割_II", "分割_II"),
    ("transitions", "分割ii", "分割_II"),
    ("transitions", "6724845717472416269", "叠化"),   # resource_id
    ("transitions", "322577", "叠化"),                # effect_id
    ("video_intros", "报纸拼贴 II", "报纸拼贴II"),      # name is 报纸拼贴Ⅱ (U+2161)
    ("filters", "晴天灿烂", "晴天灿烂"),                # name has a trailing space
    ("video_character_effects", "BOOM", "BOOM"),      # name is BOOM！ (full-width !)
    ("video_scene_effects", "报纸_今日热门", "报纸_今日热门"),  # name is 报纸:今日热门
    ("text_loops", "彩虹-新年", "彩虹_新年"),
])
def test_lookup(kind: str, query: str, key: str) -> None:
    assert resolve(kind, query).key == key
    assert get_catalog(kind).find(query) == resolve(kind, query)


def test_exact_name_beats_normalised_duplicate() -> None:
    """倒计时 II (free) and 倒计时II (VIP) normalise alike; exact wins, else the free one."""
    effects = get_catalog("video_scene_effects")
    assert effects.lookup("倒计时II").is_vip
    assert not effects.lookup("倒计时 II").is_vip
    assert not effects.lookup("倒计时ii").is_vip
    assert get_catalog("filters").lookup("高清4k电影").is_vip
    assert not get_catalog("filters").lookup("高清4K 电影").is_vip


def entry(name: str, key: str, vip: bool) -> CatalogEntry:
    return CatalogEntry(kind="t", key=key, name=name, resource_id=key + "r", effect_id=key + "e",
                        is_vip=vip, data={})


def test_shared_names_prefer_free_then_first() -> None:
    catalog = Catalog("t", [entry("X", "a", True), entry("X", "b", False), entry("X", "c", False)])
    assert catalog.lookup("X").key == "b"
    catalog = Catalog("t", [entry("Y", "a", False), entry("Y", "b", False)])
    assert catalog.lookup("y").key == "a"


@pytest.mark.parametrize("kind", CATALOG_KINDS)
def test_unknown_name_raises_kind_error(kind: str) -> None:
    with pytest.raises(ERROR_FOR_KIND[kind]) as info:
        resolve(kind, "no such thing 123")
    assert isinstance(info.value, NameNotFound)
    assert "'no such thing 123'" in str(info.value)
    assert get_catalog(kind).find("no such thing 123") is None


def test_unknown_name_suggests_close_names() -> None:
    with pytest.raises(TransitionNotFound) as info:
        resolve("transitions", "叠画")
    error = info.value
    assert error.code == 3001
    assert error.detail.startswith("unknown transition '叠画'; did you mean: 叠化")
    assert len(error.detail.split(": ", 1)[1].split(", ")) <= 3


def test_suggestions_go_through_aliases() -> None:
    with pytest.raises(EffectNotFound, match="did you mean: 超级混响"):
        resolve("audio_scene_effects", "reverbb")
    with pytest.raises(MaskNotFound, match="爱心"):
        resolve("masks", "hart")


def test_no_suggestion_for_nonsense() -> None:
    with pytest.raises(TransitionNotFound) as info:
        resolve("transitions", "")
    assert info.value.detail == "unknown transition ''"


def test_get_catalog_is_cached_and_checks_kind() -> None:
    assert get_catalog("masks") is get_catalog("masks")
    with pytest.raises(ValueError, match="unknown catalog kind"):
        get_catalog("stickers")


def test_catalog_helpers() -> None:
    masks = get_catalog("masks")
    assert masks.names() == ["线性", "镜面", "圆形", "矩形", "爱心", "星形"]
    assert "circle" in masks and "triangle" not in masks
    assert [e.name for e in masks] == masks.names()


def test_bad_alias_data_fails_loudly() -> None:
    with pytest.raises(ValueError, match="no such name"):
        Catalog("t", [entry("X", "a", False)], {"ex": "Z"})


def test_import_is_pure() -> None:
    """The catalog must stay importable by the draft model: no av, subprocess or web stack."""
    code = ("import sys, draftcut.draft.catalog as c; c.get_catalog('transitions'); "
            "bad = [m for m in ('av', 'subprocess', 'fastapi', 'starlette', 'pyJianYingDraft') "
            "if m in sys.modules]; assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)
