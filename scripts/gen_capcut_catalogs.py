"""Regenerate draftcut's CapCut catalog JSON from CapCutAPI's CapCut metadata modules.

Why: a draft made for CapCut (the international app) must name CapCut's own
resources: English display names and CapCut resource ids. pyJianYingDraft only
ships Jianying's catalogs (``scripts/gen_catalogs.py`` turns those into
``src/draftcut/draft/data/<kind>.json``). CapCut's exist only as Python enum
modules in forks of pyJianYingDraft. This script turns them into
``src/draftcut/draft/data/capcut/<kind>.json``: same kinds, same file stems,
same entry format, same layout (one entry per line) as the Jianying files.
Kinds CapCut has no list of (filters, fonts, mix modes, text effects) get no
file here; the service falls back to the Jianying catalog for them.

The modules are parsed with :mod:`ast`, never imported or executed: each enum
member's name and the literal arguments of its meta constructor
(``TransitionMeta``, ``MaskMeta``, ``AnimationMeta``, ``EffectMeta``, and the
``EffectParam`` items of ``params``) are read with :func:`ast.literal_eval`.
Positional arguments are mapped to fields by pyJianYingDraft's constructor
signatures (:data:`CONSTRUCTORS`), and seconds become integer microseconds
exactly as pyJianYingDraft's constructors do (``int(round(s * 1e6))``), so the
values match what ``gen_catalogs.py`` reads off the Jianying enum objects.

Provenance: repository ``sun-guannan/CapCutAPI``, commit
``da6bbf97f083cd8c045093f9537127f72b3b693e``, folder
``pyJianYingDraft/metadata/``, files ``capcut_transition_meta.py``,
``capcut_mask_meta.py``, ``capcut_animation_meta.py`` (video intro/outro/group
animations), ``capcut_text_animation_meta.py`` (text intro/outro/loop),
``capcut_effect_meta.py`` (video scene/character effects) and
``capcut_audio_effect_meta.py`` (voice filters, voice characters, speech to
song). Those files are data to us; none of their code is copied here.

Run from the repository root, with the six modules saved verbatim in one folder::

    .venv/bin/python scripts/gen_capcut_catalogs.py --src /tmp/capcut_meta
    .venv/bin/python scripts/gen_capcut_catalogs.py --src DIR --out OUTDIR

Output is deterministic: enum order, fixed field order, no timestamps.
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_catalogs import FIELD_ORDER as JIANYING_FIELD_ORDER  # noqa: E402  (a sibling script)
from gen_catalogs import catalog_text  # noqa: E402

DATA_DIR = Path(__file__).resolve().parent.parent / "src" / "draftcut" / "draft" / "data" / "capcut"

REPOSITORY = "sun-guannan/CapCutAPI"
COMMIT = "da6bbf97f083cd8c045093f9537127f72b3b693e"
SOURCE_FOLDER = "pyJianYingDraft/metadata"

#: Length in characters of each module at :data:`COMMIT`, to catch a partial save.
SOURCE_CHARS: dict[str, int] = {
    "capcut_transition_meta.py": 22_556,
    "capcut_mask_meta.py": 2_817,
    "capcut_animation_meta.py": 25_385,
    "capcut_text_animation_meta.py": 28_508,
    "capcut_effect_meta.py": 206_019,
    "capcut_audio_effect_meta.py": 9_341,
}

#: file stem -> (module file, enum class), in the order draftcut's ``CatalogKind``
#: lists them. The audio enums map onto the Jianying kinds that CapCutAPI's own
#: ``Audio_effect`` files them under: voice filters are ``sound_effect``
#: (Jianying 场景音), voice characters ``tone`` (音色), speech to song
#: ``speech_to_song`` (声音成曲).
CATALOGS: dict[str, tuple[str, str]] = {
    "transitions": ("capcut_transition_meta.py", "CapCutTransitionType"),
    "masks": ("capcut_mask_meta.py", "CapCutMaskType"),
    "video_intros": ("capcut_animation_meta.py", "CapCutIntroType"),
    "video_outros": ("capcut_animation_meta.py", "CapCutOutroType"),
    "video_group_animations": ("capcut_animation_meta.py", "CapCutGroupAnimationType"),
    "text_intros": ("capcut_text_animation_meta.py", "CapCutTextIntro"),
    "text_outros": ("capcut_text_animation_meta.py", "CapCutTextOutro"),
    "text_loops": ("capcut_text_animation_meta.py", "CapCutTextLoopAnim"),
    "audio_scene_effects": ("capcut_audio_effect_meta.py", "CapCutVoiceFiltersEffectType"),
    "tone_effects": ("capcut_audio_effect_meta.py", "CapCutVoiceCharactersEffectType"),
    "speech_to_song": ("capcut_audio_effect_meta.py", "CapCutSpeechToSongEffectType"),
    "video_scene_effects": ("capcut_effect_meta.py", "CapCutVideoSceneEffectType"),
    "video_character_effects": ("capcut_effect_meta.py", "CapCutVideoCharacterEffectType"),
}

#: Positional parameters of pyJianYingDraft's meta constructors (``self`` left out).
CONSTRUCTORS: dict[str, tuple[str, ...]] = {
    "TransitionMeta": ("name", "is_vip", "resource_id", "effect_id", "md5", "default_duration", "is_overlap"),
    "MaskMeta": ("name", "resource_type", "resource_id", "effect_id", "md5", "default_aspect_ratio"),
    "AnimationMeta": ("title", "is_vip", "duration", "resource_id", "effect_id", "md5"),
    "EffectMeta": ("name", "is_vip", "resource_id", "effect_id", "md5", "params"),
}
#: Constructor defaults (``EffectMeta(..., params=[])``).
DEFAULTS: dict[str, dict[str, Any]] = {"EffectMeta": {"params": []}}
#: ``EffectParam(name, default_value, min_value, max_value)``.
PARAM_CONSTRUCTOR = "EffectParam"
PARAM_FIELDS: tuple[str, ...] = ("name", "default_value", "min_value", "max_value")

#: Given in seconds, stored in µs (pyJianYingDraft: ``int(round(seconds * 1e6))``).
SECONDS_FIELDS = frozenset({"default_duration", "duration"})

#: Every attribute a meta object may carry, in the order written to JSON: the
#: Jianying generator's, so both sets of files look alike.
FIELD_ORDER: tuple[str, ...] = JIANYING_FIELD_ORDER


def source_label(module: str, enum_name: str) -> str:
    """Where one catalog came from: repository, short commit, file and enum class."""
    return f"{REPOSITORY}@{COMMIT[:12]} {SOURCE_FOLDER}/{module} {enum_name}"


def _call_name(node: ast.expr) -> str | None:
    """``Foo`` for a call ``Foo(...)`` (or ``mod.Foo(...)``), else None."""
    if not isinstance(node, ast.Call):
        return None
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _bind(call: ast.Call, params: tuple[str, ...], defaults: dict[str, Any], where: str) -> dict[str, ast.expr | Any]:
    """Map a call's positional and keyword arguments to parameter names (defaults filled in)."""
    if len(call.args) > len(params) or any(isinstance(a, ast.Starred) for a in call.args):
        raise ValueError(f"{where}: unexpected positional arguments")
    bound: dict[str, ast.expr | Any] = dict(zip(params, call.args, strict=False))
    for keyword in call.keywords:
        if keyword.arg is None or keyword.arg not in params or keyword.arg in bound:
            raise ValueError(f"{where}: unexpected keyword argument {keyword.arg!r}")
        bound[keyword.arg] = keyword.value
    for param in params:
        if param not in bound:
            if param not in defaults:
                raise ValueError(f"{where}: missing argument {param!r}")
            bound[param] = copy.deepcopy(defaults[param])
    return bound


def _value(node: ast.expr | Any, where: str) -> Any:
    """A literal, or a list of ``EffectParam(...)`` calls as a list of dicts."""
    if not isinstance(node, ast.AST):
        return node  # a constructor default
    if isinstance(node, ast.List) and any(_call_name(e) == PARAM_CONSTRUCTOR for e in node.elts):
        params = []
        for element in node.elts:
            if _call_name(element) != PARAM_CONSTRUCTOR:
                raise ValueError(f"{where}: params mixes EffectParam with something else")
            assert isinstance(element, ast.Call)
            bound = _bind(element, PARAM_FIELDS, {}, where)
            params.append({field: ast.literal_eval(bound[field]) for field in PARAM_FIELDS})
        return params
    return ast.literal_eval(node)


def member_to_entry(member: str, call: ast.Call, where: str) -> dict[str, Any]:
    """One enum member as a JSON object: ``key``, ``name``, then every meta field in FIELD_ORDER."""
    constructor = _call_name(call)
    if constructor not in CONSTRUCTORS:
        raise ValueError(f"{where}: {member} is built by {constructor!r}, not a known meta class")
    params = CONSTRUCTORS[constructor]
    bound = _bind(call, params, DEFAULTS.get(constructor, {}), where)
    attrs = {param: _value(node, where) for param, node in bound.items()}
    for field in SECONDS_FIELDS & attrs.keys():
        attrs[field] = int(round(attrs[field] * 1e6))
    name = attrs.pop("title") if "title" in attrs else attrs.pop("name")
    entry: dict[str, Any] = {"key": member, "name": name}
    entry.update((field, attrs[field]) for field in FIELD_ORDER if field in attrs)
    unknown = set(attrs) - set(FIELD_ORDER)
    if unknown:
        raise ValueError(f"{where}: fields not in FIELD_ORDER {sorted(unknown)}")
    return entry


def parse_enum(source: str, enum_name: str, module: str) -> list[dict[str, Any]]:
    """Every member of class ``enum_name`` in ``source``, in order, without executing anything."""
    tree = ast.parse(source, filename=module)
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == enum_name]
    if len(classes) != 1:
        raise ValueError(f"{module}: expected one class {enum_name}, found {len(classes)}")
    entries: list[dict[str, Any]] = []
    for node in classes[0].body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            continue  # class or member docstring
        if isinstance(node, ast.Pass):
            continue
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Call)):
            raise ValueError(f"{module}:{node.lineno}: unexpected statement in {enum_name}")
        member = node.targets[0].id
        entries.append(member_to_entry(member, node.value, f"{module}:{node.lineno} {enum_name}.{member}"))
    if not entries:
        raise ValueError(f"{module}: {enum_name} has no members")
    keys = [e["key"] for e in entries]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{module}: {enum_name} repeats a member name")
    return entries


def render_catalog(kind: str, entries: Sequence[dict[str, Any]], source: str) -> str:
    """The file text, laid out exactly as the Jianying catalogs are."""
    return catalog_text(kind, entries, source)


def read_sources(src_dir: Path) -> dict[str, str]:
    """The six modules, checked to be complete (length at :data:`COMMIT`)."""
    sources: dict[str, str] = {}
    for module, expected in SOURCE_CHARS.items():
        path = src_dir / module
        if not path.is_file():
            raise FileNotFoundError(f"{path}: missing; save {REPOSITORY}/{SOURCE_FOLDER}/{module} there")
        text = path.read_text(encoding="utf-8")
        if len(text) != expected:
            raise ValueError(f"{path}: {len(text)} characters, expected {expected} (commit {COMMIT[:12]})")
        sources[module] = text
    return sources


def build(src_dir: Path) -> dict[str, tuple[str, list[dict[str, Any]]]]:
    """kind -> (source label, entries), for every kind in :data:`CATALOGS`."""
    sources = read_sources(src_dir)
    return {
        kind: (source_label(module, enum_name), parse_enum(sources[module], enum_name, module))
        for kind, (module, enum_name) in CATALOGS.items()
    }


def generate(src_dir: Path, out_dir: Path) -> list[Path]:
    """Write every CapCut catalog into ``out_dir``; returns the paths written."""
    catalogs = build(src_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for kind, (source, entries) in catalogs.items():
        path = out_dir / f"{kind}.json"
        path.write_text(render_catalog(kind, entries, source), encoding="utf-8", newline="\n")
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry: write the catalogs and say how much was written."""
    parser = argparse.ArgumentParser(description="Regenerate draftcut's CapCut catalog JSON from CapCutAPI's modules.")
    parser.add_argument("--src", type=Path, required=True,
                        help=f"folder holding the six {SOURCE_FOLDER}/capcut_*.py files of {REPOSITORY}@{COMMIT[:12]}")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help=f"output folder (default {DATA_DIR})")
    args = parser.parse_args(argv)
    paths = generate(args.src, args.out)
    for path in paths:
        count = len(json.loads(path.read_text(encoding="utf-8"))["entries"])
        print(f"{path.stem}: {count} entries")
    print(f"wrote {len(paths)} catalogs, {sum(p.stat().st_size for p in paths):,} bytes, to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
