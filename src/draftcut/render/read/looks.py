"""Filter and video-effect materials → `Look` values, from the data tables (pure; no ffmpeg).

The app's filters and effects are LUT and shader resources we do not have.
``data/filters.json`` and ``data/effects.json`` read a name as a *family*
(black & white, warm, blur, vignette, shake…) whose ffmpeg recipe
``plan/fx.py`` builds; a name matching no family is reported as not rendered.
Every look that is drawn is also reported, as approximated, so a caller can
tell the output is not the app's picture. A material is matched by its id
first, then by its name in any catalog language (``read/catalog_ids.py``), so a
localised name reads as the family of the catalog entry its id designates.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from draftcut.render.model.timeline import Look
from draftcut.render.read.catalog_ids import EFFECT_KINDS, FILTER_KINDS, catalog_names, first_match
from draftcut.render.read.values import as_float

__all__ = ["EFFECTS", "FILTERS", "Family", "effect_look", "filter_look", "step_value"]


@dataclass(frozen=True, slots=True)
class Family:
    key: str
    label: str
    steps: tuple[Mapping[str, Any], ...]
    strength_params: tuple[str, ...] = ()
    default_strength: float = 1.0


class _Table:
    """One data file: families, exact names and ordered keyword rules."""

    def __init__(self, filename: str) -> None:
        text = (resources.files("draftcut.render") / "data" / filename).read_text(encoding="utf-8")
        doc: dict[str, Any] = json.loads(text)
        self.families = {
            key: Family(key, str(fam["label"]), tuple(fam["steps"]), tuple(fam.get("strength", ())),
                        float(fam.get("default", 1.0)))
            for key, fam in doc["families"].items()}
        self.names = {_key(name): family for name, family in doc["names"].items()}
        self.rules = [(re.compile(pattern, re.IGNORECASE), family) for pattern, family in doc["keywords"]]
        for family in [*self.names.values(), *(f for _, f in self.rules)]:
            if family not in self.families:
                raise ValueError(f"{filename}: unknown family {family!r}")

    def match(self, name: str) -> Family | None:
        key = _key(name)
        if not key:
            return None
        family = self.names.get(key)
        if family is None:
            family = next((f for pattern, f in self.rules if pattern.search(key)), None)
        return self.families[family] if family is not None else None


def _key(name: str) -> str:
    return "".join(name.split()).lower()


FILTERS = _Table("filters.json")
EFFECTS = _Table("effects.json")


def step_value(value: Any, amount: float) -> float:
    """A step parameter: a number, or ``[a, b]`` moved `amount` (0–1) of the way from a to b."""
    if isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2:
        a, b = float(value[0]), float(value[1])
        return a + (b - a) * amount
    return float(value)


def _family(table: _Table, kinds: tuple[str, ...], mat: Mapping[str, Any]) -> tuple[Family | None, str]:
    """The material's family (by id, then by name) and the name the report gives it."""
    names = catalog_names(kinds, mat)
    family, _ = first_match(names, table.match)
    label = names.label or str(mat.get("effect_id") or mat.get("resource_id") or mat.get("id") or "?")
    return family, label


def filter_look(mat: Mapping[str, Any]) -> tuple[Look | None, str]:
    """A ``type: "filter"`` material → its look (None when no family matches) and the note to report."""
    intensity = min(1.0, max(0.0, as_float(mat.get("value"), 1.0)))
    family, name = _family(FILTERS, FILTER_KINDS, mat)
    if family is None:
        return None, f"{name}: not rendered (no approximation for this filter)"
    return (Look("filter", name, family.key, intensity),
            f"{name}: approximated as {family.label} at intensity {intensity:.2f}")


def effect_look(mat: Mapping[str, Any]) -> tuple[Look | None, str]:
    """A ``video_effects`` material → its look (None when not drawable) and the note to report."""
    family, name = _family(EFFECTS, EFFECT_KINDS, mat)
    if str(mat.get("type") or "") == "face_effect":
        return None, f"{name}: character effect, not rendered"
    if family is None:
        return None, f"{name}: not rendered (no approximation for this effect)"
    params = _params(mat.get("adjust_params"))
    strength = next((params[p] for p in family.strength_params if p in params), family.default_strength)
    speed = params.get("effects_adjust_speed", 0.5)
    return (Look("effect", name, family.key, min(1.0, max(0.0, strength)), min(1.0, max(0.0, speed))),
            f"{name}: approximated as {family.label}")


def _params(raw: Any) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, Mapping) and isinstance(item.get("name"), str):
            out[item["name"]] = as_float(item.get("value"), as_float(item.get("default_value"), 0.5))
    return out
