"""Skeleton JSON files, shipped as package data and copied per draft."""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def _load(name: str) -> dict[str, Any]:
    text = resources.files("draftcut.draft").joinpath("data", name).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def template(name: str) -> dict[str, Any]:
    """A fresh deep copy of a packaged skeleton (`draft_content_template.json`, ...)."""
    return copy.deepcopy(_load(name))
