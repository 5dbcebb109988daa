"""Request models of the text endpoints: add_captions, add_subtitles, add_text_style and the text helpers.

Fields, defaults and ranges follow `capcut-mate-api.md` §3.5, §3.6, §4.1,
§4.3 and §6.6. Where capcut-mate quietly does something else than asked, we
answer with a 400 naming the field instead (its §H):

- a colour that is not hex is refused, not turned into white;
- an animation duration of digits only (``"500000"``) is µs, not 0;
- the per-caption `text_effect` is used, not ignored;
- `keyword_shadow_info` inside `captions` is range-checked like `shadow_info`.

Coze and n8n send ``""`` and ``0`` for optional fields a user left empty, so
those mean "not given" wherever capcut-mate treats them so (names, colours,
sizes), and never a 400.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from draftcut.schemas._fields import (
    MAX_ITEMS,
    DraftUrlRequest,
    Finite,
    Name,
    TimeRange,
    json_list,
    micros,
    optional_json_list,
)

__all__ = [
    "AddCaptionsRequest",
    "AddSubtitlesRequest",
    "AddTextStyleRequest",
    "CaptionInfosRequest",
    "CaptionItem",
    "CaptionStyle",
    "CaptionWord",
    "GetTextAnimationsRequest",
    "GetTextEffectsRequest",
    "ShadowInfo",
    "SrtInfosRequest",
    "hex_color",
    "parse_duration",
]

MAX_TEXT = 5_000
"""Characters per caption: a screenful many times over, and a bound on the layout work per segment."""
MAX_SRT = 4 * 1024 * 1024
"""Characters of SRT text in a request (a feature film's subtitles are ~100 KB)."""
MAX_DURATION_US = 86_400_000_000

_HEX = re.compile(r"#?(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?|\.\d+)\s*(h|ms|us|µs|m|s)", re.IGNORECASE)
_UNIT_US = {"h": 3_600_000_000, "m": 60_000_000, "s": 1_000_000, "ms": 1_000, "us": 1, "µs": 1}


def _blank(value: Any) -> Any:
    """``""`` (and whitespace) is "not given", as form-filling workflow tools send it."""
    return None if isinstance(value, str) and not value.strip() else value


def hex_color(value: Any) -> Any:
    """``#RRGGBB``, ``RRGGBB`` or ``#RGB`` → ``#rrggbb``; blank → None."""
    value = _blank(value)
    if value is None:
        return None
    if not isinstance(value, str) or not _HEX.fullmatch(value.strip()):
        raise ValueError(f"should be a hex colour like #ff7100, not {str(value)[:40]!r}")
    digits = value.strip().lstrip("#").lower()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return f"#{digits}"


def _positive_or_none(value: Any) -> Any:
    """A size: 0, a negative number or blank means "use the default" (capcut-mate ignores them)."""
    value = _blank(value)
    if isinstance(value, bool):
        raise ValueError("should be a number, not a boolean")
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise ValueError(f"should be a number, not {value[:40]!r}") from None
    if isinstance(value, (int, float)) and (not math.isfinite(value) or value <= 0):
        return None
    return value


def parse_duration(value: Any) -> int | None:
    """An animation duration in µs: an integer, or a string such as ``"0.5s"``, ``"1m2s"``, ``"500ms"``.

    A string of digits only is µs (capcut-mate turns it into 0, which drops
    the animation). None and blank mean "the animation's default".
    """
    value = _blank(value)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError("should be µs (an integer) or a duration like '0.5s'")
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d+(?:\.\d+)?", text):
            return int(float(text))
        parts = list(_DURATION_PART.finditer(text))
        if not parts or "".join(p.group(0) for p in parts).replace(" ", "") != text.replace(" ", ""):
            raise ValueError(f"should be µs or a duration like '0.5s' or '1m2s', not {text[:40]!r}")
        return round(sum(float(p.group(1)) * _UNIT_US[p.group(2).lower()] for p in parts))
    result: int = micros(value)
    return result


def _duration(value: Any) -> Any:
    result = parse_duration(value)
    if result is not None and result <= 0:
        return None  # 0 is what form tools send for "not set"
    return result


Color = Annotated[Annotated[str, Field(max_length=7)] | None, BeforeValidator(hex_color), Field(default=None)]
Size = Annotated[Annotated[float, Field(gt=0, le=1000)] | None, BeforeValidator(_positive_or_none),
                 Field(default=None)]
AnimDuration = Annotated[Annotated[int, Field(gt=0, le=60_000_000)] | None, BeforeValidator(_duration),
                         Field(default=None)]
TextName = Annotated[Name, BeforeValidator(_blank)]
Unit = Annotated[Finite, Field(ge=0.0, le=1.0)]
Spacing = Annotated[Annotated[Finite, Field(ge=-100, le=100)] | None, BeforeValidator(_blank), Field(default=None)]


class ShadowInfo(BaseModel):
    """A text shadow; the defaults are capcut-mate's."""

    model_config = ConfigDict(extra="ignore")

    shadow_alpha: Unit = 1.0
    shadow_color: Annotated[str, BeforeValidator(lambda v: hex_color(v) or "#000000")] = "#000000"
    shadow_diffuse: Annotated[Finite, Field(ge=0, le=100)] = 15.0
    shadow_distance: Annotated[Finite, Field(ge=0, le=100)] = 5.0
    shadow_angle: Annotated[Finite, Field(ge=-180, le=180)] = -45.0


class CaptionWord(TimeRange):
    """One spoken word with its time on the draft's timeline (µs), as speech-to-text tools return it."""

    text: Annotated[str, Field(min_length=1, max_length=200)]


class _Animated(BaseModel):
    """In, out and loop animations of a caption (names from get_text_animations)."""

    model_config = ConfigDict(extra="ignore")

    in_animation: TextName = None
    out_animation: TextName = None
    loop_animation: TextName = None
    in_animation_duration: AnimDuration = None
    out_animation_duration: AnimDuration = None
    loop_animation_duration: AnimDuration = None


class _KeywordStyle(BaseModel):
    model_config = ConfigDict(extra="ignore")

    keyword: Annotated[str | None, Field(default=None, max_length=2_000)]
    keyword_color: Color = None
    keyword_border_color: Color = None
    keyword_font: TextName = None
    keyword_font_size: Size = None
    keyword_has_shadow: bool = False
    keyword_shadow_info: ShadowInfo | None = None


class CaptionItem(TimeRange, _Animated, _KeywordStyle):
    """One caption of `add_captions.captions`."""

    text: Annotated[str, Field(max_length=MAX_TEXT)]
    font_size: Size = None
    text_effect: TextName = None
    words: Annotated[list[CaptionWord] | None, Field(default=None, max_length=MAX_ITEMS)]
    highlight_color: Color = None
    transition: TextName = None
    """Written by caption_infos; text segments have no transitions, so it is ignored with a warning."""

    @model_validator(mode="after")
    def _check(self) -> CaptionItem:
        if not self.text.strip():
            raise ValueError("text must not be blank")
        for i, word in enumerate(self.words or []):
            if word.start < self.start or word.end > self.end:
                raise ValueError(f"words[{i}] ({word.start}–{word.end}) lies outside the caption "
                                 f"({self.start}–{self.end})")
        return self


class CaptionStyle(DraftUrlRequest):
    """The caption-wide fields of add_captions (and add_subtitles)."""

    text_color: Annotated[str, BeforeValidator(lambda v: hex_color(v) or "#ffffff")] = "#ffffff"
    border_color: Color = None
    alignment: Annotated[int, Field(ge=0, le=5)] = 1
    alpha: Unit = 1.0
    font: TextName = None
    font_size: Annotated[float, BeforeValidator(lambda v: _positive_or_none(v) or 15), Field(gt=0, le=1000)] = 15
    letter_spacing: Spacing = None
    line_spacing: Spacing = None
    scale_x: Annotated[Finite, Field(gt=0.0, le=100.0)] = 1.0
    scale_y: Annotated[Finite, Field(gt=0.0, le=100.0)] = 1.0
    transform_x: Annotated[Finite, Field(ge=-100_000, le=100_000)] = 0.0
    transform_y: Annotated[Finite, Field(ge=-100_000, le=100_000)] = 0.0
    style_text: bool = False
    """Reserved by capcut-mate and unused there; accepted and ignored."""
    underline: bool = False
    italic: bool = False
    bold: bool = False
    has_shadow: bool = False
    shadow_info: ShadowInfo | None = None
    text_effect: TextName = None
    highlight_color: Color = None
    """Colour of the word being spoken, for captions that carry `words` (default: the keyword colour)."""
    background_color: Color = None
    """A box behind each caption (new; capcut-mate has none): its colour, alpha and corner rounding (0–1)."""
    background_alpha: Unit = 1.0
    background_round_radius: Unit = 0.0


class AddCaptionsRequest(CaptionStyle):
    captions: Annotated[list[CaptionItem], BeforeValidator(json_list), Field(max_length=MAX_ITEMS)]


def _srt_text(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        raise ValueError("is required: SRT text, or an http(s) URL of an SRT file")
    return value


Srt = Annotated[str, BeforeValidator(_srt_text), Field(max_length=MAX_SRT)]


class AddSubtitlesRequest(CaptionStyle, _Animated, _KeywordStyle):
    """add_subtitles: every cue of `srt` becomes a caption; keyword and animation fields apply to each cue."""

    srt: Srt


class SrtInfosRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    srt: Srt


class AddTextStyleRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    text: Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
    keyword: Annotated[str, Field(max_length=2_000)]
    font_size: Annotated[float, BeforeValidator(lambda v: _positive_or_none(v) or 12), Field(gt=0, le=1000)] = 12
    keyword_color: Annotated[str, BeforeValidator(lambda v: hex_color(v) or "#ff7100")] = "#ff7100"
    keyword_font_size: Annotated[float, BeforeValidator(lambda v: _positive_or_none(v) or 15),
                                 Field(gt=0, le=1000)] = 15


def _mode(value: Any) -> Any:
    return 0 if value is None or value == "" else value


Mode = Annotated[int, BeforeValidator(_mode), Field(ge=0, le=2, description="0 all, 1 VIP only, 2 free only")]


class GetTextAnimationsRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    mode: Mode = 0
    type: Annotated[Literal["in", "out", "loop"] | None, BeforeValidator(_blank)] = None


class GetTextEffectsRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    mode: Mode = 0


class CaptionInfosRequest(_Animated):
    """caption_infos: texts and timelines zipped into `add_captions.captions` items."""

    texts: Annotated[list[Annotated[str, Field(max_length=MAX_TEXT)]], BeforeValidator(json_list),
                     Field(max_length=MAX_ITEMS)]
    timelines: Annotated[list[TimeRange], BeforeValidator(json_list), Field(max_length=MAX_ITEMS)]
    font_size: Size = None
    keyword_color: Color = None
    keyword_border_color: Color = None
    keyword_font: TextName = None
    keyword_font_size: Size = None
    keyword_has_shadow: bool | None = None
    keyword_shadow_info: ShadowInfo | None = None
    keywords: Annotated[list[Annotated[str, Field(max_length=2_000)]] | None,
                        BeforeValidator(optional_json_list)] = None
    transition: TextName = None
    transition_duration: Annotated[int | None, BeforeValidator(_duration)] = None
