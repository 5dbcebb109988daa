"""`draftcut pull`: download a draft from a draftcut or capcut-mate server into the app's drafts folder.

The same job capcut-mate's Electron client does, as one cross-platform command:
GET the draft URL (it *is* the get_draft call), download every listed file,
rewrite material paths to this machine, move the folder into the drafts root
and list it in the app's index.

Order matters for the user's drafts folder: everything is built in a hidden
staging folder next to the drafts (same disk, so the final move is a rename),
and only a finished draft appears under its own name. A failed run leaves the
staging folder so the next run resumes (HTTP Range on `*.part` files).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import httpx

from draftcut.handoff.app_index import (
    INDEX_NAME,
    IndexUnreadable,
    id_taken,
    index_entry,
    load_index,
    register,
    running_apps,
)
from draftcut.handoff.drafts_root import find_drafts_root, host_os
from draftcut.handoff.localize import (
    HandoffError,
    RemoteMedia,
    draft_id_from_url,
    dumps,
    file_relpath,
    localize_content,
    localize_meta,
    material_paths,
    media_relpath,
    remote_media,
)

__all__ = ["PullRequest", "clean", "pull", "run_cli"]

CONTENT, INFO, META = "draft_content.json", "draft_info.json", "draft_meta_info.json"
_TRANSIENT = {408, 425, 429, 500, 502, 503, 504}
_MAX_DOCUMENT = 64 * 1024 * 1024
"""JSON files are held in memory to be rewritten; nothing a draft needs comes close."""
_USER_AGENT = "draftcut-pull/1"
_DOCUMENTS = (".json", ".tmp")
"""Held in memory, always fetched whole (servers regenerate them), rewritten when they hold materials."""


@dataclass
class PullRequest:
    """What the user asked for; `env` and `os_name` are parameters so tests can lay out a fake home."""

    draft_url: str
    to: Path | None = None
    app: str | None = None
    os_name: str = field(default_factory=host_os)
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    retries: int = 4
    quiet: bool = False
    api_key: str | None = None


class _Transient(Exception):
    """A failure worth another try (connection dropped, 503...); `wait` honours Retry-After."""

    def __init__(self, message: str, wait: float | None = None) -> None:
        super().__init__(message)
        self.wait = wait


# -- progress -----------------------------------------------------------------


class Progress:
    """Bytes done / total on one line of stderr, redrawn in place; only a final line when not a terminal."""

    def __init__(self, stream: TextIO, label: str, *, live: bool, enabled: bool) -> None:
        self.stream = stream
        self.label = label
        self.live = live and enabled
        self.enabled = enabled
        self.sizes: dict[str, int | None] = {}
        self.done: dict[str, int] = {}
        self.finished: set[str] = set()
        self._last_draw = 0.0
        self._width = 0

    def expect(self, key: str, size: int | None) -> None:
        if self.sizes.get(key) is None:
            self.sizes[key] = size
        self.done.setdefault(key, 0)

    def at(self, key: str, nbytes: int, size: int | None = None) -> None:
        if size is not None:
            self.sizes[key] = size
        self.done[key] = nbytes
        self.draw()

    def complete(self, key: str) -> None:
        self.finished.add(key)
        if self.sizes.get(key) is None:
            self.sizes[key] = self.done.get(key, 0)
        self.draw(force=True)

    @property
    def bytes_done(self) -> int:
        return sum(self.done.values())

    def _line(self) -> str:
        done = self.bytes_done
        files = f"{len(self.finished)}/{len(self.sizes)} files"
        if self.sizes and all(s is not None for s in self.sizes.values()):
            total = sum(s or 0 for s in self.sizes.values())
            frac = min(1.0, done / total) if total else 1.0
            bar = "#" * int(frac * 24)
            return f"{self.label} [{bar:<24}] {frac:4.0%} {_amount(done, total)}, {files}"
        return f"{self.label} {_amount(done)}, {files}"

    def draw(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not self.live or (not force and now - self._last_draw < 0.1):
            return
        self._last_draw = now
        line = self._line()
        self.stream.write("\r" + line + " " * max(0, self._width - len(line)))
        self.stream.flush()
        self._width = len(line)

    def clear(self) -> None:
        """End the live line so a message printed next starts on its own line."""
        if self.live and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0

    def say(self, message: str) -> None:
        """A line that survives --quiet: warnings."""
        self.clear()
        self.stream.write(message + "\n")
        self.stream.flush()

    def info(self, message: str) -> None:
        if self.enabled:
            self.say(message)


def _amount(done: int, total: int | None = None) -> str:
    """`1.2/5.0 MB` (or kB for small drafts), in the unit of the total."""
    scale = max(done, total or 0)
    unit, div = ("MB", 1_000_000) if scale >= 1_000_000 else ("kB", 1_000)
    shown = f"{done / div:.1f}" + (f"/{total / div:.1f}" if total is not None else "")
    return f"{shown} {unit}"


# -- HTTP ---------------------------------------------------------------------


def _retry_after(resp: httpx.Response) -> float | None:
    value = resp.headers.get("retry-after", "")
    return min(float(value), 30.0) if value.isdigit() else None


class _Fetcher:
    """GETs with a few retries and back-off; files stream to `*.part` and resume with Range."""

    def __init__(self, client: httpx.Client, progress: Progress, retries: int,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.client = client
        self.progress = progress
        self.retries = max(0, retries)
        self.sleep = sleep

    def _retrying(self, what: str, action: Callable[[], Any]) -> Any:
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                wait = last.wait if isinstance(last, _Transient) and last.wait is not None else None
                self.sleep(wait if wait is not None else min(8.0, 0.5 * 2 ** (attempt - 1)))
            try:
                return action()
            except _Transient as exc:
                last = exc
            except httpx.TransportError as exc:
                last = _Transient(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
        tries = self.retries + 1
        raise HandoffError(f"{what}: {last} (gave up after {tries} tr{'y' if tries == 1 else 'ies'}; "
                           "run the same command again to resume)")

    def document(self, url: str, *, any_status: bool = False) -> tuple[int, bytes]:
        """A small file in memory (JSON). Non-2xx answers raise unless `any_status` (get_draft's errors)."""
        def once() -> tuple[int, bytes]:
            with self.client.stream("GET", url) as resp:
                if resp.status_code in _TRANSIENT:
                    raise _Transient(f"HTTP {resp.status_code}", _retry_after(resp))
                if resp.status_code != 200 and not any_status:
                    raise HandoffError(f"HTTP {resp.status_code} for {url}")
                body = bytearray()
                for chunk in resp.iter_bytes():
                    body += chunk
                    if len(body) > _MAX_DOCUMENT:
                        raise HandoffError(f"{url} is over {_MAX_DOCUMENT // 1_000_000} MB; not a draft file")
                return resp.status_code, bytes(body)
        result: tuple[int, bytes] = self._retrying(f"could not download {url}", once)
        return result

    def head(self, url: str) -> tuple[int | None, str | None]:
        """Size and Content-Type, for the progress total and names; None when the server will not say."""
        try:
            resp = self.client.head(url, headers={"Accept-Encoding": "identity"})
        except httpx.HTTPError:
            return None, None
        if resp.status_code != 200:
            return None, None
        length = resp.headers.get("content-length", "")
        return (int(length) if length.isdigit() else None), resp.headers.get("content-type")

    def file(self, url: str, dest: Path, key: str) -> int:
        """Download `url` to `dest` through `dest.part`, resuming what an earlier try or run left."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        part = dest.with_name(dest.name + ".part")
        validator = dest.with_name(dest.name + ".part.meta")
        if dest.exists() and not part.exists():
            # Finished by a run that failed later: one Range request past its end confirms it (416).
            dest.replace(part)
        size: int = self._retrying(f"could not download {url}", lambda: self._file_once(url, part, validator, key))
        part.replace(dest)
        validator.unlink(missing_ok=True)
        self.progress.complete(key)
        return size

    def _file_once(self, url: str, part: Path, validator: Path, key: str) -> int:
        offset = part.stat().st_size if part.exists() else 0
        headers = {"Accept-Encoding": "identity"}
        if offset:
            headers["Range"] = f"bytes={offset}-"
            if validator.exists():
                # The server sends the whole file (200) instead of a range if it changed since.
                headers["If-Range"] = validator.read_text(encoding="utf-8").strip()
        with self.client.stream("GET", url, headers=headers) as resp:
            status = resp.status_code
            if status == 416 and offset:
                total = _range_total(resp.headers.get("content-range"))
                if total is None or total == offset:
                    self.progress.at(key, offset, offset)
                    return offset
                part.unlink()
                raise _Transient("local copy is larger than the server's file; starting it again", 0.0)
            if status in _TRANSIENT:
                raise _Transient(f"HTTP {status}", _retry_after(resp))
            if status == 206:
                start, total = _content_range(resp.headers.get("content-range"))
                if start != offset:
                    part.unlink(missing_ok=True)
                    raise _Transient("server answered another range; starting the file again", 0.0)
                mode = "ab"
            elif status == 200:
                offset, mode = 0, "wb"
                length = resp.headers.get("content-length", "")
                total = int(length) if length.isdigit() else None
            else:
                raise HandoffError(f"HTTP {status} for {url}")
            _save_validator(validator, resp.headers)
            written = offset
            self.progress.at(key, written, total)
            with open(part, mode) as fh:
                for chunk in resp.iter_bytes():  # as received: a chunker would lose its buffer on a drop
                    fh.write(chunk)
                    written += len(chunk)
                    self.progress.at(key, written)
        if total is not None and written != total:
            raise _Transient(f"connection ended after {written} of {total} bytes")
        return written


def _save_validator(path: Path, headers: httpx.Headers) -> None:
    """Remember what identifies this version of the file, for If-Range on the next try."""
    etag = headers.get("etag", "")
    value = etag if etag and not etag.startswith("W/") else headers.get("last-modified", "")
    if value:
        path.write_text(value, encoding="utf-8")
    else:
        path.unlink(missing_ok=True)


def _range_total(header: str | None) -> int | None:
    match = re.fullmatch(r"\s*bytes\s+(?:\*|\d+-\d+)/(\d+)\s*", header or "")
    return int(match.group(1)) if match else None


def _content_range(header: str | None) -> tuple[int | None, int | None]:
    match = re.fullmatch(r"\s*bytes\s+(\d+)-\d+/(\d+|\*)\s*", header or "")
    if not match:
        return None, None
    return int(match.group(1)), (int(match.group(2)) if match.group(2).isdigit() else None)


# -- the file list ------------------------------------------------------------


def _file_list(fetcher: _Fetcher, draft_url: str, draft_id: str) -> dict[str, str]:
    """relpath → URL from get_draft, every entry checked (host, path) before anything is written."""
    status, body = fetcher.document(draft_url, any_status=True)
    try:
        answer = json.loads(body)
    except ValueError:
        raise HandoffError(f"HTTP {status} from {draft_url}: not a get_draft answer (not JSON)") from None
    if not isinstance(answer, dict) or "code" not in answer:
        raise HandoffError(f"HTTP {status} from {draft_url}: not a get_draft answer (no code)")
    if answer["code"] != 0:
        detail = answer.get("detail")
        message = f"{answer.get('message', '')}" + (f" ({detail})" if detail else "")
        hint = "; this server wants an API key: pass --api-key" if status == 401 else ""
        raise HandoffError(f"server refused the draft (HTTP {status}, code {answer['code']}): {message}{hint}")
    files = answer.get("files")
    if status != 200 or not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise HandoffError(f"HTTP {status} from {draft_url}: no file list in the answer")
    if not files:
        raise HandoffError(f"the server lists no files for draft {draft_id}")
    listed: dict[str, str] = {}
    for url in files:
        listed.setdefault(file_relpath(url, draft_url, draft_id), url)
    if CONTENT not in listed and INFO not in listed:
        raise HandoffError(f"not a draft: the server lists no {CONTENT} for draft {draft_id}")
    return listed


def _parse(name: str, data: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise HandoffError(f"{name} from the server is not JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise HandoffError(f"{name} from the server is not a JSON object")
    return doc


# -- the folder ---------------------------------------------------------------


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _prune(staging: Path, keep: set[str]) -> None:
    """Drop what an earlier run left that this version of the draft does not have."""
    for path in sorted(staging.rglob("*"), reverse=True):
        rel = path.relative_to(staging).as_posix()
        if path.is_dir() and not path.is_symlink():
            if not any(path.iterdir()):
                path.rmdir()
        elif rel not in keep:
            path.unlink()


def _place(staging: Path, folder: Path) -> None:
    """Rename the finished staging folder to the draft's name; an older copy is swapped out, then deleted."""
    backup = folder.with_name(f".draftcut-old-{folder.name}")
    try:
        if backup.exists():
            if folder.exists():
                shutil.rmtree(backup)
            else:  # a run stopped between the two renames: put the old draft back first
                backup.rename(folder)
        if not folder.exists():
            staging.rename(folder)
            return
        folder.rename(backup)
        try:
            staging.rename(folder)
        except OSError:
            backup.rename(folder)
            raise
    except OSError as exc:
        raise HandoffError(f"could not move the draft into {folder} ({exc}); if the draft is open in the app, "
                           "close it and run again") from None
    shutil.rmtree(backup, ignore_errors=True)


# -- the command ----------------------------------------------------------------


def _root(req: PullRequest) -> tuple[Path, str | None]:
    if req.to is not None:
        if not req.to.is_dir():
            raise HandoffError(f"--to {req.to} is not a folder")
        return Path(os.path.abspath(req.to)), req.app
    found = find_drafts_root(req.os_name, req.env, req.app)
    return Path(os.path.abspath(found.path)), found.app


def _client(req: PullRequest, *, auth: bool) -> httpx.Client:
    headers = {"User-Agent": _USER_AGENT}
    if auth and req.api_key:
        headers["Authorization"] = f"Bearer {req.api_key}"
    return httpx.Client(headers=headers, follow_redirects=True, timeout=httpx.Timeout(60.0, connect=15.0))


def _staging(root: Path, draft_id: str) -> Path:
    return root / f".draftcut-pull-{draft_id}"


@contextmanager
def _progress(req: PullRequest, stream: TextIO, draft_id: str) -> Iterator[Progress]:
    progress = Progress(stream, f"draft {draft_id}", live=stream.isatty(), enabled=not req.quiet)
    try:
        yield progress
    finally:
        progress.clear()


def pull(req: PullRequest, *, stderr: TextIO | None = None,
         probe: Callable[[str], set[str]] = running_apps) -> Path:
    """Pull the draft; returns its folder. HandoffError for every failure the user can act on."""
    stream = stderr if stderr is not None else sys.stderr
    started = time.monotonic()
    draft_id = draft_id_from_url(req.draft_url)
    root, app = _root(req)
    staging, folder = _staging(root, draft_id), root / draft_id
    with _progress(req, stream, draft_id) as progress:
        with _client(req, auth=True) as client:
            fetcher = _Fetcher(client, progress, req.retries)
            listed = _file_list(fetcher, req.draft_url, draft_id)
            staging.mkdir(exist_ok=True)
            binaries = {rel: url for rel, url in listed.items() if not rel.endswith(_DOCUMENTS)}
            for rel, url in binaries.items():
                progress.expect(rel, fetcher.head(url)[0])
            documents = {rel: _document(fetcher, rel, url) for rel, url in listed.items() if rel not in binaries}
            timeline = CONTENT if CONTENT in documents else INFO
            content = _parse(timeline, documents[timeline])
            for rel, url in binaries.items():
                fetcher.file(url, staging / rel, rel)
        remote = _pull_remote(req, progress, remote_media(content), staging)
        meta = _meta(documents.get(META), root, folder)
        used = _write_documents(documents, content, meta, draft_id, root, folder, staging, remote, progress)
        keep = set(binaries) | set(remote.values()) | set(documents) | {CONTENT, INFO, META}
        _prune(staging, keep)
        size = sum((staging / rel).stat().st_size for rel in used if (staging / rel).is_file())
        _place(staging, folder)
        _register(req, root, folder, meta, content, size, progress)
        apps = probe(req.os_name)
        if app is not None:
            apps &= {app}
        if apps:
            names = " and ".join(sorted("Jianying" if a == "jianying" else "CapCut" for a in apps))
            verb = "is" if len(apps) == 1 else "are"
            progress.say(f"warning: {names} {verb} running: it may overwrite {INDEX_NAME} when it exits. If the draft "
                         "does not show up, restart the app.")
        progress.info(f"pulled draft {draft_id}: {len(listed) + len(remote)} files, "
                      f"{_amount(progress.bytes_done)} in {time.monotonic() - started:.1f} s, into {folder}")
    return folder


def _document(fetcher: _Fetcher, rel: str, url: str) -> bytes:
    """A JSON file, kept in memory to be rewritten; always fetched whole, since the server regenerates them."""
    data = fetcher.document(url)[1]
    fetcher.progress.expect(rel, len(data))
    fetcher.progress.at(rel, len(data))
    fetcher.progress.complete(rel)
    return data


def _pull_remote(req: PullRequest, progress: Progress, media: list[RemoteMedia], staging: Path) -> dict[str, str]:
    """Materials that are http(s) URLs, downloaded into assets/: URL → relpath. No API key leaves for them."""
    if not media:
        return {}
    remote: dict[str, str] = {}
    with _client(req, auth=False) as plain:
        fetcher = _Fetcher(plain, progress, req.retries)
        for item in media:
            size, content_type = fetcher.head(item.url)
            rel = media_relpath(item, content_type)
            remote[item.url] = rel
            progress.expect(rel, size)
        for item in media:
            fetcher.file(item.url, staging / remote[item.url], remote[item.url])
    return remote


def _meta(raw: bytes | None, root: Path, folder: Path) -> dict[str, Any]:
    """The server's draft_meta_info.json, with a draft_id no other draft in the app's index uses."""
    if raw is not None:
        meta = _parse(META, raw)
    else:  # not listed: the app needs one, so start from the packaged template
        from draftcut.draft._templates import template

        meta = template("draft_meta_info_template.json")
    try:
        index = load_index(root / INDEX_NAME)
    except IndexUnreadable:
        index = None
    draft_uuid = str(meta.get("draft_id") or "")
    # capcut-mate copies one template id into every draft; two entries with one id confuse the app.
    if not draft_uuid or id_taken(index, draft_uuid, folder):
        meta["draft_id"] = str(uuid.uuid4()).upper()
    return meta


def _write_documents(documents: Mapping[str, bytes], content: Mapping[str, Any], meta: Mapping[str, Any],
                     draft_id: str, root: Path, folder: Path, staging: Path, remote: Mapping[str, str],
                     progress: Progress) -> set[str]:
    """The JSON files, rewritten for this machine; draft_content.json and draft_info.json get the same bytes.

    Returns the relpaths the timeline's materials use (the index records their total size).
    """
    localized, kept = localize_content(content, draft_id, folder, remote)
    timeline = dumps(localized)
    for rel, raw in documents.items():
        if rel in (CONTENT, INFO, META):
            continue
        data = raw
        try:
            doc = json.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError):
            doc = None
        if isinstance(doc, dict) and isinstance(doc.get("materials"), dict):
            data = dumps(localize_content(doc, draft_id, folder, remote)[0])
        _write(staging / rel, data)
    _write(staging / CONTENT, timeline)
    _write(staging / INFO, timeline)
    # Last: until it exists the staging folder does not look like a draft to anything scanning the root.
    _write(staging / META, dumps(localize_meta(meta, draft_id, folder, root, remote)))
    for path in sorted(set(kept))[:5]:
        progress.say(f"warning: material path left as it was (not in this draft): {path}")
    prefix = folder.as_posix() + "/"
    return {p[len(prefix):] for p in material_paths(localized) if p.startswith(prefix)}


def _register(req: PullRequest, root: Path, folder: Path, meta: Mapping[str, Any], content: Mapping[str, Any],
              size: int, progress: Progress) -> None:
    entry = index_entry(folder=folder, root=root, os_name=req.os_name, meta=meta, content=content,
                        materials_size=size)
    try:
        register(root, entry)
    except IndexUnreadable as exc:
        progress.say(f"warning: {exc}; left it as it is and did not list the draft there (the app should still "
                     "find the folder, perhaps after a restart)")
    except OSError as exc:
        progress.say(f"warning: could not update {root / INDEX_NAME} ({exc}); restart the app if the draft "
                     "does not show up")


def clean(req: PullRequest, *, stderr: TextIO | None = None) -> Path:
    """Remove what a failed pull of this draft left (its staging folder); the drafts are not touched."""
    stream = stderr if stderr is not None else sys.stderr
    draft_id = draft_id_from_url(req.draft_url)
    root, _app = _root(req)
    staging = _staging(root, draft_id)
    if staging.exists():
        shutil.rmtree(staging)
        message = f"removed {staging}"
    else:
        message = f"nothing to clean: {staging} does not exist"
    if not req.quiet:
        stream.write(message + "\n")
    return staging


def run_cli(args: argparse.Namespace) -> int:
    """The `draftcut pull` subcommand: exit 0 done, 1 with a one-line message, 130 interrupted."""
    req = PullRequest(draft_url=args.draft_url, to=args.to, app=args.app, os_name=args.os or host_os(),
                      retries=args.retries, quiet=args.quiet, api_key=args.api_key)
    try:
        if args.clean:
            clean(req)
        else:
            print(pull(req))
    except HandoffError as exc:
        print(f"draftcut pull: error: {exc}", file=sys.stderr)
        return 1
    except (OSError, httpx.HTTPError) as exc:  # disk full, no permission, redirect loop...: still one line
        print(f"draftcut pull: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("draftcut pull: interrupted; run the same command again to resume", file=sys.stderr)
        return 130
    return 0
