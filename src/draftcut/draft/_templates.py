"""Skeleton JSON files, shipped as package data and copied per draft."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from draftcut import _json


@cache
def _load(name: str) -> dict[str, Any]:
    text = resources.files("draftcut.draft").joinpath("data", name).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def _compact(name: str) -> bytes:
    return json.dumps(_load(name), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def template(name: str) -> dict[str, Any]:
    """A fresh deep copy of a packaged skeleton (`draft_content_template.json`, ...)."""
    # Parsing compact JSON is ~10x faster than copy.deepcopy, and every draft starts here.
    data: dict[str, Any] = _json.loads(_compact(name))
    return data
