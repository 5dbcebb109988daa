"""JSON Schema plumbing shared by the MCP tools and the Coze plugin file.

Both start from the app's own OpenAPI document, whose request schemas are the
pydantic request models (`Model.model_json_schema()`, refs pointing into
`components/schemas`). Tool and plugin consumers read each operation on its
own, so the refs are inlined: a model (or Coze's parameter editor) sees the
whole shape of `video_infos` in the tool itself instead of a pointer it may
not follow. Titles are dropped: pydantic's "Draft Url" says nothing the
property name does not, and every tool is sent to the model on every turn.
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["VALUE_KEYWORDS", "inline_refs", "request_schema", "tidy"]

VALUE_KEYWORDS = frozenset({"default", "examples", "example", "const", "enum"})
"""Keywords whose value is data, not a schema: never rewritten."""


def _resolve(ref: str, components: dict[str, Any]) -> dict[str, Any]:
    prefix = "#/components/schemas/"
    if not ref.startswith(prefix):
        raise ValueError(f"unsupported $ref {ref!r}")
    target: dict[str, Any] = components[ref[len(prefix):]]
    return target


def inline_refs(schema: Any, components: dict[str, Any], _chain: tuple[str, ...] = ()) -> Any:
    """`schema` with every `$ref` into `components` replaced by a copy of its target.

    A recursive model (a ref met again inside itself) cannot be inlined; it is
    an error here, so a future recursive schema is noticed at once, not sent
    half-resolved.
    """
    if isinstance(schema, list):
        return [inline_refs(item, components, _chain) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    ref = schema.get("$ref")
    if isinstance(ref, str):
        if ref in _chain:
            raise ValueError(f"recursive schema {ref}: cannot inline")
        out.update(inline_refs(_resolve(ref, components), components, (*_chain, ref)))
    for key, value in schema.items():
        if key == "$ref":
            continue
        out[key] = copy.deepcopy(value) if key in VALUE_KEYWORDS else inline_refs(value, components, _chain)
    return out


_BOUNDS = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum"}
"""pydantic writes a constraint it cannot place on the type (one on a type wrapped in a
`BeforeValidator`, e.g. `font_size`) under its own name; these are their JSON Schema keywords."""


def tidy(schema: Any) -> Any:
    """`schema` without `title` keywords (a property *named* `title` is kept), pydantic's leaked bounds fixed."""
    if isinstance(schema, list):
        return [tidy(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "title":
            continue
        if key in VALUE_KEYWORDS:
            out[key] = value
        elif key in ("properties", "patternProperties", "$defs", "definitions"):
            out[key] = {name: tidy(sub) for name, sub in value.items()}
        elif key in _BOUNDS and isinstance(value, int | float) and not isinstance(value, bool):
            out.setdefault(_BOUNDS[key], value)
        else:
            out[key] = tidy(value)
    return out


def request_schema(operation: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """The JSON body schema of an OpenAPI operation, refs inlined, as an object schema.

    Endpoints whose body may be left out (`req: Model | None = None`) have
    `anyOf: [Model, null]`; sending `{}` gives the model's defaults, so the
    object branch is the schema. An operation with no body takes `{}`.
    """
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is None:
        return {"type": "object", "properties": {}}
    if "anyOf" in schema:
        branches = [b for b in schema["anyOf"] if b.get("type") != "null"]
        if len(branches) == 1:
            schema = branches[0]
    resolved: dict[str, Any] = inline_refs(schema, components)
    if resolved.get("type") != "object":
        raise ValueError(f"{operation.get('operationId')}: request body is not an object schema")
    return resolved
