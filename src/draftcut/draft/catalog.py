"""Jianying's name catalogs (transitions, masks, animations, effects, filters, fonts, mix modes).

Callers name things the way Jianying's UI does (``叠化``, ``圆形``,
``超级混响``) or the way people say them (``dissolve``, ``circle``,
``reverb``). A draft needs the catalog entry behind the name: its
``resource_id``/``effect_id`` (the app downloads the resource by them when it
opens the draft) and defaults such as a transition's duration.

The data is packaged JSON (``draft/data/<kind>.json``), generated from
pyJianYingDraft's metadata enums by ``scripts/gen_catalogs.py``, plus the
hand-written ``draft/data/aliases.json``. Each catalog is read once per
process and indexed by dicts, so a look-up is a handful of O(1) probes.

Look-up order, first hit wins (see :meth:`Catalog.find`):

1. the exact catalog name;
2. the normalised name (:func:`normalize`: NFKC, casefold, no spaces,
   underscores or hyphens), which also accepts enum keys like ``_3D空间``;
3. an alias (normalised);
4. the enum member name (``key``), exact, then normalised;
5. ``resource_id``, then ``effect_id``, exact.

capcut-mate matches most fields by exact name only (api reference §6.12), so
everything it accepts resolves to the same entry here; we only accept more.

This module is pure: it reads package data and nothing else, and imports
neither ``av`` nor ``subprocess`` nor any web framework.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType
from typing import Any, Literal, get_args

from draftcut.errors import (
    AnimationNotFound,
    EffectNotFound,
    FilterNotFound,
    FontNotFound,
    MaskNotFound,
    NameNotFound,
    TransitionNotFound,
)

__all__ = [
    "CATALOG_KINDS",
    "COPIED_KINDS",
    "Catalog",
    "CatalogEntry",
    "CatalogKind",
    "aliases",
    "get_catalog",
    "normalize",
    "resolve",
]

CatalogKind = Literal[
    "transitions",
    "masks",
    "video_intros",
    "video_outros",
    "video_group_animations",
    "text_intros",
    "text_outros",
    "text_loops",
    "audio_scene_effects",
    "tone_effects",
    "speech_to_song",
    "video_scene_effects",
    "video_character_effects",
    "filters",
    "fonts",
    "mix_modes",
    "text_effects",
]
CATALOG_KINDS: tuple[str, ...] = get_args(CatalogKind)
COPIED_KINDS: tuple[str, ...] = ("text_effects",)
"""Kinds whose data is capcut-mate's own list (``config/huazi.json``), copied as is, not generated
from pyJianYingDraft's enums by ``scripts/gen_catalogs.py``."""

#: kind -> (error raised for an unknown name, how the message calls the thing).
#: capcut-mate's codes where it has one for the thing (2022 effect, 2025 mask,
#: 2039 filter); draftcut's own (3000 and up) where it has none.
_KIND_INFO: dict[str, tuple[type[NameNotFound], str]] = {
    "transitions": (TransitionNotFound, "transition"),
    "masks": (MaskNotFound, "mask"),
    "video_intros": (AnimationNotFound, "video intro animation"),
    "video_outros": (AnimationNotFound, "video outro animation"),
    "video_group_animations": (AnimationNotFound, "video group animation"),
    "text_intros": (AnimationNotFound, "text intro animation"),
    "text_outros": (AnimationNotFound, "text outro animation"),
    "text_loops": (AnimationNotFound, "text loop animation"),
    "audio_scene_effects": (EffectNotFound, "audio scene effect"),
    "tone_effects": (EffectNotFound, "tone effect"),
    "speech_to_song": (EffectNotFound, "speech-to-song style"),
    "video_scene_effects": (EffectNotFound, "video scene effect"),
    "video_character_effects": (EffectNotFound, "video character effect"),
    "filters": (FilterNotFound, "filter"),
    "fonts": (FontNotFound, "font"),
    "mix_modes": (NameNotFound, "mix mode"),
    "text_effects": (EffectNotFound, "text effect (花字)"),
}

_SEPARATORS = re.compile(r"[\s_\-]+")
_MAX_SUGGESTIONS = 3
#: difflib ratio below which a name is not worth suggesting. Lowish on purpose:
#: most names are 2-4 CJK characters, where one wrong character already
#: halves the ratio (叠画 vs 叠化 is 0.5).
_SUGGEST_CUTOFF = 0.4


def normalize(name: str) -> str:
    """The form names are compared in when the exact name misses.

    NFKC folds full-width letters and Roman-numeral characters (``Ⅱ`` -> ``II``)
    and composes the decomposed kana some font names are stored in; casefold
    ignores case; separators go because callers write ``分割 II``, ``分割_II``
    and ``分割II`` interchangeably (enum keys use ``_`` for spaces and prefix a
    ``_`` to names starting with a digit).
    """
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", name).casefold())


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One catalog item; ``data`` is the full JSON entry (durations, params, mask shape)."""

    kind: str
    key: str
    name: str
    resource_id: str
    effect_id: str
    is_vip: bool
    data: Mapping[str, Any] = field(compare=False, repr=False)

    @classmethod
    def from_json(cls, kind: str, raw: Mapping[str, Any]) -> CatalogEntry:
        """Build from a generated entry. Masks have no ``is_vip``: they are all free."""
        return cls(
            kind=kind,
            key=raw["key"],
            name=raw["name"],
            resource_id=raw["resource_id"],
            effect_id=raw["effect_id"],
            is_vip=bool(raw.get("is_vip", False)),
            data=MappingProxyType(dict(raw)),
        )


def _prefer(current: CatalogEntry | None, new: CatalogEntry) -> CatalogEntry:
    """Which of two entries sharing a look-up string wins: non-VIP, then the first.

    Non-VIP first because a VIP item opens in the app but may refuse to export
    without a VIP account (the "may loop forever" warning).
    """
    if current is None or (current.is_vip and not new.is_vip):
        return new
    return current


def _index(pairs: Iterable[tuple[str, CatalogEntry]]) -> dict[str, CatalogEntry]:
    """A look-up dict where colliding strings resolve by :func:`_prefer`."""
    index: dict[str, CatalogEntry] = {}
    for text, entry in pairs:
        index[text] = _prefer(index.get(text), entry)
    return index


class Catalog:
    """One kind of catalog, indexed for O(1) look-ups by name, alias, key and id."""

    __slots__ = (
        "_by_alias",
        "_by_id",
        "_by_key",
        "_by_key_norm",
        "_by_name",
        "_by_norm",
        "_suggestable",
        "entries",
        "fallback",
        "kind",
    )

    def __init__(self, kind: str, entries: Iterable[CatalogEntry],
                 aliases: Mapping[str, str] | None = None, *, fallback: Catalog | None = None) -> None:
        self.kind = kind
        self.fallback = fallback
        """Another app's catalog of the same kind: a name only it knows designates our entry with the same
        resource id (a CapCut draft given Jianying's ``叠化`` gets CapCut's entry of that resource)."""
        self.entries: tuple[CatalogEntry, ...] = tuple(entries)
        self._by_name = _index((e.name, e) for e in self.entries)
        self._by_norm = _index((normalize(e.name), e) for e in self.entries)
        self._by_alias = self._alias_index(aliases or {})
        self._by_key = _index((e.key, e) for e in self.entries)
        self._by_key_norm = _index((normalize(e.key), e) for e in self.entries)
        ids = [(e.resource_id, e) for e in self.entries] + [(e.effect_id, e) for e in self.entries]
        self._by_id = _index(ids)
        self._suggestable = self._suggestion_index()

    def _alias_index(self, aliases: Mapping[str, str]) -> dict[str, CatalogEntry]:
        """Normalised alias -> entry. A target that is not an exact name is a data bug."""
        index: dict[str, CatalogEntry] = {}
        for alias, target in aliases.items():
            entry = self._by_name.get(target)
            if entry is None:
                raise ValueError(f"aliases.json: {self.kind} alias {alias!r} -> {target!r}: no such name")
            previous = index.setdefault(normalize(alias), entry)
            if previous is not entry:
                raise ValueError(f"aliases.json: {self.kind} alias {alias!r} is ambiguous "
                                 f"({previous.name!r} vs {entry.name!r})")
        return index

    def _suggestion_index(self) -> dict[str, str]:
        """Normalised name or alias -> the catalog name to suggest for it."""
        suggest = {norm: entry.name for norm, entry in self._by_norm.items()}
        for norm, entry in self._by_alias.items():
            suggest.setdefault(norm, entry.name)
        return suggest

    def find(self, name: str) -> CatalogEntry | None:
        """The entry ``name`` designates, or None (see the module docstring for the order)."""
        if not isinstance(name, str):
            return None
        exact = self._by_name.get(name)
        if exact is not None:
            return exact
        norm = normalize(name)
        found = (self._by_norm.get(norm)
                 or self._by_alias.get(norm)
                 or self._by_key.get(name)
                 or self._by_key_norm.get(norm)
                 or self._by_id.get(name.strip()))
        if found is None and self.fallback is not None:
            other = self.fallback.find(name)
            if other is not None:
                found = self._by_id.get(other.resource_id)
        return found

    def unique_substring(self, name: str) -> CatalogEntry | None:
        """The one entry whose normalised name contains ``name`` (normalised), or None if none or several do.

        capcut-mate's last resort for fonts: callers write ``思源黑`` for a
        font named ``思源黑体 Bold``. Several matches are ambiguous, not a guess.
        """
        norm = normalize(name) if isinstance(name, str) else ""
        if not norm:
            return None
        hits = {id(e): e for n, e in self._by_norm.items() if norm in n}
        return next(iter(hits.values())) if len(hits) == 1 else None

    def lookup(self, name: str) -> CatalogEntry:
        """Like :meth:`find`, but an unknown name raises this kind's ``NameNotFound``.

        The message names the bad value and up to three close names, because
        a caller who typed ``叠画`` needs ``叠化`` more than an error code.
        """
        entry = self.find(name)
        if entry is None:
            raise self.not_found(name)
        return entry

    def suggest(self, name: str) -> list[str]:
        """Up to three catalog names close to ``name`` (via names and aliases)."""
        if not isinstance(name, str) or not normalize(name):
            return []
        close = difflib.get_close_matches(normalize(name), self._suggestable,
                                          n=_MAX_SUGGESTIONS * 3, cutoff=_SUGGEST_CUTOFF)
        names = dict.fromkeys(self._suggestable[c] for c in close)
        return list(names)[:_MAX_SUGGESTIONS]

    def not_found(self, name: object) -> NameNotFound:
        """This kind's error for an unknown ``name``, its detail naming up to three close names."""
        error_cls, label = _KIND_INFO.get(self.kind, (NameNotFound, self.kind))
        detail = f"unknown {label} {name!r}"
        suggestions = self.suggest(name) if isinstance(name, str) else []
        if suggestions:
            detail += "; did you mean: " + ", ".join(suggestions)
        return error_cls(detail)

    def names(self) -> list[str]:
        """Every catalog name, in catalog order (free items first, as Jianying lists them)."""
        return [entry.name for entry in self.entries]

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[CatalogEntry]:
        return iter(self.entries)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.find(name) is not None

    def __repr__(self) -> str:
        return f"<Catalog {self.kind}: {len(self.entries)} entries>"


def _read_data(filename: str) -> Any:
    """Parse one JSON file from the package's ``draft/data`` folder."""
    text = (resources.files("draftcut.draft") / "data" / filename).read_text(encoding="utf-8")
    return json.loads(text)


@functools.cache
def _aliases() -> Mapping[str, Mapping[str, str]]:
    """kind -> {alias: catalog name}, from the hand-written ``aliases.json``."""
    aliases: Mapping[str, Mapping[str, str]] = _read_data("aliases.json")["aliases"]
    return aliases


def _has_data(filename: str) -> bool:
    return (resources.files("draftcut.draft") / "data" / filename).is_file()


@functools.cache
def get_catalog(kind: str, app: str = "jianying") -> Catalog:
    """The catalog of ``kind`` (a :data:`CatalogKind`) for ``app``'s catalog set, loaded once per process.

    ``capcut`` reads ``data/capcut/<kind>.json`` where CapCut has its own list,
    with Jianying's as the fallback for names (matched by resource id; see
    :attr:`Catalog.fallback`); kinds CapCut has no list of are Jianying's.
    An unknown kind or app is a programming error, not bad user input, hence ValueError.
    """
    if kind not in CATALOG_KINDS:
        raise ValueError(f"unknown catalog kind {kind!r}; expected one of {', '.join(CATALOG_KINDS)}")
    if app == "jianying":
        raw = _read_data(f"{kind}.json")
        entries = (CatalogEntry.from_json(kind, item) for item in raw["entries"])
        return Catalog(kind, entries, _aliases().get(kind, {}))
    if app != "capcut":
        raise ValueError(f"unknown catalog set {app!r}")
    if not _has_data(f"capcut/{kind}.json"):
        return get_catalog(kind)
    raw = _read_data(f"capcut/{kind}.json")
    entries = (CatalogEntry.from_json(kind, item) for item in raw["entries"])
    return Catalog(kind, entries, fallback=get_catalog(kind))


def aliases(kind: str) -> Mapping[str, str]:
    """The hand-written aliases of `kind`: ``{alias: catalog name}`` (empty when it has none)."""
    return _aliases().get(kind, {})


def resolve(kind: str, name: str) -> CatalogEntry:
    """``get_catalog(kind).lookup(name)``: the entry, or this kind's ``NameNotFound``."""
    return get_catalog(kind).lookup(name)
