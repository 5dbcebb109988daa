"""The add_captions edit: caption items → text segments on a new text track.

Each caption is one text segment whose material carries the whole styling:
runs for the body and every keyword occurrence (UTF-16 ranges, see
`text_style`), alignment and vertical typesetting, spacing, shadow, stroke,
花字 and the in/out/loop animations. The shape is pyJianYingDraft 0.3.1's
TextSegment, which the app opens.

**Word-level highlight.** A caption with ``words`` becomes one segment per
word state, back to back on the caption's track: each segment shows the
whole caption with the word being spoken in the highlight colour, from that
word's start to the next word's start. We chose this over per-word ranges
plus the app's 卡拉OK animation because that animation sweeps the colour
across the text at a constant pace over its own duration: it cannot follow
speech timings, so the app would highlight the wrong word most of the time.
Segments show the right word at the right time in the app, in our renderer
and in any other tool that reads the draft; an agent that edits the caption
later sees ordinary text segments. The caption's in-animation goes on its
first segment and the out-animation on its last.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from draftcut.draft import materials as mat
from draftcut.draft.catalog import CatalogEntry, get_catalog
from draftcut.draft.clip import Clip
from draftcut.draft.document import Draft
from draftcut.draft.edits import EditContext
from draftcut.draft.ids import new_id
from draftcut.draft.record import DraftRecord
from draftcut.draft.segments import visual_segment
from draftcut.draft.text_style import (
    Run,
    RunStyle,
    Shadow,
    keyword_spans,
    keyword_style,
    runs,
    split_keywords,
)
from draftcut.errors import InvalidCaptionInfo
from draftcut.schemas.text import AddCaptionsRequest, CaptionItem, CaptionStyle, ShadowInfo

__all__ = ["add_captions"]

DEFAULT_KEYWORD_COLOR = "#ff7100"
_DEFAULT_SHADOW = Shadow()  # capcut-mate's has_shadow default: alpha 0.9, black, diffuse 15, distance 5, -45°

#: capcut-mate alignment 0–5 → (material alignment, typesetting): 3–5 are vertical text.
_ALIGNMENT = {0: (0, 0), 1: (1, 0), 2: (2, 0), 3: (1, 1), 4: (0, 1), 5: (2, 1)}


@dataclass(frozen=True, slots=True)
class _Effect:
    effect_id: str
    name: str


def _shadow(info: ShadowInfo | None) -> Shadow:
    if info is None:
        return _DEFAULT_SHADOW
    return Shadow(alpha=info.shadow_alpha, color=info.shadow_color, diffuse=info.shadow_diffuse,
                  distance=info.shadow_distance, angle=info.shadow_angle)


def _font(ctx: EditContext, name: str | None, field: str) -> str | None:
    entry = ctx.names.resolve(("fonts",), name, field, substring=True) if name else None
    return entry.resource_id if entry is not None else None


def _text_effect(ctx: EditContext, name: str | None, field: str) -> _Effect | None:
    """A 花字 by title or id; an id the catalog lacks is used as given, as capcut-mate does."""
    if not name:
        return None
    catalog = get_catalog("text_effects", ctx.names.app)
    entry = catalog.find(name)
    if entry is None and name.strip().isdigit():
        ctx.names.warnings.append({
            "field": field, "name": name, "suggestions": [],
            "message": f"{field}: {name!r} is not in the text effect catalog; written as an effect id as given"})
        return _Effect(name.strip(), "")
    if entry is None:
        entry = ctx.names.resolve(("text_effects",), name, field)
    return _Effect(entry.effect_id, entry.name) if entry is not None else None


def _animation(ctx: EditContext, kind: str, name: str | None, field: str) -> CatalogEntry | None:
    return ctx.names.resolve((kind,), name, field) if name else None


def _animations(ctx: EditContext, item: CaptionItem, field: str, duration: int,
                *, first: bool = True, last: bool = True) -> list[tuple[CatalogEntry, int, int]]:
    """``(entry, start, length)`` per animation, µs from the segment start.

    In and out animations keep their catalog length unless given, capped so
    that both fit; the loop runs from the end of the intro to the start of the
    outro (pyJianYingDraft's layout, which the app plays).
    """
    intro = _animation(ctx, "text_intros", item.in_animation, f"{field}.in_animation") if first else None
    outro = _animation(ctx, "text_outros", item.out_animation, f"{field}.out_animation") if last else None
    loop = _animation(ctx, "text_loops", item.loop_animation, f"{field}.loop_animation")
    in_len = min(item.in_animation_duration or int(intro.data.get("duration", 500_000)), duration) if intro else 0
    out_len = min(item.out_animation_duration or int(outro.data.get("duration", 500_000)), duration) if outro else 0
    if in_len + out_len > duration:
        # Both asked for more than the caption lasts: share it in proportion, as the app's sliders do.
        scale = duration / (in_len + out_len)
        in_len, out_len = int(in_len * scale), int(out_len * scale)
    items: list[tuple[CatalogEntry, int, int]] = []
    if intro is not None and in_len > 0:
        items.append((intro, 0, in_len))
    if outro is not None and out_len > 0:
        items.append((outro, duration - out_len, out_len))
    if loop is not None and duration - in_len - out_len > 0:
        items.append((loop, in_len, duration - in_len - out_len))
    if item.loop_animation_duration and loop is not None:
        ctx.names.warnings.append({
            "field": f"{field}.loop_animation_duration", "name": item.loop_animation, "suggestions": [],
            "message": (f"{field}.loop_animation_duration: a draft stores where a loop animation runs, not its "
                        "cycle; the app and the renderer use the animation's own cycle")})
    return items


def _base_style(ctx: EditContext, req: CaptionStyle, item: CaptionItem, field: str,
                effect: _Effect | None) -> RunStyle:
    size = item.font_size or req.font_size
    if effect is not None:  # a 花字 brings its own colours, stroke and shadow (capcut-mate does the same)
        return RunStyle(color="#ffffff", size=size, bold=req.bold, italic=req.italic, underline=req.underline,
                        font_id=_font(ctx, req.font, "font"), effect_id=effect.effect_id)
    return RunStyle(color=req.text_color, size=size, bold=req.bold, italic=req.italic, underline=req.underline,
                    stroke=req.border_color, font_id=_font(ctx, req.font, "font"),
                    shadow=_shadow(req.shadow_info) if req.has_shadow or req.shadow_info else None)


def _keyword_runs(ctx: EditContext, req: CaptionStyle, item: CaptionItem, field: str, base: RunStyle,
                  effect: _Effect | None) -> list[tuple[int, int, RunStyle]]:
    keywords = split_keywords(item.keyword)
    if not keywords:
        return []
    spans, missing = keyword_spans(item.text, keywords)
    for word in missing:
        ctx.names.warnings.append({
            "field": f"{field}.keyword", "name": word, "suggestions": [],
            "message": f"{field}.keyword: {word!r} does not occur in the text; nothing highlighted for it"})
    shadow = (_shadow(item.keyword_shadow_info) if (item.keyword_has_shadow or item.keyword_shadow_info)
              and effect is None else None)
    style = keyword_style(base, color=item.keyword_color or DEFAULT_KEYWORD_COLOR,
                          size=item.keyword_font_size, stroke=item.keyword_border_color,
                          font_id=_font(ctx, item.keyword_font, f"{field}.keyword_font"), shadow=shadow)
    return [(a, b, style) for a, b in spans]


def _word_spans(item: CaptionItem, field: str) -> list[tuple[int, int]]:
    """Character span of every word in the caption text, found left to right."""
    spans, pos = [], 0
    folded = item.text.casefold()
    for j, word in enumerate(item.words or []):
        at = item.text.find(word.text, pos)
        if at == -1:
            at = folded.find(word.text.casefold(), pos)
        if at == -1:
            raise InvalidCaptionInfo(f"{word.text!r} does not occur in the text after the previous word",
                                     field=f"{field}.words[{j}].text")
        spans.append((at, at + len(word.text)))
        pos = at + len(word.text)
    return spans


@dataclass(frozen=True, slots=True)
class _State:
    start: int
    end: int
    runs: list[Run]
    first: bool
    last: bool


def _states(item: CaptionItem, field: str, base: RunStyle, marked: list[tuple[int, int, RunStyle]],
            highlight: str) -> list[_State]:
    """One state for a plain caption; one per spoken word (and the lead-in before it) with `words`."""
    if not item.words:
        return [_State(item.start, item.end, runs(item.text, base, marked), True, True)]
    spans = _word_spans(item, field)
    times = [w.start for w in item.words]
    states: list[_State] = []
    if times[0] > item.start:
        states.append(_State(item.start, times[0], runs(item.text, base, marked), True, False))
    for j, (a, b) in enumerate(spans):
        end = times[j + 1] if j + 1 < len(times) else item.end
        if end <= times[j]:
            continue  # a word that starts when the next does has no time of its own
        # The spoken word wins over a keyword it overlaps; keywords elsewhere keep their colour.
        others = [m for m in marked if m[1] <= a or m[0] >= b]
        word_style = keyword_style(base, color=highlight)
        states.append(_State(times[j], end, runs(item.text, base, [*others, (a, b, word_style)]),
                             not states, False))
    if not states:
        raise InvalidCaptionInfo("words leave no time to show the caption", field=f"{field}.words")
    states[-1] = replace(states[-1], last=True)
    return states


def add_captions(record: DraftRecord, ctx: EditContext, req: AddCaptionsRequest,
                 media: list[Any]) -> dict[str, Any]:
    """Add every caption on one new text track (overlapping captions open another lane)."""
    draft = Draft(record.content)
    align, typesetting = _ALIGNMENT[req.alignment]
    clip = Clip(alpha=1.0, scale_x=req.scale_x, scale_y=req.scale_y,
                x=req.transform_x / draft.width, y=req.transform_y / draft.height)
    segments: list[dict[str, Any]] = []
    text_ids: list[str] = []
    caption_of: list[int] = []
    top_effect = _text_effect(ctx, req.text_effect, "text_effect")
    background = ((req.background_color, req.background_alpha, req.background_round_radius)
                  if req.background_color else None)
    for i, item in enumerate(req.captions):
        field = f"captions[{i}]"
        if item.transition:
            ctx.names.warnings.append({"field": f"{field}.transition", "name": item.transition, "suggestions": [],
                                       "message": f"{field}.transition: text segments have no transitions; ignored"})
        effect = _text_effect(ctx, item.text_effect, f"{field}.text_effect") if item.text_effect else top_effect
        base = _base_style(ctx, req, item, field, effect)
        marked = _keyword_runs(ctx, req, item, field, base, effect)
        highlight = item.highlight_color or req.highlight_color or item.keyword_color or DEFAULT_KEYWORD_COLOR
        for state in _states(item, field, base, marked, highlight):
            duration = state.end - state.start
            material = mat.text_material(
                text=item.text, runs=state.runs, alignment=align, typesetting=typesetting,
                letter_spacing=req.letter_spacing or 0.0, line_spacing=req.line_spacing or 0.0,
                alpha=req.alpha, border=any(r.style.stroke for r in state.runs),
                shadow=any(r.style.shadow for r in state.runs), background=background)
            refs: list[str] = []
            anims = _animations(ctx, item, field, duration, first=state.first, last=state.last)
            if anims:
                refs.append(draft.add_material("material_animations", mat.segment_animations(anims, video=False)))
            if effect is not None:
                refs.append(draft.add_material("effects", mat.text_effect(effect.effect_id, effect.name)))
            text_ids.append(draft.add_material("texts", material))
            seg = visual_segment(material_id=material["id"], start=state.start, duration=duration, clip=clip,
                                 refs=refs)
            seg["source_timerange"] = None  # text has no source media (pyJianYingDraft writes null)
            segments.append(seg)
            caption_of.append(i)
    tracks = draft.add_in_lanes("text", f"caption_track_{new_id()}", segments)
    draft.finalize()
    return {"draft_url": ctx.draft_url, "track_id": tracks[0]["id"], "track_ids": [t["id"] for t in tracks],
            "text_ids": text_ids, "segment_ids": [s["id"] for s in segments],
            "segment_infos": [{**_info(s), "caption": c} for s, c in zip(segments, caption_of, strict=True)]}


def _info(seg: dict[str, Any]) -> dict[str, Any]:
    tr = seg["target_timerange"]
    return {"id": seg["id"], "start": tr["start"], "end": tr["start"] + tr["duration"]}
