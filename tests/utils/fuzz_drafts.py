"""Point half of the fuzzer's generated requests at a real draft, so they get past the draft look-up.

A schema carries no real `draft_url`, so without this every generated edit
stops at "draft not found" and the handlers behind it are never fuzzed. Every
other case keeps the invented URL, so the look-up's own error paths stay
covered. gen_video keeps its invented URL always: a fuzzed draft may hold
hours of timeline, and rendering it would only load the machine.
"""

from __future__ import annotations

import itertools
from typing import Any

__all__ = ["RealDraft"]

_SKIPPED = ("/gen_video",)


class RealDraft:
    """Substitutes `draft_url` in alternate request bodies that have one."""

    def __init__(self, draft_url: str) -> None:
        self.draft_url = draft_url
        self._turn = itertools.count()
        self.used = 0

    def apply(self, case: Any) -> None:
        body = case.body
        if not isinstance(body, dict) or "draft_url" not in body:
            return
        if case.operation.path.endswith(_SKIPPED) or next(self._turn) % 2:
            return
        body["draft_url"] = self.draft_url
        self.used += 1
