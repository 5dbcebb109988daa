"""The workflow helpers that touch no draft: timelines, the `*_infos` builders and the string adapters.

Pure functions of their request (the media durations that `audio_timelines`
needs are fetched by `draftcut.media_helpers` first). They reproduce
capcut-mate's answers (`capcut-mate-api.md` §4 and §6) except where those
are bugs (its §H), which each function's docstring names.

The `*_infos` builders return a JSON string in exactly the item shape the
matching `add_*` endpoint takes, so a workflow can pass it on unchanged. Like
capcut-mate, they zip their lists and the shorter list wins.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from typing import Any

from draftcut.errors import InvalidParam
from draftcut.schemas._fields import MAX_ITEMS
from draftcut.schemas.workflow import (
    AudioInfosRequest,
    EffectInfosRequest,
    FilterInfosRequest,
    ImgsInfosRequest,
    KeyframesInfosRequest,
    TimelinesRequest,
    VideoInfosRequest,
)

__all__ = [
    "MAX_KEYFRAMES",
    "audio_infos",
    "audio_timelines",
    "effect_infos",
    "filter_infos",
    "imgs_infos",
    "keyframes_infos",
    "objs_to_str_list",
    "str_list_to_objs",
    "str_to_list",
    "timelines",
    "video_infos",
]

MAX_KEYFRAMES = MAX_ITEMS * 10
"""Keyframes one `keyframes_infos` call may build: what one add_keyframes call accepts."""
RANDOM_SEED = 42
"""capcut-mate's seed: random timelines are the same for the same request, run after run."""

def _dumps(items: list[dict[str, Any]]) -> str:
    """capcut-mate's serialisation of the `*_infos` strings: `json.dumps` with Chinese kept readable."""
    return json.dumps(items, ensure_ascii=False)


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
