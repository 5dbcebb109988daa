"""Skeleton JSON files, shipped as package data and copied per draft."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from draftcut import _json


@cache
def _raw(name: str) -> bytes:
    return resources.files("draftcut.draft").joinpath("data", name).read_bytes()


def template(name: str) -> dict[str, Any]:
    """A fresh deep copy of a packaged skeleton (`draft_content_template.json`, ...)."""
    # Parsing the file's bytes again is ~10x faster than copy.deepcopy, and every draft starts here.
    data: dict[str, Any] = _json.loads(_raw(name))
    return data
