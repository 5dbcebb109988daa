"""The files of a draft folder, as the desktop apps and capcut-mate's clients expect them.

`folder_files` is pure (JSON bytes by relative path); `write_folder` lays a
folder out on disk for the renderer or a local hand-off.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from draftcut import _json
from draftcut.draft._templates import template
from draftcut.draft.app_fill import fill_app_defaults
from draftcut.draft.profiles import get_profile

__all__ = ["DRAFT_PATH_PLACEHOLDER", "JSON_FILES", "asset_relpath", "folder_file", "folder_files", "folder_rest",
           "is_safe_relpath", "placeholder_rest", "portable_path", "write_folder"]

DRAFT_PATH_PLACEHOLDER = "##_draftpath_placeholder_0E685133-18CE-45ED-8CB8-2904A212EC80_##"
"""The apps' token for "this draft's folder" in material paths (draft-format.md §5.1): a folder that
carries its media and says so opens on any machine, and on sandboxed macOS, without rewriting."""
_PLACEHOLDER = re.compile(r"^##_draftpath_placeholder_[0-9A-Za-z-]+_##(?:/+|$)")

JSON_FILES = (
    # draft_content.json first: the desktop client copies draft_info.json from it
    # when it already has it, and downloads files in this order.
    "draft_content.json",
    "draft_info.json",
    "draft_meta_info.json",
    "draft_agency_config.json",
    "attachment_pc_common.json",
    "template.tmp",
)

_SUBDIR = {"video": "videos", "photo": "images", "image": "images", "audio": "audios"}


def asset_relpath(kind: str, sha256: str, ext: str) -> str:
    """Content-addressed name inside the draft: the same clip used twice is one file."""
    return f"assets/{_SUBDIR[kind]}/{sha256[:24]}{ext}"


def is_safe_relpath(relpath: str) -> bool:
    path = PurePosixPath(relpath)
    return bool(relpath) and not path.is_absolute() and ".." not in path.parts and "\\" not in relpath \
        and all(part not in ("", ".") for part in relpath.split("/"))


def placeholder_rest(path: str) -> str | None:
    """What follows the placeholder token (any GUID, as app drafts vary) in `path`, or None without one."""
    slashed = path.replace("\\", "/")
    match = _PLACEHOLDER.match(slashed)
    return slashed[match.end():] if match else None


def folder_rest(path: str, draft_id: str) -> str | None:
    """The part of a material path inside draft `draft_id`'s folder, for the two forms that point there:
    the placeholder, and any path through ``/<draft_id>/`` (the server form ``/app/output/draft/<id>/...``,
    and capcut-mate's). None for any other path. Not checked for safety: callers do that."""
    rest = placeholder_rest(path)
    if rest is not None:
        return rest
    slashed = path.replace("\\", "/")
    marker = f"/{draft_id}/"
    idx = slashed.find(marker)
    return None if idx < 0 else slashed[idx + len(marker):]


def portable_path(path: str, draft_id: str) -> str:
    """`path` in the placeholder form when it points into the draft's own folder, else unchanged."""
    rest = folder_rest(path, draft_id)
    return path if rest is None else f"{DRAFT_PATH_PLACEHOLDER}/{rest}"


def _portable_paths(node: Any, draft_id: str) -> None:
    """Every `path` under `materials`, at any depth, in the placeholder form (as capcut-mate's client
    rewrites every `path` there)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "path" and isinstance(value, str):
                node[key] = portable_path(value, draft_id)
            else:
                _portable_paths(value, draft_id)
    elif isinstance(node, list):
        for item in node:
            _portable_paths(item, draft_id)


def _timeline(draft_id: str, content_json: bytes, meta: Mapping[str, Any], portable: bool) -> bytes:
    """The stored timeline as the folder holds it: with the app's defaults (`app_fill.py`), and, for a
    folder that travels as a whole, with portable media paths.

    An imported draft is left as the app wrote it: it has that app version's own key set, and adding
    another version's keys to it is not ours to do.
    """
    if meta.get("imported") and not portable:
        return content_json
    content = _json.loads(content_json)
    if not meta.get("imported"):
        fill_app_defaults(content)
    if portable:
        _portable_paths(content.get("materials"), draft_id)
    return _json.dumps(content)


def _meta(draft_id: str, meta: Mapping[str, Any], content: Mapping[str, Any],
          assets: Mapping[str, Any]) -> dict[str, Any]:
    info = template("draft_meta_info_template.json")
    info.update({
        "draft_id": meta.get("meta_id", ""),
        # The folder name: the app and capcut-mate's exporter look drafts up by it.
        "draft_name": draft_id,
        "tm_duration": int(content.get("duration", 0)),
        "tm_draft_create": int(meta.get("created_us", 0)),
        "tm_draft_modified": int(meta.get("modified_us", 0)),
    })
    # macOS Jianying shows "媒体丢失" unless every media file is in the type-0 media bin.
    media_bin = next(m for m in info["draft_materials"] if m["type"] == 0)
    for relpath, entry in assets.items():
        media_bin["value"].append({
            "ai_group_type": "", "create_time": int(meta.get("created_us", 0)) // 1_000_000,
            "duration": entry.get("duration_us", 0), "enter_from": 0,
            "extra_info": relpath.rsplit("/", 1)[-1],
            # Folder-relative always: capcut-mate's client rewrites material paths but not this file,
            # and the app resolves the placeholder wherever the folder lands.
            "file_Path": f"{DRAFT_PATH_PLACEHOLDER}/{relpath}",
            "height": entry.get("height", 0), "width": entry.get("width", 0), "id": entry.get("id", ""),
            "import_time": int(meta.get("created_us", 0)) // 1_000_000, "import_time_ms": -1,
            "item_source": 1, "md5": "", "metetype": entry.get("metetype", "none"),
            "roughcut_time_range": {"duration": -1, "start": -1}, "sub_time_range": {"duration": -1, "start": -1},
            "type": 0,
        })
    return info


def _skeleton(meta: Mapping[str, Any]) -> dict[str, Any]:
    """The app's empty-draft skeleton (canvas 0×0), stamped with the draft's app."""
    skeleton = template("draft_content_template.json")
    skeleton.update(get_profile(meta.get("app")).platform_fields())
    skeleton["canvas_config"] = {"width": 0, "height": 0, "ratio": "original"}
    return skeleton


Builder = Callable[[str, bytes, Mapping[str, Any], Mapping[str, Any], bool], bytes]

_BUILDERS: dict[str, Builder] = {
    "draft_content.json": lambda draft_id, content, meta, _a, portable: _timeline(draft_id, content, meta, portable),
    "draft_info.json": lambda draft_id, content, meta, _a, portable: _timeline(draft_id, content, meta, portable),
    "draft_meta_info.json": lambda draft_id, content, meta, assets, portable: _json.dumps(
        _meta(draft_id, meta, _json.loads(content), assets)),
    "draft_agency_config.json": lambda *_: _json.dumps(
        {"marterials": None, "use_converter": False, "video_resolution": 720}),
    "attachment_pc_common.json": lambda *_: _json.dumps(
        {"pc_feature_flag": 0, "template_item_infos": [], "unlock_template_ids": []}),
    "template.tmp": lambda _id, _c, meta, _a, _p: _json.dumps(_skeleton(meta)),
}


def folder_file(name: str, draft_id: str, content_json: bytes, meta: Mapping[str, Any],
                assets: Mapping[str, Any], *, portable: bool = False) -> bytes:
    """One JSON file of the folder (`name` from JSON_FILES), built alone: clients fetch them one by one.

    `portable` writes media paths in the placeholder form, for a folder that travels as a whole (the
    zip export); without it they keep the server form capcut-mate's client and render host rewrite.
    """
    return _BUILDERS[name](draft_id, content_json, meta, assets, portable)


def folder_files(draft_id: str, content_json: bytes, meta: Mapping[str, Any],
                 assets: Mapping[str, Any], *, portable: bool = False) -> dict[str, bytes]:
    """Every JSON file of the folder. `assets` maps relpath → media entry (path, size, kind...).

    `draft_info.json` is the same timeline as `draft_content.json`: built once, not parsed and filled twice.
    """
    files = {name: folder_file(name, draft_id, content_json, meta, assets, portable=portable)
             for name in JSON_FILES if name != "draft_info.json"}
    files["draft_info.json"] = files["draft_content.json"]
    return {name: files[name] for name in JSON_FILES}


def write_folder(dest: Path, files: Mapping[str, bytes], assets: Mapping[str, Any],
                 open_asset: Callable[[str], Path]) -> Path:
    """Lay the folder out under `dest`; media are hard-linked from the blob store when possible."""
    dest.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (dest / name).write_bytes(data)
    for relpath, entry in assets.items():
        if not is_safe_relpath(relpath):
            continue
        target = dest / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        src = open_asset(entry["blob_key"])
        if target.exists():
            continue
        try:
            os.link(src, target)
        except OSError:
            shutil.copyfile(src, target)
    return dest
