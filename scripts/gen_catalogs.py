"""Regenerate draftcut's packaged catalog JSON from pyJianYingDraft's metadata enums.

Why a generator: pyJianYingDraft ships Jianying's catalogs (transitions,
masks, animations, effects, filters, fonts, mix modes) as Python enum modules
of up to 8,000 lines. draftcut keeps the same facts as data
(``src/draftcut/draft/data/<kind>.json``) so that a catalog refresh is a data
diff, one entry per line, and so that the service never imports the enums.

Run from the repository root, with pyJianYingDraft installed (the ``test``
extra pins it)::

    .venv/bin/python scripts/gen_catalogs.py            # writes the package data
    .venv/bin/python scripts/gen_catalogs.py --out DIR  # writes elsewhere

Output is deterministic: enum order, fixed field order, no timestamps. The
test suite runs :func:`generate` into a temporary folder and compares it with
the committed files byte for byte.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from enum import Enum
from importlib.metadata import version
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent.parent / "src" / "draftcut" / "draft" / "data"

#: file stem -> enum class name in ``pyJianYingDraft.metadata``, in the order
#: draftcut's ``CatalogKind`` lists them.
CATALOGS: dict[str, str] = {
    "transitions": "TransitionType",
    "masks": "MaskType",
    "video_intros": "IntroType",
    "video_outros": "OutroType",
    "video_group_animations": "GroupAnimationType",
    "text_intros": "TextIntro",
    "text_outros": "TextOutro",
    "text_loops": "TextLoopAnim",
    "audio_scene_effects": "AudioSceneEffectType",
    "tone_effects": "ToneEffectType",
    "speech_to_song": "SpeechToSongType",
    "video_scene_effects": "VideoSceneEffectType",
    "video_character_effects": "VideoCharacterEffectType",
    "filters": "FilterType",
    "fonts": "FontType",
    "mix_modes": "MixModeType",
}

#: Every attribute a meta object may carry, in the order written to JSON.
#: ``title`` (AnimationMeta) is stored as ``name`` so all catalogs look alike.
FIELD_ORDER: tuple[str, ...] = (
    "is_vip",
    "resource_id",
    "effect_id",
    "md5",
    "default_duration",   # transitions, µs
    "is_overlap",         # transitions
    "duration",           # animations, µs
    "resource_type",      # masks
    "default_aspect_ratio",  # masks
    "params",             # effects, filters, fonts (always empty), mix modes
)
_NAME_FIELDS = ("name", "title")
_PARAM_FIELDS = ("name", "default_value", "min_value", "max_value")


def source_label() -> str:
    """Where the data came from, with the exact library version."""
    return f"pyJianYingDraft {version('pyJianYingDraft')} metadata"


def load_enum(enum_name: str) -> type[Enum]:
    """Import one catalog enum lazily, so ``--help`` works without the library."""
    from pyJianYingDraft import metadata

    enum_cls: type[Enum] = getattr(metadata, enum_name)
    return enum_cls


def param_to_json(param: Any) -> dict[str, Any]:
    """An ``EffectParam`` as a plain dict (values are 0..1 floats in the source)."""
    return {field: getattr(param, field) for field in _PARAM_FIELDS}


def entry_to_json(member: Enum) -> dict[str, Any]:
    """One enum member as a JSON object: ``key``, ``name``, then every meta field.

    Raises ``ValueError`` on an attribute we do not know, so that a library
    upgrade adding a field is noticed instead of silently dropped.
    """
    attrs = dict(vars(member.value))
    unknown = set(attrs) - set(FIELD_ORDER) - set(_NAME_FIELDS)
    if unknown:
        raise ValueError(f"{type(member).__name__}.{member.name}: unknown fields {sorted(unknown)}")
    name = attrs.get("name", attrs.get("title"))
    entry: dict[str, Any] = {"key": member.name, "name": name}
    for field in FIELD_ORDER:
        if field in attrs:
            value = attrs[field]
            entry[field] = [param_to_json(p) for p in value] if field == "params" else value
    return entry


def render_catalog(kind: str, members: Iterable[Enum], source: str) -> str:
    """The file text: a small header, then one entry per line in enum order."""
    return catalog_text(kind, (entry_to_json(member) for member in members), source)


def catalog_text(kind: str, entries: Iterable[dict[str, Any]], source: str) -> str:
    """A catalog file's text from its JSON entries (shared with gen_capcut_catalogs.py)."""
    body = ",\n".join(f"    {_dumps(entry)}" for entry in entries)
    return (
        "{\n"
        f'  "kind": {_dumps(kind)},\n'
        f'  "source": {_dumps(source)},\n'
        '  "entries": [\n'
        f"{body}\n"
        "  ]\n"
        "}\n"
    )


def _dumps(value: Any) -> str:
    """JSON with CJK kept readable, so diffs show names rather than escapes."""
    return json.dumps(value, ensure_ascii=False)


def generate(out_dir: Path) -> list[Path]:
    """Write every catalog into ``out_dir``; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    source = source_label()
    written: list[Path] = []
    for kind, enum_name in CATALOGS.items():
        path = out_dir / f"{kind}.json"
        text = render_catalog(kind, load_enum(enum_name), source)
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry: write the catalogs and say how much was written."""
    parser = argparse.ArgumentParser(description="Regenerate draftcut's catalog JSON from pyJianYingDraft.")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help=f"output folder (default {DATA_DIR})")
    args = parser.parse_args(argv)
    paths = generate(args.out)
    total = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} catalogs, {total:,} bytes, to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
