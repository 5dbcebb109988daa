"""Which bundled face stands in for the app font a caption names, and the note that says so.

App fonts are app resources we cannot ship, so a named font is drawn with the
bundled face of its family class (serif, sans, rounded, handwriting, bold
display, mono), looked up by every name the draft gives it in
``data/font_lookalikes.json``. The report names each substitution once, so a
reader knows what the caption will look like instead of "font unsupported".
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from draftcut.draft.catalog import get_catalog
from draftcut.render.text.fonts import face
from draftcut.render.text.parse import utf16_len, utf16_starts

__all__ = ["LookAlike", "char_lookalikes", "lookalike", "lookalike_notes"]

_DATA = Path(__file__).resolve().parent / "data" / "font_lookalikes.json"


@dataclass(frozen=True, slots=True)
class LookAlike:
    font: str  # the app font as the report names it
    family: str  # class key in the table
    face: str  # faces.json key that draws it
    bold: bool  # the class is drawn with the face's bold file (bold display)
    unknown: bool  # no name of the font is in the table: the `unmatched` class

    def note(self) -> str:
        cls = _table()["classes"][self.family]
        why = f"{cls['label']} look-alike"
        if cls.get("nearest"):
            why += ", the nearest bundled face"
        if self.unknown:
            why = f"unknown font, {why}"
        return f"font '{self.font}' drawn as {face(self.face).name}{' Bold' if self.bold else ''} ({why})"


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_DATA.read_text(encoding="utf-8"))
    return data


def lookalike(names: Sequence[str], label: str | None = None) -> LookAlike:
    """The look-alike of a font known by `names` (ids, catalog/material names, file names), first match wins."""
    table = _table()
    fonts = {k.casefold(): v for k, v in table["fonts"].items()}
    keys = [n for n in names if n]
    family = next((fonts[n.casefold()] for n in keys if n.casefold() in fonts), None)
    if family is None:
        family = next((cls for n in keys for word, cls in table["keywords"] if word.casefold() in n.casefold()), None)
    unknown = family is None
    family = family or table["unmatched"]
    cls = table["classes"][family]
    return LookAlike(font=label or (keys[0] if keys else "?"), family=family, face=cls["face"],
                     bold=bool(cls.get("bold")), unknown=unknown)


def char_lookalikes(text: str, raw_styles: Sequence[Mapping[str, Any]],
                    material: Mapping[str, Any]) -> list[LookAlike | None]:
    """Per character, the look-alike of its font; None = the app's default font (the default face).

    The material's font applies to every character; a ``styles[].font`` that
    names one overrides it over the style's UTF-16 range (later styles win,
    a character takes the font of its first unit, as parse.py does for
    styles).
    """
    base = _resolve({"id": _str(material, "font_resource_id") or _str(material, "font_id"),
                     "path": _str(material, "font_path")}, material)
    n16 = utf16_len(text)
    per_unit: list[LookAlike | None] = [base] * n16
    for d in raw_styles:
        font = d.get("font")
        span = _span(d.get("range"), n16)
        if isinstance(font, Mapping) and span is not None:
            look = _resolve(font, material)
            per_unit[span[0]:span[1]] = [look] * (span[1] - span[0])
    return [per_unit[u] if u < n16 else base for u in utf16_starts(text)]


def lookalike_notes(looks: Sequence[LookAlike | None]) -> list[str]:
    """One note per substituted font, in order of first use."""
    return list(dict.fromkeys(look.note() for look in looks if look is not None))


@lru_cache(maxsize=256)
def _catalog_name(resource_id: str) -> str | None:
    entry = get_catalog("fonts").find(resource_id)
    return entry.name if entry is not None and entry.resource_id == resource_id else None


def _resolve(font: Mapping[str, Any], material: Mapping[str, Any]) -> LookAlike | None:
    ident = font.get("id") if isinstance(font.get("id"), str) else ""
    ident = ident.strip() if isinstance(ident, str) else ""
    path = font.get("path") if isinstance(font.get("path"), str) else ""
    file = Path(str(path).replace("\\", "/")).name if path else ""
    file = "" if file.endswith(":") or not file else file  # "D:", "C:": the library's dummy path
    material_ids = {_str(material, "font_resource_id"), _str(material, "font_id")} - {""}
    own = [_str(material, "font_title"), _str(material, "font_name")] if ident and ident in material_ids else []
    if not ident and not file:
        return None
    if not ident and file.casefold() in {f.casefold() for f in _table()["default_fonts"]}:
        return None  # the app's own default font
    catalog = _catalog_name(ident) if ident else None
    names = [n for n in (catalog, *own, Path(file).stem if file else "", ident) if n]
    return lookalike(names, label=names[0])


def _str(material: Mapping[str, Any], key: str) -> str:
    value = material.get(key)
    return value.strip() if isinstance(value, str) else ""


def _span(value: Any, n16: int) -> tuple[int, int] | None:
    """A style's [start, end) in UTF-16 units, clamped; None when malformed or empty (no range = all)."""
    if value is None:
        return (0, n16) if n16 else None
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        return None
    ends = [v if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else None
            for v in value]
    if ends[0] is None or ends[1] is None:
        return None
    start, end = max(0, min(n16, int(ends[0]))), max(0, min(n16, int(ends[1])))
    return (start, end) if end > start else None
