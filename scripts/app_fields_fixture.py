#!/usr/bin/env python3
"""Reduce a draft (`draft_content.json` / `draft_info.json`) to the fields it writes, per object type.

The result is what `tests/handoff/test_fidelity.py` compares draftcut's drafts
against: for the top level, the track object, every material array (``videos``,
``effects`` and ``video_effects`` split by their ``type``) and every segment kind
(by track type), the union of the keys of all its objects, each with one
example value. Nested objects are reduced the same way; a list keeps one
reduced element. Example values are kept so that the app's defaults can be
read off; strings that name a machine (paths, user folders) or an object (ids)
are replaced by a placeholder, so a fixture holds no one's draft.

Usage (the draft may be trimmed to one object per array, as long as it is JSON):

    python scripts/app_fields_fixture.py DRAFT.json -o tests/data/app_fields/capcut-9.1.0.json \\
        --app capcut --version 9.1.0 --os windows --repo owner/name --path data/draft_content.json \\
        --commit <sha> [--note "..."]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

__all__ = ["SPLIT_BY_TYPE", "merge", "reduce_draft", "reduce_value"]

SPLIT_BY_TYPE = frozenset({"videos", "effects", "video_effects"})
"""Material arrays whose objects differ by ``type`` (video/photo, filter/mix_mode/text_effect, ...)."""

_UUID = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")
_HASH = re.compile(r"^[0-9a-fA-F]{16,}(,[0-9a-fA-F]{16,})*$")
_PATHISH = re.compile(r"(^[A-Za-z]:[\\/])|(^/)|(##_draftpath_placeholder)|(^https?://)")
_MAX_EXAMPLE = 80
_USER_TEXT = frozenset({"name", "material_name", "base_content", "content", "text", "title", "style_name",
                        "tone_speaker", "request_id", "group_id"})
"""Keys whose string values are the user's words or session tags, not app defaults."""


def _example(value: Any, key: str = "") -> Any:
    """A scalar example value with ids, hashes (device ids), paths, user text and long text replaced."""
    if isinstance(value, str):
        if key in _USER_TEXT and value:
            return "<text>"
        if _UUID.match(value):
            return "<uuid>"
        if _HASH.match(value):
            return "<hash>"
        if _PATHISH.search(value):
            return "<path>"
        if len(value) > _MAX_EXAMPLE:
            return "<text>"
    return value


def reduce_value(value: Any, key: str = "") -> Any:
    """Objects keep all keys (reduced), lists keep their elements merged into one, scalars an example."""
    if isinstance(value, dict):
        return {k: reduce_value(v, k) for k, v in value.items()}
    if isinstance(value, list):
        items = [reduce_value(v, key) for v in value]
        if not items:
            return []
        if all(isinstance(i, dict) for i in items):
            out: dict[str, Any] = {}
            for item in items:
                out = merge(out, item)
            return [out]
        return [items[0]]
    return _example(value, key)


def merge(a: Any, b: Any) -> Any:
    """Union of two reduced values: keys of both objects; the first non-empty example wins."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = dict(a)
        for k, v in b.items():
            out[k] = merge(out[k], v) if k in out else v
        return out
    if isinstance(a, list) and isinstance(b, list):
        if not a:
            return b
        if b and isinstance(a[0], dict) and isinstance(b[0], dict):
            return [merge(a[0], b[0])]
        return a
    if a is None and b is not None:
        return b
    return a


def _group(array: str, obj: dict[str, Any]) -> str:
    return f"{array}:{obj.get('type', '')}" if array in SPLIT_BY_TYPE else array


def reduce_draft(content: dict[str, Any]) -> dict[str, Any]:
    """Key sets of a draft: ``top_level``, ``material_arrays``, ``materials``, ``track``, ``segments``."""
    materials: dict[str, Any] = {}
    for array, items in (content.get("materials") or {}).items():
        for obj in items if isinstance(items, list) else []:
            if isinstance(obj, dict):
                name = _group(array, obj)
                materials[name] = merge(materials.get(name, {}), reduce_value(obj))
    track: dict[str, Any] = {}
    segments: dict[str, Any] = {}
    for t in content.get("tracks") or []:
        track = merge(track, reduce_value({k: v for k, v in t.items() if k != "segments"}))
        for seg in t.get("segments") or []:
            kind = str(t.get("type", ""))
            segments[kind] = merge(segments.get(kind, {}), reduce_value(seg))
    top = {k: reduce_value(v, k) for k, v in content.items() if k not in ("materials", "tracks")}
    return {
        "top_level": top,
        "material_arrays": sorted((content.get("materials") or {}).keys()),
        "materials": dict(sorted(materials.items())),
        "track": track,
        "segments": dict(sorted(segments.items())),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("draft", type=Path, help="draft_content.json or draft_info.json (plain JSON)")
    parser.add_argument("-o", "--output", type=Path, help="fixture to write (default: stdout)")
    parser.add_argument("--app", required=True, help="jianying or capcut")
    parser.add_argument("--version", required=True, help="app version that last saved the draft")
    parser.add_argument("--os", default="", help="windows or mac")
    parser.add_argument("--repo", default="", help="public repository the draft comes from")
    parser.add_argument("--path", default="", help="path of the draft in that repository")
    parser.add_argument("--commit", default="", help="commit of that file")
    parser.add_argument("--note", default="", help="anything a reader should know (trimming, gaps)")
    args = parser.parse_args(argv)
    content = json.loads(args.draft.read_text(encoding="utf-8"))
    platform = content.get("last_modified_platform") or {}
    fixture = {
        "provenance": {
            "app": args.app, "app_version": args.version, "os": args.os, "repo": args.repo, "path": args.path,
            "commit": args.commit, "new_version": content.get("new_version", ""),
            "created_with": (content.get("platform") or {}).get("app_version", ""),
            "saved_with": platform.get("app_version", ""), "note": args.note,
        },
        **reduce_draft(content),
    }
    text = json.dumps(fixture, ensure_ascii=False, indent=1) + "\n"
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
