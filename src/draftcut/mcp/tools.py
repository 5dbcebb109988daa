"""Tool specs generated from the app's own OpenAPI document.

One tool per `POST` endpoint under the capcut-mate prefix: its name is the
endpoint's, its input schema the request model's JSON Schema (refs inlined),
its description the route's docstring plus model-oriented notes from
`data/tool_notes.json` (units, conventions, what comes back, one example
call). Nothing here lists endpoints: an endpoint added to the app is a tool
the next time the document is read, with its docstring as description until
someone writes it a note.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from draftcut.config import API_PREFIX
from draftcut.mcp._schema import request_schema, tidy

__all__ = ["PREVIEW_FRAME", "ToolSpec", "describe", "endpoint_operations", "load_notes", "tool_specs"]

PREVIEW_FRAME = "preview_frame"


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    input_schema: dict[str, Any]
    path: str | None
    """The endpoint the tool POSTs its arguments to; None for tools implemented here (preview_frame)."""


@lru_cache(maxsize=1)
def load_notes() -> dict[str, Any]:
    """`data/tool_notes.json`: `_conventions` (server instructions) and per-tool notes, returns, example."""
    text = resources.files("draftcut.mcp").joinpath("data/tool_notes.json").read_text(encoding="utf-8")
    notes: dict[str, Any] = json.loads(text)
    return notes


def takes_json(op: dict[str, Any]) -> bool:
    """Whether a POST operation's body (if any) is JSON: a tool call or a Coze node sends JSON, so an
    upload route (multipart `import_draft`) is not a tool."""
    body = op.get("requestBody")
    return body is None or "application/json" in body.get("content", {})


def endpoint_operations(openapi: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """`{endpoint name: (path, POST operation)}` for every JSON POST endpoint under the capcut-mate prefix."""
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for path, item in openapi.get("paths", {}).items():
        if not path.startswith(API_PREFIX + "/") or "post" not in item or not takes_json(item["post"]):
            continue
        name = path[len(API_PREFIX) + 1:]
        if "/" in name or "{" in name:
            continue
        found[name] = (path, item["post"])
    return found


def _type_label(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def describe(name: str, docstring: str, notes: dict[str, Any]) -> str:
    """The route's docstring, then the note's text, what the answer holds, and an example call."""
    note = notes.get(name) or {}
    parts = [docstring.strip() or name]
    if note.get("notes"):
        parts.append(str(note["notes"]).strip())
    returns = note.get("returns")
    if returns:
        fields = ", ".join(f"{field} ({_type_label(kind)})" for field, kind in returns.items())
        parts.append(f"Returns (besides code and message): {fields}.")
    if "example" in note:
        parts.append("Example arguments: " + json.dumps(note["example"], ensure_ascii=False))
    return "\n\n".join(parts)


def _preview_spec(notes: dict[str, Any]) -> ToolSpec:
    schema = {
        "type": "object",
        "properties": {
            "draft_url": {"type": "string", "description": "the draft's draft_url (or give draft_id)"},
            "draft_id": {"type": "string", "description": "the draft's id (or give draft_url)"},
            "at": {"type": "number", "minimum": 0, "maximum": 86400, "default": 0,
                   "description": "time on the draft's timeline, in seconds (not µs)"},
            "max_width": {"type": "integer", "minimum": 16, "maximum": 16384,
                          "description": "downscale the frame to at most this many pixels wide"},
        },
    }
    doc = "One frame of the draft as a PNG image, rendered as gen_video would draw it."
    return ToolSpec(PREVIEW_FRAME, describe(PREVIEW_FRAME, doc, notes), schema, None)


def tool_specs(openapi: dict[str, Any], notes: dict[str, Any] | None = None) -> list[ToolSpec]:
    """Every endpoint tool, in the document's order, then preview_frame."""
    notes = load_notes() if notes is None else notes
    components = openapi.get("components", {}).get("schemas", {})
    specs = []
    for name, (path, op) in endpoint_operations(openapi).items():
        schema = tidy(request_schema(op, components))
        doc = op.get("description") or op.get("summary") or ""
        specs.append(ToolSpec(name, describe(name, doc, notes), schema, path))
    specs.append(_preview_spec(notes))
    return specs
