"""Which catalog effect a draft material is: by its id first, then by its name in any language.

The render tables (transitions, animations, filter and effect families) are
keyed by Jianying's display names plus a few English ones. The apps write the
name in the UI's language (a Vietnamese CapCut writes ``Trượt xuống``), but the
`effect_id` / `resource_id` is the same in every language: it is what the app
downloads the effect by, so it is what decides what the app draws. So the
names tried in a table are, best first:

1. the names of the catalog entries with the material's `effect_id` or
   `resource_id` (Jianying's list, then CapCut's);
2. the draft's name looked up in the catalogs (Jianying names, CapCut English
   names, aliases and pinyin), giving that entry's names;
3. the draft's own name, for the tables' own matching (English keys, keyword rules).

One helper serves transitions, animations, filters and video effects alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from draftcut.draft.catalog import CatalogEntry, get_catalog

__all__ = ["ANIMATION_KINDS", "EFFECT_KINDS", "FILTER_KINDS", "TRANSITION_KINDS", "CatalogNames",
           "animation_kinds", "catalog_names", "first_match"]

T = TypeVar("T")

TRANSITION_KINDS = ("transitions",)
FILTER_KINDS = ("filters",)
EFFECT_KINDS = ("video_scene_effects", "video_character_effects")
ANIMATION_KINDS = ("video_intros", "video_outros", "video_group_animations", "text_intros", "text_outros",
                   "text_loops")
_ANIMATION_KINDS_BY_TYPE = {"in": ("video_intros", "text_intros"), "out": ("video_outros", "text_outros"),
                            "group": ("video_group_animations",), "loop": ("text_loops",)}
_APPS = ("jianying", "capcut")


def animation_kinds(anim_type: str) -> tuple[str, ...]:
    """The catalogs an animation of `anim_type` (``in``/``out``/``group``/``loop``) can come from."""
    return _ANIMATION_KINDS_BY_TYPE.get(anim_type, ANIMATION_KINDS)


@dataclass(frozen=True, slots=True)
class CatalogNames:
    """A material's own name and the names to try for it in a render table, best first."""

    name: str
    display: str | None
    """The catalog display name (Jianying's, else CapCut's) of the entry the id names, when the catalogs do
    not know the draft's own name (a localised one, or none); None otherwise."""
    candidates: tuple[str, ...]

    @property
    def label(self) -> str:
        """How the report names it: the draft's name, with the catalog name after a localised one."""
        if self.display is None:
            return self.name
        return f"{self.name} ({self.display})" if self.name else self.display


def _ids(material: Mapping[str, Any]) -> list[str]:
    ids = [material.get("effect_id"), material.get("resource_id")]
    return [i.strip() for i in ids if isinstance(i, str) and i.strip()]


def _by_id(kinds: Iterable[str], ident: str) -> list[CatalogEntry]:
    found: list[CatalogEntry] = []
    for kind in kinds:
        for app in _APPS:
            entry = get_catalog(kind, app).find(ident)
            if entry is not None and ident in (entry.resource_id, entry.effect_id) and entry not in found:
                found.append(entry)
    return found


def _by_name(kinds: Iterable[str], name: str) -> list[CatalogEntry]:
    found: list[CatalogEntry] = []
    for kind in kinds:
        for app in _APPS:
            entry = get_catalog(kind, app).find(name)
            if entry is not None and entry not in found:
                found.append(entry)
    return found


def _names(entries: list[CatalogEntry], kinds: Iterable[str]) -> list[str]:
    """Each entry's name, plus the other app's name for the same resource (Jianying's for a CapCut entry)."""
    names: list[str] = []
    for entry in entries:
        for kind in kinds:
            twin = get_catalog(kind).find(entry.resource_id)
            if twin is not None and twin.resource_id == entry.resource_id:
                names.append(twin.name)
        names.append(entry.name)
    return names


def catalog_names(kinds: tuple[str, ...], material: Mapping[str, Any]) -> CatalogNames:
    """The names to try for `material` (a transition, animation, filter or effect) in `kinds`' tables."""
    name = str(material.get("name") or "").strip()
    by_id = [e for ident in _ids(material) for e in _by_id(kinds, ident)]
    by_name = _by_name(kinds, name) if name else []
    ordered = [*_names(by_id, kinds), *_names(by_name, kinds), *([name] if name else [])]
    candidates = tuple(dict.fromkeys(n for n in ordered if n))
    display = next(iter(_names(by_id, kinds)), None) if not by_name else None
    return CatalogNames(name, display, candidates)


def first_match(names: CatalogNames, match: Callable[[str], T | None]) -> tuple[T | None, str | None]:
    """The first candidate `match` accepts: ``(its result, the name it was found by)``, or ``(None, None)``."""
    for candidate in names.candidates:
        result = match(candidate)
        if result is not None:
            return result, candidate
    return None, None
