"""Tolerant readers for draft JSON values: a wrong type falls back, never raises.

Drafts come from many app versions and tools; a field of an unexpected type
must not stop a render (unknown or odd fields are ignored).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = ["as_float", "as_int", "as_map", "timerange"]


def as_float(value: Any, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return default
    try:
        out = float(value)
    except ValueError:
        return default
    return out if math.isfinite(out) else default


def as_int(value: Any, default: int) -> int:
    out = as_float(value, math.nan)
    return default if math.isnan(out) else int(round(out))


def as_map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def timerange(value: Any) -> tuple[int, int] | None:
    """``(start, duration)`` in µs from a ``{"start", "duration"}`` object, or None."""
    if not isinstance(value, Mapping):
        return None
    start, duration = as_int(value.get("start"), -1), as_int(value.get("duration"), -1)
    if start < 0 or duration < 0:
        return None
    return start, duration
