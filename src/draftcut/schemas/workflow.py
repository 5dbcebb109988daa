"""Request models of the workflow helpers: catalogs, sticker search, timelines and the `*_infos` builders.

Fields and defaults follow `capcut-mate-api.md` §4.2, §4.4–§4.6 and
§6.1–§6.11. These endpoints touch no draft: Coze and n8n workflows call them
to build the JSON strings the `add_*` endpoints take. Where capcut-mate
quietly does something else than asked, or crashes, we answer with a 400
naming the field instead (its §H):

- `mode` outside 0..2 is a 400 (1001) for the image animations too (§H.20);
- `timelines` takes `start` and `type` as optional, defaulting to 0, as its
  `openapi.yaml` says (§H.16), and bounds `num`;
- `keyframes_infos` refuses unequal `offsets`/`values` counts and non-numbers
  with a 400 naming the field, not a 9998 (§H.8).

Values an `add_*` endpoint would refuse (a volume over its range, a
transition duration outside 0.1–2.5 s) are refused here already, naming the
field the caller actually wrote, rather than an item of the string built from
it. Coze sends ``""`` and ``0`` for optional fields left empty; for names,
sizes and durations those mean "not given".
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)

from draftcut.draft.catalog import CatalogKind
from draftcut.schemas._fields import (
    MAX_ITEMS,
    AppName,
    Finite,
    Micros,
    TimeRange,
    Url,
    json_list,
    micros,
    optional_json_list,
)
from draftcut.schemas.edits import KEYFRAME_PROPERTIES
from draftcut.schemas.text import GetTextAnimationsRequest, GetTextEffectsRequest, parse_duration

__all__ = [
    "MAX_KEYFRAME_POINTS",
    "MAX_TIMELINES",
    "AudioInfosRequest",
    "AudioTimelinesRequest",
    "CatalogQueryKind",
    "CatalogRequest",
    "EffectInfosRequest",
    "FilterInfosRequest",
    "GetAudioDurationRequest",
    "GetEffectsRequest",
    "GetFiltersRequest",
    "GetImageAnimationsRequest",
    "GetUrlRequest",
    "ImgsInfosRequest",
    "KeyframesInfosRequest",
    "ObjsToStrListRequest",
    "OutputItem",
    "SearchStickerRequest",
    "SegmentInfo",
    "StrListToObjsRequest",
    "StrToListRequest",
    "TimelinesRequest",
    "VideoInfosRequest",
]

MAX_TIMELINES = 10_000
"""Pieces one `timelines` call may cut: more than any edit uses, and one request cannot allocate millions."""
MAX_KEYFRAME_POINTS = 100
"""Offsets (and values) per `keyframes_infos` call: a keyframe every percent of the segment."""
MAX_STRING = 100_000
"""Characters of a free-form string in the adapters (`get_url`, `str_to_list`, …)."""


def _blank(value: Any) -> Any:
    """``""`` (and whitespace) is "not given", as form-filling workflow tools send it."""
    return None if isinstance(value, str) and not value.strip() else value


def _unset(value: Any) -> Any:
    """Blank, ``0`` and ``"0"`` are "not given" for sizes and durations (Coze's empty number fields)."""
    value = _blank(value)
    if value is None or isinstance(value, bool):
        return value
    if value == 0 or (isinstance(value, str) and value.strip() in ("0", "0.0")):
        return None
    return value


def _anim_duration(value: Any) -> Any:
    """µs, or a duration such as ``"0.5s"`` (as add_captions takes it); the JSON gets µs."""
    value = _unset(value)
    return None if value is None else parse_duration(value)


def _list_or_empty(value: Any) -> Any:
    """Like `json_list`, but an empty array is a valid (empty) input, as capcut-mate takes it."""
    if value == [] or (isinstance(value, str) and value.strip() == "[]"):
        return []
    return json_list(value)


def _zero_if_unset(value: Any) -> Any:
    """``null`` or ``""`` → 0: `start` and `type` of `timelines` are optional with default 0."""
    return 0 if value is None or (isinstance(value, str) and not value.strip()) else value


def _split_type(value: Any) -> Any:
    """``"equal"``/``"random"`` as capcut-mate's English docs write them (§H.31), or any integer."""
    value = _zero_if_unset(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in ("equal", "average"):
            return 0
        if word == "random":
            return 1
    return value


def _pipe_list(value: Any) -> Any:
    """``"0|50|100"`` → ``["0", "50", "100"]`` (each then validated as a number); a JSON array also works.

    The count is checked before the items are, so a huge string is refused
    before any of its pieces is parsed.
    """
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise ValueError("is required: numbers separated by |, e.g. '0|50|100'")
        if text.startswith("["):
            value = json_list(text)
        else:
            value = [part.strip() for part in text.split("|")]
            for i, part in enumerate(value):
                if not part:
                    raise ValueError(f"item {i} is empty; write numbers separated by |, e.g. '0|50|100'")
    if isinstance(value, list) and len(value) > MAX_KEYFRAME_POINTS:
        raise ValueError(f"should have at most {MAX_KEYFRAME_POINTS} items, not {len(value)}")
    return value


def _clamp_percent(value: float) -> float:
    """capcut-mate clamps each intensity to 0..100 rather than refusing it; so do we (150 → 100, -3 → 0)."""
    return min(100.0, max(0.0, value))


def _catalog_kind(value: Any) -> Any:
    """Kinds compare without case, and with ``-`` or a space for ``_`` (``Text-Animations`` works)."""
    if isinstance(value, str):
        return "_".join(value.strip().lower().replace("-", " ").split())
    return value


Text = Annotated[str, Field(max_length=4096)]
"""A URL or name as the `add_*` item will carry it (checked there; capcut-mate's own examples use ``u1``)."""
Title = Annotated[str, Field(min_length=1, max_length=200)]
OptName = Annotated[Annotated[str, Field(max_length=200)] | None, BeforeValidator(_blank), Field(default=None)]
NameList = Annotated[Annotated[str, Field(max_length=4000)] | None, BeforeValidator(_blank), Field(default=None)]
"""One name, or several separated by ``|`` (imgs_infos' rule: the i-th image gets the i-th name, the last repeats)."""
Dim = Annotated[Annotated[int, Field(gt=0, le=16384)] | None, BeforeValidator(micros), BeforeValidator(_unset),
                Field(default=None)]
AnimMicros = Annotated[Annotated[int, Field(gt=0, le=60_000_000)] | None, BeforeValidator(_anim_duration),
                       Field(default=None)]
TransitionMicros = Annotated[Annotated[int, Field(ge=100_000, le=2_500_000)] | None, BeforeValidator(micros),
                             BeforeValidator(_unset), Field(default=None)]
Timelines = Annotated[list[TimeRange], BeforeValidator(json_list), Field(max_length=MAX_ITEMS)]
Texts = Annotated[list[Text], BeforeValidator(json_list), Field(max_length=MAX_ITEMS)]

_PIPE_SCHEMA = {"type": "string", "description": "numbers separated by |, e.g. '0|50|100' (a JSON array works too)"}


class GetImageAnimationsRequest(GetTextAnimationsRequest):
    """`mode` (0 all, 1 VIP, 2 free) and `type` (in/out/loop, or all three), as for the text animations."""


class GetFiltersRequest(GetTextEffectsRequest):
    """`mode`: 0 all, 1 VIP only, 2 free only."""


class GetEffectsRequest(GetTextEffectsRequest):
    """`mode`: 0 all, 1 VIP only, 2 free only."""


class SearchStickerRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    keyword: Annotated[str, Field(max_length=200)]


class GetAudioDurationRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    mp3_url: Url


class TimelinesRequest(BaseModel):
    """Cut `duration` µs from `start` into `num` pieces: equally (`type` 0) or at random cut points."""

    model_config = ConfigDict(extra="ignore")

    duration: Micros
    num: Annotated[int, Field(le=MAX_TIMELINES, description="pieces; 0 or less gives an empty list")]
    start: Annotated[Micros, BeforeValidator(_zero_if_unset)] = 0
    type: Annotated[int, BeforeValidator(_split_type),
                    Field(description="0 (or 'equal'): equal pieces; any other value (or 'random'): random")] = 0


class AudioTimelinesRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    links: Annotated[list[Url], BeforeValidator(_list_or_empty), Field(max_length=MAX_ITEMS)]


class AudioInfosRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    mp3_urls: Texts
    timelines: Timelines
    audio_effect: OptName = None
    volume: Annotated[Annotated[Finite, Field(ge=0.0, le=2.0)] | None, BeforeValidator(_blank),
                      Field(default=None, description="0–2, add_audios' range")] = None


class ImgsInfosRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    imgs: Texts
    timelines: Timelines
    height: Dim = None
    width: Dim = None
    in_animation: NameList = None
    loop_animation: NameList = None
    out_animation: NameList = None
    transition: NameList = None
    in_animation_duration: AnimMicros = None
    loop_animation_duration: AnimMicros = None
    out_animation_duration: AnimMicros = None
    transition_duration: TransitionMicros = None


class EffectInfosRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    effects: Annotated[list[Title], BeforeValidator(json_list), Field(max_length=MAX_ITEMS)]
    timelines: Timelines


class FilterInfosRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    filters: Annotated[list[Title], BeforeValidator(json_list), Field(max_length=MAX_ITEMS)]
    timelines: Timelines
    intensities: Annotated[Annotated[list[Annotated[Finite, AfterValidator(_clamp_percent)]],
                                     Field(max_length=MAX_ITEMS)] | None,
                           BeforeValidator(optional_json_list),
                           Field(default=None, description="0–100 each; values outside are clamped")] = None


class SegmentInfo(TimeRange):
    """A segment as add_videos/add_images return it in `segment_infos`."""

    id: Annotated[str, Field(min_length=1, max_length=64)]


class KeyframesInfosRequest(BaseModel):
    """One keyframe per segment per (offset, value) pair; see `draft.workflow.keyframes_infos`."""

    model_config = ConfigDict(extra="ignore")

    ctype: Literal[KEYFRAME_PROPERTIES]  # type: ignore[valid-type]
    offsets: Annotated[list[Annotated[Finite, Field(ge=0, le=100)]], BeforeValidator(_pipe_list),
                       WithJsonSchema(_PIPE_SCHEMA), Field(description="percentages of each segment, 0–100")]
    values: Annotated[list[Annotated[Finite, Field(ge=-1_000_000, le=1_000_000)]], BeforeValidator(_pipe_list),
                      WithJsonSchema(_PIPE_SCHEMA), Field(description="one value per offset")]
    segment_infos: Annotated[list[SegmentInfo], BeforeValidator(json_list), Field(max_length=MAX_ITEMS)]
    height: Dim = None
    width: Dim = None

    @field_validator("values")
    @classmethod
    def _one_value_per_offset(cls, values: list[float], info: ValidationInfo) -> list[float]:
        """Checked on `values`, so the 400 names the field (capcut-mate answers 9998, its §H.8)."""
        offsets = info.data.get("offsets")
        if offsets is not None and len(offsets) != len(values):
            raise ValueError(f"has {len(values)} values but offsets has {len(offsets)}; give one value per offset")
        return values


class VideoInfosRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    video_urls: Texts
    timelines: Timelines
    height: Dim = None
    width: Dim = None
    mask: OptName = None
    transition: OptName = None
    transition_duration: TransitionMicros = None
    volume: Annotated[Finite, Field(ge=0.0, le=10.0)] | None = 1.0
    """Default 1.0, as in capcut-mate; an explicit null leaves it out of the items."""


class GetUrlRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    output: Annotated[str, Field(max_length=MAX_STRING)]


class StrToListRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    obj: Annotated[str, Field(max_length=MAX_STRING)]


class StrListToObjsRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    infos: Annotated[list[Annotated[str, Field(max_length=MAX_STRING)]], BeforeValidator(_list_or_empty),
                     Field(max_length=MAX_ITEMS)]


class OutputItem(BaseModel):
    model_config = ConfigDict(extra="ignore")

    output: Annotated[str, Field(max_length=MAX_STRING)]


class ObjsToStrListRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    outputs: Annotated[list[OutputItem], BeforeValidator(_list_or_empty), Field(max_length=MAX_ITEMS)]


CatalogQueryKind = Literal[CatalogKind, "text_animations", "image_animations", "video_animations", "effects",
                           "audio_effects"]
"""Every catalog, plus groups agents ask for by what they are for (see `draft.lookups.CATALOG_GROUPS`)."""


class CatalogRequest(BaseModel):
    """One page of a catalog, optionally searched; see `draft.lookups.list_catalog`."""

    model_config = ConfigDict(extra="ignore")

    kind: Annotated[CatalogQueryKind, BeforeValidator(_catalog_kind)]
    query: Annotated[Annotated[str, Field(max_length=100)] | None, BeforeValidator(_blank),
                     Field(description="Chinese name, English alias or pinyin (full or initials); "
                                       "exact matches first, then prefixes, then substrings")] = None
    page: Annotated[int, Field(ge=1, le=100_000)] = 1
    page_size: Annotated[int, Field(ge=1, le=500)] = 50
    vip: Annotated[bool | None, Field(description="true: VIP items only; false: free items only")] = None
    app: Annotated[AppName, Field(
        description="whose catalog: jianying (剪映, default) or capcut (CapCut's English names; "
                    "kinds CapCut has no list of are Jianying's)")] = "jianying"
