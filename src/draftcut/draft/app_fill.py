"""Keys the apps write that draftcut has no value of its own for, filled in when a folder is written.

Jianying and CapCut write about 50 more keys on a video material, 110 on a
text and 25 on a segment than draftcut sets (``render_timerange``,
``caption_template_info``, ``tts_benefit_info``...), all with fixed defaults
(``data/app_defaults.json``, checked against app-written drafts by
`tests/handoff/test_fidelity.py`). They belong in every draft a user takes to
the app, but not in the stored draft: every edit parses and writes the whole
timeline, and carrying them there cost a quarter more CPU per edit
(bench/edit_throughput.md). So the stored draft stays lean and the folder's
timeline files get them as it is written (served, exported, materialized).

`fill_app_defaults` only adds missing keys; a value already there is never
changed. Imported drafts keep the app's own key set and are not filled
(`folder.py`).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from draftcut import _json
from draftcut.draft._templates import template

__all__ = ["fill_app_defaults"]

_MATERIAL_KINDS = ("videos", "audios", "texts")


@cache
def _defaults() -> dict[str, Any]:
    return template("app_defaults.json")


@cache
def _encoded(kind: str) -> bytes:
    return _json.dumps(_defaults()[kind])


def _setdefaults(target: dict[str, Any], kind: str) -> None:
    missing = [key for key in _defaults()[kind] if key not in target]
    if missing:
        fresh = _json.loads(_encoded(kind))  # a fresh copy: nested defaults must not be shared
        for key in missing:
            target[key] = fresh[key]


def fill_app_defaults(content: dict[str, Any]) -> None:
    """Add the app's defaults for every key a material, animation or segment lacks, in place."""
    materials = content.get("materials")
    if isinstance(materials, dict):
        for kind in _MATERIAL_KINDS:
            for material in materials.get(kind) or ():
                if isinstance(material, dict):
                    _setdefaults(material, kind)
        categories = _defaults()["animation_categories"]
        for holder in materials.get("material_animations") or ():
            for anim in holder.get("animations") or () if isinstance(holder, dict) else ():
                if isinstance(anim, dict):
                    if "category_id" not in anim:
                        cid, cname = categories.get(str(anim.get("type")), ("", ""))
                        anim["category_id"] = cid
                        anim.setdefault("category_name", cname)
                    _setdefaults(anim, "animation")
    for track in content.get("tracks") or ():
        for segment in track.get("segments") or () if isinstance(track, dict) else ():
            if isinstance(segment, dict):
                _setdefaults(segment, "segment")

