"""The text endpoints that touch no draft: add_text_style, caption_infos and srt_infos (catalogs: lookups.py).

Pure functions of their request; the routes call them directly (srt_infos
fetches its URL in the service first).
"""

from __future__ import annotations

import json
from typing import Any

from draftcut.draft.srt import Cue, SrtError, parse_srt
from draftcut.draft.text_style import (
    RunStyle,
    keyword_spans,
    keyword_style,
    runs,
    split_keywords,
    style_json,
)
from draftcut.errors import InvalidSrt
from draftcut.schemas.text import AddTextStyleRequest, CaptionInfosRequest

__all__ = ["add_text_style", "caption_infos", "parse_cues", "srt_infos"]

MAX_CUES = 5_000
"""Cues per SRT: a two-hour film has ~1,500."""


def add_text_style(req: AddTextStyleRequest) -> dict[str, Any]:
    """``text_style``: a compact JSON string ``{"text", "styles"}`` with every keyword occurrence highlighted.

    Ranges are UTF-16 code units, as in a draft (capcut-mate counts Python
    characters here, which disagrees with its own captions after an emoji).
    """
    base = RunStyle(color="#ffffff", size=req.font_size)
    spans, _ = keyword_spans(req.text, split_keywords(req.keyword))
    marked = keyword_style(base, color=req.keyword_color, size=req.keyword_font_size)
    styles = []
    for run in runs(req.text, base, [(a, b, marked) for a, b in spans]):
        style = style_json(run)
        style["font"] = {"id": "", "path": ""}  # capcut-mate's shape: an empty font reference
        styles.append(style)
    body = {"text": req.text, "styles": styles}
    return {"text_style": json.dumps(body, ensure_ascii=False, separators=(",", ":"))}


_INFO_OPTIONS = ("font_size", "keyword_color", "keyword_border_color", "keyword_font", "keyword_font_size",
                 "keyword_has_shadow", "in_animation", "in_animation_duration", "out_animation",
                 "out_animation_duration", "loop_animation", "loop_animation_duration", "transition",
                 "transition_duration")


def caption_infos(req: CaptionInfosRequest) -> dict[str, Any]:
    """``infos``: texts and timelines zipped into add_captions items (the shorter list wins)."""
    items = []
    for i, (text, timeline) in enumerate(zip(req.texts, req.timelines, strict=False)):
        item: dict[str, Any] = {"start": timeline.start, "end": timeline.end, "text": text}
        if req.keywords:
            item["keyword"] = req.keywords[i] if i < len(req.keywords) else ""
        for name in _INFO_OPTIONS:
            value = getattr(req, name)
            if value is not None:
                item[name] = value
        if req.keyword_shadow_info is not None:
            item["keyword_shadow_info"] = req.keyword_shadow_info.model_dump()
        items.append(item)
    return {"infos": json.dumps(items, ensure_ascii=False)}


def parse_cues(text: str) -> list[Cue]:
    """SRT text → cues, or InvalidSrt naming the cue number and the line."""
    try:
        return parse_srt(text, max_cues=MAX_CUES)
    except SrtError as exc:
        raise InvalidSrt(str(exc), field="srt") from None


def srt_infos(text: str) -> dict[str, Any]:
    """``infos``: the cues as a JSON string in caption_infos' shape, times in µs."""
    items = [{"start": c.start_us, "end": c.end_us, "text": c.text} for c in parse_cues(text)]
    return {"infos": json.dumps(items, ensure_ascii=False)}


