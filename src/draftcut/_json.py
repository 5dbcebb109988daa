"""Compact JSON for the draft JSON that every edit reads and writes.

Each edit loads and dumps the whole timeline; orjson does that about ten
times faster than the standard library, which is most of an edit's CPU.
The output matches `json.dumps(..., ensure_ascii=False, separators=(",", ":"))`.
"""

from __future__ import annotations

from typing import Any

import orjson

__all__ = ["dumps", "dumps_text", "loads"]

loads = orjson.loads


def dumps(data: Any) -> bytes:
    return orjson.dumps(data)


def dumps_text(data: Any) -> str:
    return orjson.dumps(data).decode("utf-8")
