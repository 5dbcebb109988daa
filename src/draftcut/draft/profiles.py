"""App profiles: what a draft carries for the app it is written for (Jianying or CapCut).

The two desktop apps read the same format but identify themselves
differently (`platform.app_id`/`app_source`) and ship different effect
catalogs (CapCut's names are English and some resources exist in one app
only). A draft remembers its profile in its metadata, so every later edit
resolves names against that app's catalogs. The facts are data
(``draft/data/app_profiles.json``); this module only reads them.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

__all__ = ["DEFAULT_APP", "AppProfile", "app_names", "get_profile", "profile_for_source", "resolve_app"]

DEFAULT_APP = "jianying"


@dataclass(frozen=True, slots=True)
class AppProfile:
    name: str
    display_name: str
    platform: dict[str, Any]
    new_version: str
    catalogs: str
    """Which catalog set names resolve against: ``jianying`` or ``capcut``."""
    aliases: tuple[str, ...]
    targets: str

    def platform_fields(self) -> dict[str, Any]:
        """The draft's `platform` and `last_modified_platform` (fresh copies) and `new_version`."""
        return {"platform": dict(self.platform), "last_modified_platform": dict(self.platform),
                "new_version": self.new_version}


@functools.cache
def _profiles() -> dict[str, AppProfile]:
    raw = json.loads((resources.files("draftcut.draft") / "data" / "app_profiles.json").read_text("utf-8"))
    return {name: AppProfile(name=name, display_name=p["display_name"], platform=p["platform"],
                             new_version=p["new_version"], catalogs=p["catalogs"], aliases=tuple(p["aliases"]),
                             targets=p["targets"])
            for name, p in raw["profiles"].items()}


def app_names() -> tuple[str, ...]:
    return tuple(_profiles())


def get_profile(name: str | None) -> AppProfile:
    """The profile called `name` (a canonical name); drafts without one are Jianying drafts."""
    return _profiles()[name or DEFAULT_APP]


def resolve_app(value: str) -> str | None:
    """The canonical profile name for what a caller wrote (``CapCut``, ``cc``, ``剪映``), or None."""
    key = value.strip().casefold().replace(" ", "").replace("-", "_")
    if not key:
        return DEFAULT_APP
    for profile in _profiles().values():
        if key == profile.name or key in profile.aliases:
            return profile.name
    return None


def profile_for_source(platform: Any) -> str:
    """The profile of an app-made draft, from its `platform.app_source` (``lv`` Jianying, ``cc`` CapCut)."""
    source = platform.get("app_source") if isinstance(platform, dict) else None
    for profile in _profiles().values():
        if source == profile.platform["app_source"]:
            return profile.name
    return DEFAULT_APP
