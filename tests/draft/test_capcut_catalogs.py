"""CapCut catalog data (draft/data/capcut/*.json, scripts/gen_capcut_catalogs.py).

The CapCut files are generated from CapCutAPI's ``capcut_*_meta.py`` modules,
which are not in this repository: a regeneration is checked by hand (the
script's docstring says how). These tests check the committed data itself and
the generator's parser on small modules.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src" / "draftcut" / "draft" / "data"
CAPCUT = DATA / "capcut"

#: kind -> (entries, distinct names). Names repeat in the source enums (``Mix``,
#: ``Mix_1``, ``Mix_2``...): look-ups by name take the first entry.
EXPECTED_COUNTS: dict[str, tuple[int, int]] = {
    "transitions": (116, 101),
    "masks": (9, 9),
    "video_intros": (43, 43),
    "video_outros": (23, 22),
    "video_group_animations": (108, 106),
    "text_intros": (76, 73),
    "text_outros": (68, 65),
    "text_loops": (53, 52),
    "audio_scene_effects": (15, 15),
    "tone_effects": (13, 13),
    "speech_to_song": (1, 1),
    "video_scene_effects": (345, 253),
    "video_character_effects": (95, 92),
}
KINDS = tuple(EXPECTED_COUNTS)


def load_script(name: str) -> ModuleType:
    """A script under scripts/ as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    return load_script("gen_capcut_catalogs")


def read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def entries(kind: str, folder: Path = CAPCUT) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = read(folder / f"{kind}.json")["entries"]
    return result


# --- the files -------------------------------------------------------------------


def test_one_file_per_generated_kind(gen: ModuleType) -> None:
    assert tuple(gen.CATALOGS) == KINDS
    assert sorted(p.stem for p in CAPCUT.glob("*.json")) == sorted(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_file_parses_with_header_and_counts(kind: str) -> None:
    data = read(CAPCUT / f"{kind}.json")
    assert set(data) == {"kind", "source", "entries"}
    assert data["kind"] == kind
    assert data["source"].startswith("sun-guannan/CapCutAPI@da6bbf97f083 pyJianYingDraft/metadata/capcut_")
    items = data["entries"]
    assert (len(items), len({e["name"] for e in items})) == EXPECTED_COUNTS[kind]


@pytest.mark.parametrize("kind", KINDS)
def test_same_fields_as_the_jianying_file(kind: str) -> None:
    """Same field names in the same order (and the same param fields) as ``data/<kind>.json``."""
    jianying = entries(kind, DATA)
    capcut = entries(kind)
    assert {tuple(e) for e in capcut} == {tuple(e) for e in jianying}
    jianying_params = {tuple(p) for e in jianying for p in e.get("params", [])}
    capcut_params = {tuple(p) for e in capcut for p in e.get("params", [])}
    assert capcut_params <= jianying_params


@pytest.mark.parametrize("kind", KINDS)
def test_keys_unique_and_ids_present(kind: str) -> None:
    items = entries(kind)
    keys = [e["key"] for e in items]
    assert len(set(keys)) == len(keys)
    for e in items:
        assert isinstance(e["name"], str) and e["name"].strip(), e
        assert isinstance(e["resource_id"], str) and e["resource_id"].isdigit(), e
        assert isinstance(e["effect_id"], str) and e["effect_id"], e
        assert isinstance(e["md5"], str)  # empty for a few voice characters upstream
        assert e.get("is_vip", False) is False  # CapCutAPI marks every entry free


@pytest.mark.parametrize("kind", KINDS)
def test_one_entry_per_line(gen: ModuleType, kind: str) -> None:
    """The layout is the generator's (and gen_catalogs'): header, then one entry per line."""
    path = CAPCUT / f"{kind}.json"
    data = read(path)
    assert path.read_text(encoding="utf-8") == gen.render_catalog(kind, data["entries"], data["source"])


def test_layout_matches_the_jianying_generator(gen: ModuleType) -> None:
    jianying_gen = load_script("gen_catalogs")
    assert gen.FIELD_ORDER == jianying_gen.FIELD_ORDER
    assert [k for k in jianying_gen.CATALOGS if k in gen.CATALOGS] == list(gen.CATALOGS)
    data = read(DATA / "masks.json")
    assert (DATA / "masks.json").read_text(encoding="utf-8") == gen.render_catalog(
        "masks", data["entries"], data["source"])


def test_durations_are_microseconds() -> None:
    """Seconds in the source, µs here, rounded as pyJianYingDraft does (0.466666 s -> 466666)."""
    transitions = {e["key"]: e for e in entries("transitions")}
    assert transitions["Montage_Snippets"]["default_duration"] == 2_000_000
    assert transitions["Dissolve"]["default_duration"] == 466_666
    assert {e["key"]: e["duration"] for e in entries("video_intros")}["Flame_Risen"] == 2_867_000
    groups = {e["key"]: e["duration"] for e in entries("video_group_animations")}
    assert groups["Distort_and_stretch"] == 33_000
    for kind in ("transitions", "video_intros", "video_outros", "video_group_animations",
                 "text_intros", "text_outros", "text_loops"):
        field = "default_duration" if kind == "transitions" else "duration"
        assert all(isinstance(e[field], int) and e[field] >= 33_000 for e in entries(kind)), kind


def test_params_are_unit_floats() -> None:
    for kind in ("audio_scene_effects", "tone_effects", "speech_to_song",
                 "video_scene_effects", "video_character_effects"):
        for e in entries(kind):
            for p in e["params"]:
                assert 0.0 <= p["min_value"] <= p["default_value"] <= p["max_value"] <= 1.0, (kind, e["key"])


def test_capcut_cross_fade_is_mix_and_dissolve_exists() -> None:
    """Jianying's 叠化 (the plain cross-fade) is CapCut's ``Mix`` (same resource id);
    CapCut's ``Dissolve`` is Jianying's 色彩溶解."""
    jianying = {e["name"]: e["resource_id"] for e in entries("transitions", DATA)}
    capcut = {e["name"]: e["resource_id"] for e in reversed(entries("transitions"))}  # first wins
    assert capcut["Mix"] == jianying["叠化"]
    assert capcut["Dissolve"] == jianying["色彩溶解"]
    assert {"Black Fade", "White Flash", "Slide", "Wipe Left"} <= capcut.keys()


def test_masks_are_capcuts_own() -> None:
    masks = {e["name"]: e for e in entries("masks")}
    assert list(masks) == ["Split", "Filmstrip", "Circle", "Rectangle", "Stars", "Heart", "Text", "Brush", "Pen"]
    assert masks["Heart"]["default_aspect_ratio"] == pytest.approx(1.1148148148)
    assert masks["Split"]["resource_type"] == "line" and masks["Filmstrip"]["resource_type"] == "mirror"


# --- the generator -----------------------------------------------------------------


def test_constructor_table_matches_pyjianyingdraft(gen: ModuleType) -> None:
    pytest.importorskip("pyJianYingDraft")
    modules = {"TransitionMeta": "transition_meta", "MaskMeta": "mask_meta",
               "AnimationMeta": "effect_meta", "EffectMeta": "effect_meta"}
    assert set(modules) == set(gen.CONSTRUCTORS)
    effect_meta = importlib.import_module("pyJianYingDraft.metadata.effect_meta")
    for name, params in gen.CONSTRUCTORS.items():
        cls = getattr(importlib.import_module(f"pyJianYingDraft.metadata.{modules[name]}"), name)
        signature = inspect.signature(cls)
        assert tuple(signature.parameters) == params, name
        defaults = {k: p.default for k, p in signature.parameters.items() if p.default is not inspect.Parameter.empty}
        assert defaults == gen.DEFAULTS.get(name, {}), name
    assert tuple(inspect.signature(effect_meta.EffectParam).parameters) == gen.PARAM_FIELDS


SAMPLE = '''
import os
os.system("echo never run")

class SampleTransitions(EffectEnum):
    """doc"""

    Fade = TransitionMeta("Fade", False, "111", "AB-CD", "m1", 0.466666, True)
    """默认时长: 0.47s"""
    Cut = TransitionMeta("Cut", is_vip=True, resource_id="222", effect_id="9", md5="m2",
                         default_duration=1.0, is_overlap=False)

class SampleIntros(EffectEnum):
    _3D = AnimationMeta("3D", False, 2.867, "333", "333", "m3")

class SampleEffects(EffectEnum):
    Plain = EffectMeta("Plain", False, "444", "4", "m4")
    Tuned = EffectMeta("Tuned", False, "555", "5", "", [
                       EffectParam("effects_adjust_speed", 0.330, 0.000, 1.000)])
'''


def test_parser_reads_literals_without_running_the_module(gen: ModuleType) -> None:
    transitions = gen.parse_enum(SAMPLE, "SampleTransitions", "sample.py")
    assert transitions == [
        {"key": "Fade", "name": "Fade", "is_vip": False, "resource_id": "111", "effect_id": "AB-CD", "md5": "m1",
         "default_duration": 466666, "is_overlap": True},
        {"key": "Cut", "name": "Cut", "is_vip": True, "resource_id": "222", "effect_id": "9", "md5": "m2",
         "default_duration": 1000000, "is_overlap": False},
    ]
    assert gen.parse_enum(SAMPLE, "SampleIntros", "sample.py") == [
        {"key": "_3D", "name": "3D", "is_vip": False, "resource_id": "333", "effect_id": "333", "md5": "m3",
         "duration": 2867000}]
    plain, tuned = gen.parse_enum(SAMPLE, "SampleEffects", "sample.py")
    assert plain["params"] == []
    assert tuned["params"] == [{"name": "effects_adjust_speed", "default_value": 0.33, "min_value": 0.0,
                                "max_value": 1.0}]


@pytest.mark.parametrize("bad", [
    'class E(EffectEnum):\n    X = Unknown("x")\n',
    'class E(EffectEnum):\n    X = EffectMeta("x", False, "1", "1", "m", [], "extra")\n',
    'class E(EffectEnum):\n    X = EffectMeta("x", False, "1", "1")\n',
    'class E(EffectEnum):\n    X = EffectMeta("x", False, some_name, "1", "m")\n',
    'class E(EffectEnum):\n    def f(self): pass\n',
])
def test_parser_rejects_what_it_does_not_understand(gen: ModuleType, bad: str) -> None:
    with pytest.raises(ValueError):
        gen.parse_enum(bad, "E", "bad.py")
