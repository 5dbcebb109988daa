"""Read what a segment's ``extra_material_refs`` attach to it (draft-format.md §4.3, §5).

Each referenced material is looked up by id across every ``materials`` array.
Known renderable kinds become model values (mask, transition, fade, canvas,
animations, speed, blend mode); filters and video effects become `Look`s when
``read/looks.py`` has an approximation for the name, and are reported either way
(approximated, or not rendered); audio effects go to `read/audio_effects.py` and
a text's 花字 to the text rasteriser, which report them as approximated; a chroma
key (色度抠图) becomes a `Chroma` that ``plan/chroma.py`` approximates with
``colorkey`` (reported as approximated); kinds we cannot draw (bubbles, colour
wheels...) become `Unsupported`
notes; app-internal defaults (placeholders, beats, channel mappings...) are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from draftcut.render.model.timeline import Animation, Background, Chroma, Look, MaskShape, Transition, Unsupported
from draftcut.render.read.animations import is_rendered
from draftcut.render.read.audio_effects import AudioEffect, read_audio_effect
from draftcut.render.read.blend_names import blend_mode
from draftcut.render.read.catalog_ids import animation_kinds, catalog_names, first_match
from draftcut.render.read.labels import material_name
from draftcut.render.read.looks import effect_look, filter_look
from draftcut.render.read.transitions import DEFAULT_DURATION_US, transition_kind
from draftcut.render.read.values import as_float, as_int, as_map

__all__ = ["MaterialIndex", "SegmentRefs", "index_materials", "read_refs"]

MaterialIndex = dict[str, tuple[str, dict[str, Any]]]

# materials arrays whose entries the renderer cannot draw, with a readable name
_UNDRAWABLE = {
    "video_effects": "video effect",
    "vocal_beautifys": "voice enhancement",
    "realtime_denoises": "noise reduction",
    "stickers": "sticker",
    "text_templates": "text template",
    "hsl": "HSL adjustment",
    "color_curves": "colour curves",
    "primary_color_wheels": "colour wheels",
    "log_color_wheels": "colour wheels",
    "manual_deformations": "deformation",
    "smart_relights": "relighting",
}
_EFFECT_TYPES = {
    "filter": "filter",
    "mix_mode": "blend mode",
    "text_shape": "text bubble",
    "text_effect": "text effect (花字)",
}
_MASK_SHAPES = {"line", "mirror", "circle", "rectangle"}
_SHAPE_BY_NAME = {"爱心": "heart", "heart": "heart", "星形": "star", "star": "star",
                  "线性": "line", "镜面": "mirror", "圆形": "circle", "矩形": "rectangle"}
_SHAPE_BY_RESOURCE = {"6794051276482023949": "heart", "6794051169434997255": "star"}
"""pyJianYingDraft's 爱心/星形 resource ids (both are ``geometric_shape``), for drafts without a name."""


@dataclass(slots=True)
class SegmentRefs:
    """What the refs of one segment amount to."""

    speed: float | None = None
    mask: MaskShape | None = None
    transition: Transition | None = None
    background: Background | None = None
    animations: list[Animation] = field(default_factory=list)
    fade_in: int = 0
    fade_out: int = 0
    text_effect: str | None = None
    audio_effects: list[AudioEffect] = field(default_factory=list)
    looks: list[Look] = field(default_factory=list)
    blend: str | None = None
    chroma: Chroma | None = None
    notes: list[Unsupported] = field(default_factory=list)


def index_materials(materials: Any) -> MaterialIndex:
    """id → (array name, material) over every array; `common_mask` wins over `masks`."""
    index: MaterialIndex = {}
    if not isinstance(materials, Mapping):
        return index
    for name in sorted(materials, key=lambda n: n == "common_mask"):
        items = materials[name]
        if not isinstance(items, list):
            continue
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                index[item["id"]] = (str(name), item)
    return index


def read_refs(segment: Mapping[str, Any], index: MaterialIndex) -> SegmentRefs:
    refs = SegmentRefs()
    seg_id = str(segment.get("id", ""))
    raw = segment.get("extra_material_refs")
    for ref in raw if isinstance(raw, list) else []:
        found = index.get(ref) if isinstance(ref, str) else None
        if found is not None:
            _apply(refs, seg_id, *found)
    return refs


def _apply(refs: SegmentRefs, seg_id: str, array: str, mat: dict[str, Any]) -> None:
    if array == "speeds":
        refs.speed = as_float(mat.get("speed"), 1.0)
        if mat.get("curve_speed"):
            refs.notes.append(Unsupported(seg_id, "curve speed", "played at the constant speed", "approximated"))
    elif array in ("masks", "common_mask"):
        refs.mask = _mask(mat, seg_id, refs.notes)
    elif array == "transitions":
        refs.transition = _transition(mat, seg_id, refs.notes)
    elif array == "canvases":
        refs.background = _background(mat, seg_id, refs.notes)
    elif array == "material_animations":
        refs.animations.extend(_animations(mat, seg_id, refs.notes))
    elif array == "audio_fades":
        refs.fade_in = max(0, as_int(mat.get("fade_in_duration"), 0))
        refs.fade_out = max(0, as_int(mat.get("fade_out_duration"), 0))
    elif array == "audio_effects":
        # approximated where the table has a recipe (_audio_effects.py); the note says which
        effect = read_audio_effect(mat)
        refs.audio_effects.append(effect)
        refs.notes.append(Unsupported(seg_id, "audio effect", effect.detail,
                                      "approximated" if effect.filters else "omitted"))
    elif array == "effects" and mat.get("type") == "text_effect":
        # drawn as an approximation; the text rasteriser reports it as such
        refs.text_effect = str(mat.get("name") or mat.get("effect_id") or mat.get("resource_id") or "") or None
    elif array == "effects" and mat.get("type") == "filter":
        look, detail = filter_look(mat)
        if look is not None:
            refs.looks.append(look)
        refs.notes.append(Unsupported(seg_id, "filter", detail, "omitted" if look is None else "approximated"))
    elif array == "effects" and mat.get("type") == "mix_mode":
        name = str(mat.get("name") or "")
        mode = blend_mode(name)
        if mode is None:
            refs.notes.append(Unsupported(seg_id, "blend mode", f"{_named(name)}drawn as normal"))
        refs.blend = None if mode in (None, "normal") else mode
    elif array == "video_effects":
        look, detail = effect_look(mat)
        if look is not None:
            refs.looks.append(look)
        refs.notes.append(Unsupported(seg_id, "video effect", detail, "omitted" if look is None else "approximated"))
    elif array == "effects":
        kind = _EFFECT_TYPES.get(str(mat.get("type")), f"effect ({mat.get('type')})")
        refs.notes.append(Unsupported(seg_id, kind, f"{_named(material_name(mat))}not rendered"))
    elif array in _UNDRAWABLE:
        refs.notes.append(Unsupported(seg_id, _UNDRAWABLE[array], f"{_named(material_name(mat))}not rendered"))
    elif array == "chromas":
        refs.chroma = _chroma(mat, seg_id, refs.notes)
    elif array == "loudnesses" and mat.get("enable"):
        refs.notes.append(Unsupported(seg_id, "loudness normalisation", "not applied"))


def _named(name: str | None) -> str:
    """``"name: "`` to start a note with, or nothing: a material's id would mean nothing to the reader."""
    return f"{name}: " if name else ""


def _mask(mat: Mapping[str, Any], seg_id: str, notes: list[Unsupported]) -> MaskShape | None:
    shape = str(mat.get("resource_type") or "")
    if shape == "geometric_shape" or shape not in _MASK_SHAPES:
        shape = _SHAPE_BY_NAME.get(str(mat.get("name") or "").strip().lower(),
                                   _SHAPE_BY_RESOURCE.get(str(mat.get("resource_id") or ""), shape))
    if shape not in _MASK_SHAPES | {"heart", "star"}:
        notes.append(Unsupported(seg_id, "mask", f"unknown mask {mat.get('name')!r}: not applied"))
        return None
    cfg = as_map(mat.get("config"))
    return MaskShape(
        shape=shape,  # type: ignore[arg-type]
        center_x=as_float(cfg.get("centerX"), 0.0),
        center_y=as_float(cfg.get("centerY"), 0.0),
        width=as_float(cfg.get("width"), 0.5),
        height=as_float(cfg.get("height"), 0.5),
        rotation=as_float(cfg.get("rotation"), 0.0),
        feather=min(1.0, max(0.0, as_float(cfg.get("feather"), 0.0))),
        round_corner=min(1.0, max(0.0, as_float(cfg.get("roundCorner"), 0.0))),
        invert=bool(cfg.get("invert", False)),
    )


def _transition(mat: Mapping[str, Any], seg_id: str, notes: list[Unsupported]) -> Transition | None:
    name = str(mat.get("name") or "")
    duration = as_int(mat.get("duration"), DEFAULT_DURATION_US)
    if duration <= 0:
        return None
    kind, mapped, label = transition_kind(mat)
    if not mapped:
        notes.append(Unsupported(seg_id, "transition", f"{label!r} approximated as a cross-fade", "approximated"))
    return Transition(name=label or name, duration=duration, kind=kind)


def _chroma(mat: Mapping[str, Any], seg_id: str, notes: list[Unsupported]) -> Chroma | None:
    """A `chromas` material (draft-format.md §5.10: ``color`` ``#rrggbb[aa]``, sliders 0–1), or None when no colour
    was picked; drawn by ``plan/chroma.py`` and reported as approximated either way."""
    raw = str(mat.get("color") or "").strip().lstrip("#")
    color = raw[:6].upper()
    if len(raw) not in (6, 8) or any(c not in "0123456789ABCDEF" for c in color):
        notes.append(Unsupported(seg_id, "chroma key (色度抠图)", f"no usable key colour {mat.get('color')!r}: "
                                                              "not applied"))
        return None
    chroma = Chroma(color, as_float(mat.get("intensity_value"), 0.5), as_float(mat.get("shadow_value"), 0.0))
    notes.append(Unsupported(seg_id, "chroma key (色度抠图)", f"#{color} keyed with ffmpeg colorkey at intensity "
                                                          f"{chroma.intensity:.2f}, shadow {chroma.shadow:.2f}: "
                                                          "approximated (no edge smoothing or spill removal)",
                             "approximated"))
    return chroma


def _background(mat: Mapping[str, Any], seg_id: str, notes: list[Unsupported]) -> Background | None:
    kind = str(mat.get("type") or "")
    if kind == "canvas_blur":
        return Background("blur", blur=max(0.0, as_float(mat.get("blur"), 0.0625)))
    if kind == "canvas_color":
        color = str(mat.get("color") or "")
        return Background("color", color=color) if color else None
    notes.append(Unsupported(seg_id, "background", f"{kind or 'unknown'} background: black used"))
    return None


def _animations(mat: Mapping[str, Any], seg_id: str, notes: list[Unsupported]) -> list[Animation]:
    items = mat.get("animations")
    out: list[Animation] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, Mapping):
            continue
        anim = Animation(name=str(item.get("name") or ""), type=str(item.get("type") or ""),
                         start=max(0, as_int(item.get("start"), 0)),
                         duration=max(0, as_int(item.get("duration"), 0)))
        names = catalog_names(animation_kinds(anim.type), item)
        found, _ = first_match(names, lambda n: n if is_rendered(replace(anim, name=n)) else None)  # noqa: B023
        if found is not None:
            anim = replace(anim, name=found)
        else:
            notes.append(Unsupported(seg_id, "animation", f"{anim.type} {names.label or anim.name!r}: not rendered"))
        out.append(anim)
    return out
