"""The app's own index of drafts (`root_meta_info.json`, draft-format.md §1.5) and whether the app runs.

Without an entry the app still finds a new folder, but often only after a
restart; with one it lists the draft at once. The index belongs to the app, so
it is edited conservatively: other entries are loaded and dumped unchanged, an
index we cannot parse is left alone, and the file is replaced in one step.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path, PurePath
from typing import Any

__all__ = ["INDEX_NAME", "IndexUnreadable", "id_taken", "index_entry", "load_index", "local", "register",
           "running_apps", "upsert", "write_index"]

INDEX_NAME = "root_meta_info.json"

# Process names per OS → app. Jianying's macOS binary is called VideoFusion-macOS.
_PROCESSES = {
    "windows": {"JianyingPro.exe": "jianying", "CapCut.exe": "capcut"},
    "macos": {"VideoFusion-macOS": "jianying", "JianyingPro": "jianying", "CapCut": "capcut"},
}

Runner = Callable[[list[str]], "subprocess.CompletedProcess[str]"]


class IndexUnreadable(Exception):
    """root_meta_info.json exists but is not the shape we know: we must not overwrite it."""


def load_index(path: Path) -> dict[str, Any] | None:
    """The parsed index, None when there is none yet; IndexUnreadable when it is not one we understand."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise IndexUnreadable(f"cannot read {path}: {exc}") from exc
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise IndexUnreadable(f"{path} is not JSON ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("all_draft_store", []), list):
        raise IndexUnreadable(f"{path} is not a drafts index (no all_draft_store list)")
    return data


def index_entry(*, folder: PurePath, root: PurePath, os_name: str, meta: Mapping[str, Any], content: Mapping[str, Any],
                materials_size: int, now_us: int | None = None) -> dict[str, Any]:
    """The entry the app writes for a draft, with the fields it reads; macOS opens draft_info.json."""
    now = now_us if now_us is not None else int(time.time() * 1_000_000)
    json_file = "draft_info.json" if os_name == "macos" else "draft_content.json"
    return {
        "draft_cover": local(folder / "draft_cover.jpg"),
        "draft_fold_path": local(folder),
        "draft_id": str(meta.get("draft_id") or ""),
        "draft_json_file": local(folder / json_file),
        "draft_name": folder.name,
        "draft_new_version": str(content.get("new_version") or meta.get("draft_new_version") or ""),
        "draft_root_path": local(root),
        "draft_timeline_materials_size": int(materials_size),
        "draft_is_ai_shorts": False,
        "draft_is_invisible": False,
        "draft_is_cloud_temp_draft": False,
        "draft_is_web_article_video": False,
        "draft_type": "",
        "streaming_edit_draft_ready": True,
        "tm_draft_create": _int(meta.get("tm_draft_create")) or now,
        "tm_draft_modified": _int(meta.get("tm_draft_modified")) or now,
        "tm_draft_removed": 0,
        "tm_duration": _int(content.get("duration")) or _int(meta.get("tm_duration")),
    }


def local(path: PurePath) -> str:
    """A path as the app writes it in its JSON: forward slashes, `C:/Users/...` on Windows."""
    return path.as_posix()


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _same_draft(entry: Any, new: Mapping[str, Any]) -> bool:
    if not isinstance(entry, dict):
        return False
    fold = str(entry.get("draft_fold_path") or "").replace("\\", "/").rstrip("/")
    return fold == new["draft_fold_path"].rstrip("/") or (
        not fold and entry.get("draft_name") == new["draft_name"])


def upsert(index: Mapping[str, Any] | None, entry: Mapping[str, Any], root: Path) -> dict[str, Any]:
    """A new index with `entry` added, or replacing the entry of the same folder; other entries as they were."""
    result: dict[str, Any] = dict(index) if index is not None else {"all_draft_store": [], "draft_ids": 0,
                                                                    "root_path": local(root)}
    store = list(result.get("all_draft_store") or [])
    positions = [i for i, old in enumerate(store) if _same_draft(old, entry)]
    if positions:
        store[positions[0]] = dict(entry)
        store = [old for i, old in enumerate(store) if i not in positions[1:]]
    else:
        store.append(dict(entry))
        # A counter the app bumps as drafts are added; keep it moving the same way.
        result["draft_ids"] = _int(result.get("draft_ids")) + 1
    result["all_draft_store"] = store
    result.setdefault("root_path", local(root))
    return result


def write_index(path: Path, index: Mapping[str, Any]) -> None:
    """Replace the file in one step: the app (or a crash) never sees half an index."""
    data = json.dumps(index, ensure_ascii=False).encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=".root_meta_info.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file private (0600); the index keeps the mode it had, or an ordinary one.
        if path.exists():
            shutil.copymode(path, tmp)
        else:
            os.chmod(tmp, 0o644)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def register(root: Path, entry: Mapping[str, Any]) -> None:
    """Add or replace `entry` in `<root>/root_meta_info.json` (IndexUnreadable: left untouched)."""
    path = root / INDEX_NAME
    write_index(path, upsert(load_index(path), entry, root))


def id_taken(index: Mapping[str, Any] | None, draft_id: str, folder: Path) -> bool:
    """Another folder's entry has this draft_id (capcut-mate gives every draft its template's id)."""
    if index is None or not draft_id:
        return False
    mine = {"draft_fold_path": local(folder), "draft_name": folder.name}
    return any(isinstance(e, dict) and e.get("draft_id") == draft_id and not _same_draft(e, mine)
               for e in index.get("all_draft_store") or [])


def _run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=10, check=False)


def running_apps(os_name: str, runner: Runner = _run) -> set[str]:
    """Which of Jianying / CapCut run now (`tasklist` on Windows, `pgrep -x` on macOS).

    A probe that is missing or fails means "don't know", never an error: the
    answer only decides whether to print a warning.
    """
    names = _PROCESSES.get(os_name, {})
    found: set[str] = set()
    try:
        if os_name == "windows":
            out = runner(["tasklist", "/FO", "CSV", "/NH"]).stdout or ""
            listed = {line.split(",", 1)[0].strip().strip('"').lower() for line in out.splitlines()}
            found = {app for name, app in names.items() if name.lower() in listed}
        elif os_name == "macos":
            found = {app for name, app in names.items() if runner(["pgrep", "-x", name]).returncode == 0}
    except (OSError, subprocess.SubprocessError, ValueError):
        return set()
    return found
