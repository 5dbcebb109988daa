"""The workflow helpers that touch no draft: catalogs, sticker search, timelines and the `*_infos` builders.

Pure functions of their request (the media durations that `audio_timelines`
needs are fetched by `draftcut.media_helpers` first). They reproduce
capcut-mate's answers (`capcut-mate-api.md` §4 and §6) except where those
are bugs (its §H), which each function's docstring names.

The `*_infos` builders return a JSON string in exactly the item shape the
matching `add_*` endpoint takes, so a workflow can pass it on unchanged. Like
capcut-mate, they zip their lists and the shorter list wins.
"""

from __future__ import annotations

import functools
import json
import random
from collections.abc import Iterable, Sequence
from importlib import resources
from typing import Any

from draftcut.draft.catalog import CatalogEntry, _aliases, get_catalog, normalize
from draftcut.errors import InvalidParam
from draftcut.schemas._fields import MAX_ITEMS
from draftcut.schemas.workflow import (
    AudioInfosRequest,
    CatalogRequest,
    EffectInfosRequest,
    FilterInfosRequest,
    GetImageAnimationsRequest,
    ImgsInfosRequest,
    KeyframesInfosRequest,
    TimelinesRequest,
    VideoInfosRequest,
)

__all__ = [
    "CATALOG_GROUPS",
    "MAX_KEYFRAMES",
    "STICKER_RESULTS",
    "audio_infos",
    "audio_timelines",
    "effect_infos",
    "effects",
    "filter_infos",
    "filters",
    "image_animations",
    "imgs_infos",
    "keyframes_infos",
    "list_catalog",
    "objs_to_str_list",
    "search_sticker",
    "str_list_to_objs",
    "str_to_list",
    "timelines",
    "video_infos",
]

STICKER_RESULTS = 50
"""Stickers per search, as capcut-mate returns."""
MAX_KEYFRAMES = MAX_ITEMS * 10
"""Keyframes one `keyframes_infos` call may build: what one add_keyframes call accepts."""
RANDOM_SEED = 42
"""capcut-mate's seed: random timelines are the same for the same request, run after run."""

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


def _duration(entry: CatalogEntry) -> int | None:
    """An animation's `duration` or a transition's `default_duration`, in µs; None for the rest."""
    value = entry.data.get("duration", entry.data.get("default_duration"))
    return int(value) if value is not None else None


def _dumps(items: list[dict[str, Any]]) -> str:
    """capcut-mate's serialisation of the `*_infos` strings: `json.dumps` with Chinese kept readable."""
    return json.dumps(items, ensure_ascii=False)


# --- catalogs -------------------------------------------------------------------------------------------------


def image_animations(req: GetImageAnimationsRequest) -> dict[str, Any]:
    """``effects``: the image (video) animations of `type` (all three when None), filtered by `mode`.

    Same item shape as get_text_animations; `name` is the value for
    add_images' and imgs_infos' ``in_animation``/``out_animation``/``loop_animation``.
    """
    out = []
    for kind, catalog_kind, category_id, category_name in _IMAGE_ANIMATION_KINDS:
        if req.type not in (None, kind):
            continue
        for entry in get_catalog(catalog_kind):
            if not _keep(entry, req.mode):
                continue
            out.append({
                "resource_id": entry.resource_id, "type": kind, "category_id": category_id,
                "category_name": category_name, "duration": _duration(entry) or 500_000,
                "id": entry.effect_id, "name": entry.name, "request_id": "", "start": 0, "icon_url": "",
                "material_type": "sticker", "panel": "", "path": "", "platform": "all"})
    return {"effects": out}


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
def _search_keys(kind: str) -> tuple[tuple[CatalogEntry, frozenset[str], frozenset[str]], ...]:
    """Per entry of `kind`: the strings a query may match, and its ids (matched exactly only).

    The strings are normalised (:func:`normalize`): the name, the enum key,
    every alias of the entry, and the name's pinyin without tones, in full
    (``diehua``) and as initials (``dh``). Computed once per kind; pypinyin is
    imported here, not at start-up, because most processes never search.
    """
    from pypinyin import Style, lazy_pinyin

    catalog = get_catalog(kind)
    aliases: dict[CatalogEntry, set[str]] = {}
    for alias, target in _aliases().get(kind, {}).items():
        entry = catalog.find(target)
        if entry is not None:
            aliases.setdefault(entry, set()).add(normalize(alias))
    keys = []
    for entry in catalog:
        texts = {normalize(entry.name), normalize(entry.key), *aliases.get(entry, ()),
                 normalize("".join(lazy_pinyin(entry.name))),
                 normalize("".join(lazy_pinyin(entry.name, style=Style.FIRST_LETTER)))}
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
            for entry, texts, ids in _search_keys(kind):
                order += 1
                rank = 0 if req.query and req.query.strip() in ids else _rank(query, texts)
                if rank is not None:
                    ranked.append((rank, order, entry))
        else:
            for entry in get_catalog(kind):
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
        duration = _duration(entry)
        if duration is not None:
            item["duration"] = duration
        items.append(item)
    return {"kind": req.kind, "total": len(ranked), "page": req.page, "page_size": req.page_size, "items": items}


# --- timelines ------------------------------------------------------------------------------------------------


def timelines(req: TimelinesRequest) -> dict[str, Any]:
    """``timelines``: `duration` from `start` cut into `num` pieces; ``all_timelines``: the whole range.

    Equal split (`type` 0): pieces of ``duration // num``, the last one
    absorbing the remainder, as capcut-mate. Random split (any other `type`):
    ``num - 1`` distinct cut points drawn from a local ``random.Random(42)``,
    so the same request always gives the same pieces. capcut-mate seeds the
    *global* RNG instead, changing every other user of `random` in the
    process (§H.16), and draws its cut points with repetition, so two could
    coincide and leave an empty piece that add_* then refuses.

    A piece is at least 1 µs: more pieces than µs is a 400 naming `num`
    (capcut-mate returns empty pieces).
    """
    start, duration, num = req.start, req.duration, req.num
    whole = [{"start": start, "end": start + duration}]
    if num <= 0:
        return {"timelines": [], "all_timelines": whole}
    if num > duration:
        raise InvalidParam(f"{num} pieces do not fit in {duration} µs: each piece needs at least 1 µs", field="num")
    if req.type == 0:
        step = duration // num
        cuts = [start + i * step for i in range(num)] + [start + duration]
    else:
        rng = random.Random(RANDOM_SEED)
        inner = sorted(rng.sample(range(start + 1, start + duration), num - 1))
        cuts = [start, *inner, start + duration]
    return {"timelines": [{"start": a, "end": b} for a, b in zip(cuts, cuts[1:], strict=False)],
            "all_timelines": whole}


def audio_timelines(durations: Sequence[int]) -> dict[str, Any]:
    """``timelines``: one range per audio file, back to back from 0; ``all_timelines``: ``[{0, total}]``."""
    pieces = []
    at = 0
    for duration in durations:
        pieces.append({"start": at, "end": at + duration})
        at += duration
    return {"timelines": pieces, "all_timelines": [{"start": 0, "end": at}]}


# --- *_infos builders -----------------------------------------------------------------------------------------


def audio_infos(req: AudioInfosRequest) -> dict[str, Any]:
    """``infos`` for add_audios: ``{audio_url, start, end}``, plus `audio_effect` and `volume` when given."""
    items = []
    for url, timeline in zip(req.mp3_urls, req.timelines, strict=False):
        item: dict[str, Any] = {"audio_url": url, "start": timeline.start, "end": timeline.end}
        if req.audio_effect is not None:
            item["audio_effect"] = req.audio_effect
        if req.volume is not None:
            item["volume"] = req.volume
        items.append(item)
    return {"infos": _dumps(items)}


def _names(value: str | None) -> list[str]:
    """``"动感放大|向上滑动"`` → ``["动感放大", "向上滑动"]``; blank parts are dropped."""
    return [part.strip() for part in value.split("|") if part.strip()] if value else []


def imgs_infos(req: ImgsInfosRequest) -> dict[str, Any]:
    """``infos`` for add_images: ``{image_url, start, end}`` plus the sizes, animations and transition given.

    Animation and transition fields may hold several names separated by
    ``|``: the i-th image gets the i-th name and the last name is reused for
    the images after it (capcut-mate's verified example: three images and
    ``动感放大|向上滑动`` give 动感放大, 向上滑动, 向上滑动). A ``*_duration``
    is written only with its animation (or transition).
    """
    named = {key: _names(getattr(req, key)) for key in ("in_animation", "loop_animation", "out_animation",
                                                          "transition")}
    items = []
    for i, (url, timeline) in enumerate(zip(req.imgs, req.timelines, strict=False)):
        item: dict[str, Any] = {"image_url": url, "start": timeline.start, "end": timeline.end}
        if req.height is not None:
            item["height"] = req.height
        if req.width is not None:
            item["width"] = req.width
        for key, names in named.items():
            if names:
                item[key] = names[min(i, len(names) - 1)]
                duration = getattr(req, f"{key}_duration")
                if duration is not None:
                    item[f"{key}_duration"] = duration
        items.append(item)
    return {"infos": _dumps(items)}


def effect_infos(req: EffectInfosRequest) -> dict[str, Any]:
    """``infos`` for add_effects: ``{effect_title, start, end}``."""
    items = [{"effect_title": title, "start": t.start, "end": t.end}
             for title, t in zip(req.effects, req.timelines, strict=False)]
    return {"infos": _dumps(items)}


def filter_infos(req: FilterInfosRequest) -> dict[str, Any]:
    """``infos`` for add_filters: ``{filter_title, start, end, intensity}``.

    `intensity` is the i-th of `intensities` (already clamped to 0–100), or
    100.0 for every filter when none are given; with intensities, the
    shortest of the three lists wins.
    """
    if req.intensities:
        rows: Iterable[tuple[str, Any, float]] = zip(req.filters, req.timelines, req.intensities, strict=False)
    else:
        rows = ((title, t, 100.0) for title, t in zip(req.filters, req.timelines, strict=False))
    items = [{"filter_title": title, "start": t.start, "end": t.end, "intensity": float(intensity)}
             for title, t, intensity in rows]
    return {"infos": _dumps(items)}


def keyframes_infos(req: KeyframesInfosRequest) -> dict[str, Any]:
    """``keyframes_infos`` for add_keyframes: every (offset, value) pair on every segment.

    ``offset`` is the percentage of the segment's length, in µs from its
    start (truncated); for ``KFTypePositionX``/``Y`` the value is divided by
    `width`/`height` when given (pixels → the app's unit), as capcut-mate
    does. More keyframes than one add_keyframes call takes is a 400 naming
    `segment_infos`.
    """
    total = len(req.segment_infos) * len(req.offsets)
    if total > MAX_KEYFRAMES:
        raise InvalidParam(f"{len(req.segment_infos)} segments × {len(req.offsets)} offsets make {total} "
                           f"keyframes; add_keyframes takes at most {MAX_KEYFRAMES} per call",
                           field="segment_infos")
    scale = {"KFTypePositionX": req.width, "KFTypePositionY": req.height}.get(req.ctype)
    items = []
    for segment in req.segment_infos:
        length = segment.end - segment.start
        for percent, value in zip(req.offsets, req.values, strict=True):
            items.append({"offset": int(percent / 100 * length), "property": req.ctype, "segment_id": segment.id,
                          "value": value / scale if scale else value})
    return {"keyframes_infos": _dumps(items)}


def video_infos(req: VideoInfosRequest) -> dict[str, Any]:
    """``infos`` for add_videos: ``{video_url, start, end, duration}`` plus the options given.

    ``duration`` is ``end - start``, as capcut-mate writes it; add_videos
    probes the real length anyway. `volume` is there unless sent as null.
    """
    items = []
    for url, t in zip(req.video_urls, req.timelines, strict=False):
        item: dict[str, Any] = {"video_url": url, "start": t.start, "end": t.end, "duration": t.end - t.start}
        for key in ("width", "height", "mask", "transition", "transition_duration", "volume"):
            value = getattr(req, key)
            if value is not None:
                item[key] = value
        items.append(item)
    return {"infos": _dumps(items)}


# --- trivial adapters (capcut-mate keeps them for Coze plugin wiring) -----------------------------------------


def str_to_list(obj: str) -> dict[str, Any]:
    """``infos``: ``[obj]``."""
    return {"infos": [obj]}


def str_list_to_objs(infos: Sequence[str]) -> dict[str, Any]:
    """``infos``: each string wrapped as ``{"output": s}``."""
    return {"infos": [{"output": s} for s in infos]}


def objs_to_str_list(outputs: Iterable[str]) -> dict[str, Any]:
    """``infos``: the ``output`` of each object."""
    return {"infos": list(outputs)}
