"""`draftcut coze-openapi`: the OpenAPI file that imports this server into Coze as a plugin.

capcut-mate ships such a file (`openapi.yaml`) with its own server URL in it;
users had to edit it. This one is generated from the app's own OpenAPI
document, so it lists every endpoint the server has (new ones included) with
the server's URL, in the shape capcut-mate's file has and Coze accepts:

- OpenAPI 3.0.1, `servers: [{url: <server>/openapi/capcut-mate/v1}]`, one
  path per endpoint (`/add_videos`), `operationId` = endpoint name, a summary
  and a description on each operation (Coze requires both);
- schemas inlined per operation (Coze's parameter editor reads each tool on
  its own) and written in 3.0's dialect: `nullable` instead of a null branch,
  one type per field, boolean `exclusiveMinimum`;
- the fields capcut-mate types as JSON strings (`video_infos`, `captions`, ...)
  typed `string`, so existing Coze workflows keep passing strings (the server
  takes arrays too);
- response schemas with `code`, `message` and the fields each endpoint
  answers with (from `mcp/data/tool_notes.json`), so workflows can wire them.

Endpoints that answer something other than JSON (`preview`, a PNG) are left
out: a Coze tool's output must be JSON.
"""

from __future__ import annotations

import copy
import importlib
import json
from pathlib import Path
from typing import Any

from draftcut import __version__
from draftcut.config import API_PREFIX
from draftcut.mcp._schema import VALUE_KEYWORDS, inline_refs, request_schema, tidy
from draftcut.mcp.tools import load_notes, takes_json

__all__ = ["JSON_STRING_FIELDS", "coze_openapi", "write_coze_openapi"]

JSON_STRING_FIELDS = frozenset({"video_infos", "audio_infos", "image_infos", "captions", "effect_infos",
                                "filter_infos", "keyframes"})
"""Request fields capcut-mate's plugin file types as a JSON string (a Coze workflow passes a string)."""

_SCHEMA_30 = frozenset({
    "title", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength",
    "pattern", "maxItems", "minItems", "uniqueItems", "maxProperties", "minProperties", "required", "enum", "type",
    "allOf", "oneOf", "anyOf", "not", "items", "properties", "additionalProperties", "description", "format",
    "default", "nullable", "readOnly", "writeOnly", "example", "deprecated"})
"""The keywords an OpenAPI 3.0 Schema Object may have (besides `x-` extensions)."""

_TYPE_PREFERENCE = ("string", "number", "integer", "boolean", "object", "array")
"""When a field takes several types (e.g. µs or '0.5s'), Coze gets one: the one that can carry every form."""


def _to_30(schema: Any) -> Any:
    """A JSON Schema 2020-12 (pydantic, OpenAPI 3.1) schema rewritten in OpenAPI 3.0's dialect."""
    if isinstance(schema, list):
        return [_to_30(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in VALUE_KEYWORDS:
            out[key] = copy.deepcopy(value)
        elif key in ("properties", "patternProperties"):
            out[key] = {name: _to_30(sub) for name, sub in value.items()}
        else:
            out[key] = _to_30(value)
    for union in ("anyOf", "oneOf"):
        if union in out:
            branches = out.pop(union)
            real = [b for b in branches if b.get("type") != "null"]
            if len(real) < len(branches):
                out["nullable"] = True
            rank = {t: i for i, t in enumerate(_TYPE_PREFERENCE)}
            real.sort(key=lambda b: rank.get(b.get("type", ""), len(rank)))
            if real:
                out = {**real[0], **out}
    if isinstance(out.get("type"), list):
        types = [t for t in out["type"] if t != "null"]
        if len(types) < len(out["type"]):
            out["nullable"] = True
        out["type"] = min(types, key=_TYPE_PREFERENCE.index) if types else "string"
    for bound, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(out.get(bound), int | float) and not isinstance(out.get(bound), bool):
            out[plain] = out[bound]
            out[bound] = True
    if "const" in out:
        out["enum"] = [out.pop("const")]
    if "examples" in out:
        examples = out.pop("examples")
        if examples:
            out["example"] = examples[0]
    if out.get("default", 0) is None:
        del out["default"]
    return {k: v for k, v in out.items() if k in _SCHEMA_30 or k.startswith("x-")}


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return json.dumps(value, ensure_ascii=False) if isinstance(value, bool | str) or value is None else str(value)


def _describe_field(name: str, schema: dict[str, Any]) -> str:
    """A description for a field that has none (Coze asks for one per parameter)."""
    parts = []
    if "minimum" in schema or "maximum" in schema:
        parts.append(f"{_show(schema.get('minimum', ''))}–{_show(schema.get('maximum', ''))}")
    if "default" in schema:
        parts.append(f"default {_show(schema['default'])}")
    if "enum" in schema:
        parts.append("one of " + ", ".join(map(_show, schema["enum"])))
    label = name.replace("_", " ")
    return f"{label} ({'; '.join(parts)})" if parts else label


def _json_string_field(schema: dict[str, Any]) -> dict[str, Any]:
    """An array-of-objects field as capcut-mate types it: a string holding the JSON array."""
    items = schema.get("items", {})
    required = set(items.get("required", []))
    fields = ", ".join(f"{k}{' (required)' if k in required else ''}" for k in items.get("properties", {}))
    text = f"JSON array as a string, e.g. [{{...}}]; each item's fields: {fields}" if fields else "JSON array string"
    own = schema.get("description")
    return {"type": "string", "description": f"{own} ({text})" if own else text}


def _with_descriptions(schema: dict[str, Any]) -> dict[str, Any]:
    for name, sub in schema.get("properties", {}).items():
        sub.setdefault("description", _describe_field(name, sub))
        if sub.get("type") == "object":
            _with_descriptions(sub)
        if sub.get("type") == "array" and sub.get("items", {}).get("type") == "object":
            _with_descriptions(sub["items"])
    return schema


def _body(op: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    schema = _to_30(tidy(request_schema(op, components)))
    for name, sub in schema.get("properties", {}).items():
        if name in JSON_STRING_FIELDS and sub.get("type") == "array":
            schema["properties"][name] = _json_string_field(sub)
    return _with_descriptions(schema)


def _type_schema(label: Any) -> dict[str, Any]:
    if isinstance(label, dict):
        return label
    text = str(label)
    if text.startswith("array<") and text.endswith(">"):
        return {"type": "array", "items": _type_schema(text[6:-1])}
    return {"type": text}


def _response(name: str, notes: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {
        "code": {"type": "integer", "description": "0 on success; an error code otherwise"},
        "message": {"type": "string", "description": "成功 / Success, or the error message"},
    }
    for field, label in (notes.get(name) or {}).get("returns", {}).items():
        props[field] = {**_type_schema(label), "description": field.replace("_", " ")}
    return {"200": {"description": "capcut-mate's envelope: code, message and the data fields",
                    "content": {"application/json": {"schema": {"type": "object", "properties": props}}}}}


def _texts(name: str, op: dict[str, Any], notes: dict[str, Any]) -> tuple[str, str]:
    doc = (op.get("description") or op.get("summary") or name).strip()
    summary = doc.splitlines()[0].strip()
    note = (notes.get(name) or {}).get("notes")
    return summary, f"{doc}\n\n{note}" if note else doc


def _json_get(op: dict[str, Any]) -> bool:
    return "application/json" in op.get("responses", {}).get("200", {}).get("content", {})


def coze_openapi(openapi: dict[str, Any], server_url: str) -> dict[str, Any]:
    """The Coze plugin document for the app whose OpenAPI document is `openapi`, served at `server_url`."""
    notes = load_notes()
    components = openapi.get("components", {}).get("schemas", {})
    paths: dict[str, Any] = {}
    for path, item in openapi.get("paths", {}).items():
        name = path[len(API_PREFIX) + 1:]
        if not path.startswith(API_PREFIX + "/") or "/" in name or "{" in name:
            continue
        for method in ("post", "get"):
            op = item.get(method)
            if op is None or (method == "get" and not _json_get(op)) or (method == "post" and not takes_json(op)):
                continue
            summary, description = _texts(name, op, notes)
            out: dict[str, Any] = {"operationId": name, "summary": summary, "description": description,
                                   "responses": _response(name, notes)}
            if method == "post":
                out["requestBody"] = {"required": True,
                                      "content": {"application/json": {"schema": _body(op, components)}}}
            elif op.get("parameters"):
                params = inline_refs(op["parameters"], components)
                for param in params:
                    param["schema"] = _to_30(tidy(param.get("schema", {})))
                    param.setdefault("description", _describe_field(param["name"], param["schema"]))
                out["parameters"] = params
            paths[f"/{name}"] = {method: out}
            break
    return {
        "openapi": "3.0.1",
        "info": {"title": "draftcut", "version": __version__,
                 "description": "Build Jianying/CapCut (剪映) drafts and render them to MP4; "
                                "a drop-in for capcut-mate's plugin. Times in µs."},
        "servers": [{"url": server_url.rstrip("/") + API_PREFIX}],
        "paths": paths,
    }


def write_coze_openapi(server_url: str, output: Path) -> None:
    """Build the app (no server started) and write its Coze plugin file as YAML."""
    # PyYAML comes with uvicorn[standard]; imported by name so its missing type stubs do not matter.
    yaml: Any = importlib.import_module("yaml")

    from draftcut.api.app import create_app
    from draftcut.config import Settings

    app = create_app(Settings())
    doc = coze_openapi(app.openapi(), server_url)
    output.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")
