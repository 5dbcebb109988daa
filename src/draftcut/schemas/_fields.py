"""Field types and parsers shared by every request model.

capcut-mate takes its arrays as JSON-encoded strings (`"video_infos": "[{...}]"`)
because Coze plugins pass strings; callers that send real JSON arrays are
accepted too. Times are integer microseconds; numeric strings are accepted.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

import orjson
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from draftcut.draft.profiles import DEFAULT_APP, app_names, resolve_app

__all__ = ["MAX_ITEMS", "AnimDuration", "AppName", "Dimension", "DraftUrlRequest", "Finite", "Micros", "Name",
           "OptMicros", "TimeRange", "TransitionMicros", "Url", "http_url", "json_list", "micros", "optional_json_list"]
MAX_ITEMS = 500
"""Items per `*_infos` array (and `scene_timelines`): more is refused before any item is validated."""


def json_list(value: Any) -> Any:
    """A JSON array, or a string holding one (capcut-mate's form), of at most `MAX_ITEMS` items.

    The count is checked here, before pydantic validates each item: a list of
    700k items would otherwise cost seconds of validation, and as many errors,
    only to be refused for its length at the end. The string is parsed by
    orjson, as the request body is: it is several times faster than the
    standard library on the large strings a body may carry (the parse holds
    the GIL, so even in a worker thread it stalls the event loop), it refuses
    NaN, Infinity and integers beyond 64 bits as the body parser does, and its
    depth limit makes deep nesting a parse error instead of a RecursionError.
    """
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise ValueError("is required (a JSON array, or a string holding one)")
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise ValueError(f"JSON parse error: {exc.msg} at position {exc.pos}") from None
    if not isinstance(value, list):
        raise ValueError("should be a JSON array")
    if not value:
        raise ValueError("should contain at least one item")
    if len(value) > MAX_ITEMS:
        raise ValueError(f"should have at most {MAX_ITEMS} items, not {len(value)}")
    return value


_NUMBER = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)")


def micros(value: Any) -> Any:
    """capcut-mate truncates float times with int(); bools are not times.

    Numeric strings are accepted as capcut-mate's callers send them; one too
    large for a float (309+ digits) is out of range, not an overflow crash.
    """
    if isinstance(value, bool):
        raise ValueError("should be a number of microseconds, not a boolean")
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        value = float(value)
        if not math.isfinite(value):
            raise ValueError("is out of range")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("should be a finite number")
        return int(value)
    return value


def http_url(value: Any) -> Any:
    if isinstance(value, str) and not value.strip().lower().startswith(("http://", "https://")):
        raise ValueError("should be an http:// or https:// URL")
    return value.strip() if isinstance(value, str) else value


# Constraints sit on the inner `int`, so that an explicit null (allowed: it means "not given")
# never meets them, and the OpenAPI schema carries them as minimum/maximum of the integer branch.
Micros = Annotated[int, Field(ge=0, le=86_400_000_000), BeforeValidator(micros)]
OptMicros = Annotated[Annotated[int, Field(gt=0, le=86_400_000_000)] | None, BeforeValidator(micros),
                      Field(default=None)]
Url = Annotated[str, BeforeValidator(http_url), Field(max_length=4096)]
Name = Annotated[str | None, Field(default=None, max_length=200)]
Dimension = Annotated[Annotated[int, Field(gt=0, le=16384)] | None, BeforeValidator(micros), Field(default=None)]
TransitionMicros = Annotated[Annotated[int, Field(ge=100_000, le=2_500_000)] | None, BeforeValidator(micros),
                             Field(default=None)]
AnimDuration = Annotated[Annotated[int, Field(gt=0, le=60_000_000)] | None, BeforeValidator(micros),
                         Field(default=None)]
Finite = Annotated[float, Field(allow_inf_nan=False)]


def optional_json_list(value: Any) -> Any:
    if value is None or value == "" or value == []:
        return None
    return json_list(value)


class DraftUrlRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    draft_url: Annotated[str, Field(max_length=4096)]




class TimeRange(BaseModel):
    """Anything placed on the timeline: ``start`` and ``end`` in µs, end after start."""

    model_config = ConfigDict(extra="ignore")

    start: Micros
    end: Micros

    @model_validator(mode="after")
    def _end_after_start(self) -> TimeRange:
        if self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be greater than start ({self.start})")
        return self


def _app_name(value: object) -> object:
    """``CapCut``, ``cc``, ``剪映``... → the profile name; "" or null (Coze's unset) → the default."""
    if value is None:
        return DEFAULT_APP
    if isinstance(value, str):
        name = resolve_app(value)
        if name is None:
            raise ValueError(f"unknown app {value[:40]!r}; expected one of: {', '.join(app_names())}")
        return name
    return value


AppName = Annotated[Literal["jianying", "capcut"], BeforeValidator(_app_name)]
"""The app a draft is written for (`draft/profiles.py`)."""
