"""The look-up endpoints that touch no draft: image animations, filters, effects, stickers, and any catalog.

Pure reads of the bundled catalogs (`draft/data/*.json`). They reproduce
capcut-mate's answers (`capcut-mate-api.md` §4) except where those are bugs
(its §H), which each function's docstring names. `list_catalog` is new: one
endpoint for agents to page through or search any catalog by Chinese,
English alias or pinyin.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from importlib import resources
from typing import Any

from draftcut.draft.catalog import CatalogEntry, aliases, get_catalog, normalize
from draftcut.schemas.text import GetTextAnimationsRequest
from draftcut.schemas.workflow import CatalogRequest, GetImageAnimationsRequest

__all__ = ["CATALOG_GROUPS", "STICKER_RESULTS", "catalog_duration", "effects", "filters", "image_animations",
           "list_catalog", "search_sticker", "text_animations", "text_effects"]

STICKER_RESULTS = 50
"""Stickers per search, as capcut-mate returns."""
_TEXT_ANIMATION_KINDS = (("in", "text_intros", "ruchang", "入场"), ("out", "text_outros", "chuchang", "出场"),
                         ("loop", "text_loops", "xunhuan", "循环"))
_IMAGE_ANIMATION_KINDS = (("in", "video_intros", "pic_ruchang", "图片入场"),
                          ("out", "video_outros", "pic_chuchang", "图片出场"),
                          ("loop", "video_group_animations", "pic_xunhuan", "图片循环"))
_EFFECT_KINDS = (("scene", "video_scene_effects"), ("character", "video_character_effects"))

CATALOG_GROUPS: dict[str, tuple[str, ...]] = {
    "text_animations": ("text_intros", "text_outros", "text_loops"),
    "image_animations": ("video_intros", "video_outros", "video_group_animations"),
    "video_animations": ("video_intros", "video_outros", "video_group_animations"),
    "effects": ("video_scene_effects", "video_character_effects"),
    "audio_effects": ("audio_scene_effects", "tone_effects", "speech_to_song"),
}
"""Catalog kinds agents ask for by purpose: ``effects`` is every name add_effects accepts, and so on."""


def _keep(entry: CatalogEntry, mode: int) -> bool:
    """`mode` 0 all, 1 VIP only, 2 free only."""
    return not ((mode == 1 and not entry.is_vip) or (mode == 2 and entry.is_vip))


def catalog_duration(entry: CatalogEntry) -> int | None:
    """An animation's `duration` or a transition's `default_duration`, in µs; None for the rest."""
    value = entry.data.get("duration", entry.data.get("default_duration"))
    return int(value) if value is not None else None



# --- catalogs -------------------------------------------------------------------------------------------------


def _animations(table: tuple[tuple[str, str, str, str], ...], req: GetTextAnimationsRequest) -> dict[str, Any]:
    """``effects``: the animations of `table` of `req.type` (all three when None), filtered by `req.mode`."""
    out = []
    for kind, catalog_kind, category_id, category_name in table:
        if req.type not in (None, kind):
            continue
        for entry in get_catalog(catalog_kind):
            if not _keep(entry, req.mode):
                continue
            out.append({
                "resource_id": entry.resource_id, "type": kind, "category_id": category_id,
                "category_name": category_name, "duration": catalog_duration(entry) or 500_000,
                "id": entry.effect_id, "name": entry.name, "request_id": "", "start": 0, "icon_url": "",
                "material_type": "sticker", "panel": "", "path": "", "platform": "all"})
    return {"effects": out}


def text_animations(req: GetTextAnimationsRequest) -> dict[str, Any]:
    """Text in/out/loop animations; `name` is the value for add_captions' ``*_animation`` fields."""
    return _animations(_TEXT_ANIMATION_KINDS, req)


def image_animations(req: GetImageAnimationsRequest) -> dict[str, Any]:
    """Image (video) animations, same item shape; `name` is the value for add_images' and
    imgs_infos' ``in_animation``/``out_animation``/``loop_animation``."""
    return _animations(_IMAGE_ANIMATION_KINDS, req)


def text_effects(mode: int) -> dict[str, Any]:
    """``text_effects``: every 花字 ``{id, title, is_vip}``, filtered by `mode`.

    Every row, not one per title: capcut-mate de-duplicates by title and so
    hides 233 effects that it still accepts by id (its §H.19).
    """
    return {"text_effects": [{"id": e.effect_id, "title": e.name, "is_vip": e.is_vip}
                             for e in get_catalog("text_effects") if _keep(e, mode)]}


def filters(mode: int) -> dict[str, Any]:
    """``filters``: every filter ``{name, is_vip, resource_id, effect_id, has_params}``, filtered by `mode`."""
    return {"filters": [
        {"name": e.name, "is_vip": e.is_vip, "resource_id": e.resource_id, "effect_id": e.effect_id,
         "has_params": bool(e.data.get("params"))}
        for e in get_catalog("filters") if _keep(e, mode)]}


def effects(mode: int) -> dict[str, Any]:
    """``effects``: scene effects, then character effects, with ``kind`` saying which.

    capcut-mate lists only the scene effects, although add_effects also takes
    the 240 character effects by name (its §H.18); both are listed here.
    """
    return {"effects": [
        {"name": e.name, "is_vip": e.is_vip, "resource_id": e.resource_id, "effect_id": e.effect_id,
         "icon_url": "", "has_params": bool(e.data.get("params")), "kind": kind}
        for kind, catalog_kind in _EFFECT_KINDS for e in get_catalog(catalog_kind) if _keep(e, mode)]}


@functools.cache
def _stickers() -> tuple[dict[str, Any], ...]:
    """capcut-mate's `config/sticker.json`, bundled as ``draft/data/stickers.json``; read once per process."""
    text = (resources.files("draftcut.draft") / "data" / "stickers.json").read_text(encoding="utf-8")
    items: list[dict[str, Any]] = json.loads(text)
    return tuple(items)


@functools.cache
def _sticker_titles() -> tuple[str, ...]:
    return tuple(str(item.get("title", "")).casefold() for item in _stickers())


def search_sticker(keyword: str) -> dict[str, Any]:
    """``data``: the first 50 stickers whose title contains `keyword`, ignoring case.

    Nothing found is an empty list. capcut-mate returns 50 *random* stickers
    then (from a global RNG that `timelines` reseeds, its §H.16): a workflow
    could not tell them from real matches and would place an unrelated
    sticker. Its test is case-sensitive; ignoring case only finds more.
    """
    needle = keyword.casefold()
    found = [item for item, title in zip(_stickers(), _sticker_titles(), strict=True) if needle in title]
    return {"data": found[:STICKER_RESULTS]}


# --- catalog search for agents --------------------------------------------------------------------------------


@functools.cache
def _search_keys(kind: str, app: str) -> tuple[tuple[CatalogEntry, frozenset[str], frozenset[str]], ...]:
    """Per entry of `kind`: the strings a query may match, and its ids (matched exactly only).

    The strings are normalised (:func:`normalize`): the name, the enum key,
    every alias of the entry, and the name's pinyin without tones, in full
    (``diehua``) and as initials (``dh``); for CapCut, the same for the
    Jianying name of the entry's resource. Computed once per kind; pypinyin is
    imported here, not at start-up, because most processes never search.
    """
    from pypinyin import Style, lazy_pinyin

    catalog = get_catalog(kind, app)
    alias_keys: dict[CatalogEntry, set[str]] = {}
    for alias, target in aliases(kind).items():
        entry = catalog.find(target)
        if entry is not None:
            alias_keys.setdefault(entry, set()).add(normalize(alias))
    # CapCut entries are also found by the Jianying name of the same resource (叠化 → Mix)
    twins: dict[str, list[str]] = {}
    for other in catalog.fallback or ():
        twins.setdefault(other.resource_id, []).append(other.name)
    keys = []
    for entry in catalog:
        names = [entry.name, *twins.get(entry.resource_id, ())]
        texts = {normalize(entry.key), *alias_keys.get(entry, ())}
        for name in names:
            texts |= {normalize(name), normalize("".join(lazy_pinyin(name))),
                      normalize("".join(lazy_pinyin(name, style=Style.FIRST_LETTER)))}
        texts.discard("")
        keys.append((entry, frozenset(texts), frozenset({entry.resource_id, entry.effect_id})))
    return tuple(keys)


def _rank(query: str, texts: Iterable[str]) -> int | None:
    """0 exact, 1 prefix, 2 substring of any of `texts`; None when none matches."""
    best: int | None = None
    for text in texts:
        if text == query:
            return 0
        if text.startswith(query):
            best = 1
        elif best is None and query in text:
            best = 2
    return best


def list_catalog(req: CatalogRequest) -> dict[str, Any]:
    """One page of a catalog (or a group, :data:`CATALOG_GROUPS`), searched by `query`, filtered by `vip`.

    For agents that need the exact name an ``add_*`` field takes. A query
    matches a Chinese name or part of it, an English alias (``dissolve`` →
    叠化), or pinyin in full or as initials (``diehua``, ``dh``), ignoring case
    and spaces; an exact ``resource_id``/``effect_id`` matches too. Exact
    matches come first, then prefixes, then substrings, each in catalog order
    (free items first). ``duration`` (µs) is the default length, for the
    catalogs that have one (animations, transitions).
    """
    kinds = CATALOG_GROUPS.get(req.kind, (req.kind,))
    query = normalize(req.query) if req.query else ""
    ranked: list[tuple[int, int, CatalogEntry]] = []
    order = 0
    for kind in kinds:
        if query:
            for entry, texts, ids in _search_keys(kind, req.app):
                order += 1
                rank = 0 if req.query and req.query.strip() in ids else _rank(query, texts)
                if rank is not None:
                    ranked.append((rank, order, entry))
        else:
            for entry in get_catalog(kind, req.app):
                order += 1
                ranked.append((0, order, entry))
    if req.vip is not None:
        ranked = [r for r in ranked if r[2].is_vip == req.vip]
    ranked.sort(key=lambda r: (r[0], r[1]))
    first = (req.page - 1) * req.page_size
    items = []
    for _, _, entry in ranked[first:first + req.page_size]:
        item: dict[str, Any] = {"name": entry.name, "is_vip": entry.is_vip, "resource_id": entry.resource_id,
                                "effect_id": entry.effect_id, "kind": entry.kind}
        duration = catalog_duration(entry)
        if duration is not None:
            item["duration"] = duration
        items.append(item)
    return {"kind": req.kind, "total": len(ranked), "page": req.page, "page_size": req.page_size, "items": items}
