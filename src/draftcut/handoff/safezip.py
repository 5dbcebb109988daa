"""Unpacking a zip from a stranger into one folder, and nowhere else.

A draft folder travels as a zip (the import route, ``draftcut render x.zip``).
`zipfile` trusts what the archive says about itself: names, sizes, file types.
Every check here is made before a byte is written, and the sizes are counted
again while writing, so a hostile archive is refused with an error naming the
member and the rule, instead of filling the disk or writing outside the folder:

- names: after ``\\`` → ``/``, no absolute path, drive letter, NUL or ``..``;
  a name listed twice, or a file where a folder must go, is refused too;
- file types: links and device files are refused (unix mode in ``external_attr``);
- counts: at most `ZipLimits.max_members` entries, counted in the central
  directory before `zipfile` builds an object per entry;
- sizes: the declared sizes together, and the bytes actually written, stay
  under `ZipLimits.max_total_bytes`; a member may not hold more than it declares;
- zip bombs: a member over `ratio_min_bytes` that unpacks to more than
  `max_ratio` times its compressed size is refused.

Nested zips are just files. ``__MACOSX/`` and ``.DS_Store`` (macOS Finder's
litter) are skipped. Names without the UTF-8 flag are read as UTF-8 when they
are valid UTF-8, else as GBK (Windows Explorer on a Chinese system writes its
code page, and Jianying users name files in Chinese), else as CP437.
"""

from __future__ import annotations

import errno
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

from draftcut.errors import ImportRefused

__all__ = ["MAX_MEMBERS", "ZipLimits", "extract", "is_zip", "member_path"]

MAX_MEMBERS = 20_000
"""Entries of any kind (folders and skipped ones too). An app draft folder has a few hundred."""

_CHUNK = 1 << 20
_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1
_DRIVE = re.compile(r"^[A-Za-z]:")
_SKIPPED_FOLDERS = frozenset({"__MACOSX"})
_SKIPPED_FILES = frozenset({".DS_Store"})
_CD_BYTES_PER_MEMBER = 1024
"""A generous bound on one central-directory entry (46 bytes + name + extra + comment)."""

# Record layouts of the zip format (APPNOTE.TXT 4.3.12, 4.3.14-16).
_EOCD = struct.Struct("<4s4H2LH")
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
_CD_ENTRY = struct.Struct("<4s6H3L5H2L")


@dataclass(frozen=True, slots=True)
class ZipLimits:
    max_members: int = MAX_MEMBERS
    max_total_bytes: int = 2 * 1024**3
    max_ratio: float = 200.0
    """Video and pictures barely compress; JSON does about 10:1. Deflate tops out near 1032:1."""
    ratio_min_bytes: int = 1 << 20
    """Members smaller than this are not judged by their ratio (a little JSON of spaces is fine)."""


def is_zip(path: Path) -> bool:
    """Whether `path` starts like a zip (a local file header, or the end record of an empty one)."""
    with open(path, "rb") as f:
        return f.read(4) in (b"PK\x03\x04", b"PK\x05\x06")


def _refuse(detail: str, member: str = "") -> ImportRefused:
    return ImportRefused(detail, field=f"zip member {member!r}" if member else "zip")


def member_path(name: str) -> str:
    """The `/`-separated path of a member inside the folder; refused if it could point outside it."""
    path = name.replace("\\", "/")
    if "\x00" in path:
        raise _refuse("the name holds a NUL character", name)
    if path.startswith("/") or _DRIVE.match(path):
        raise _refuse("absolute path: members must be relative to the folder", name)
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise _refuse("the path leaves the folder ('..')", name)
    if not parts:
        raise _refuse("empty name", name)
    return "/".join(parts)


def _is_skipped(path: str) -> bool:
    parts = path.split("/")
    return parts[0] in _SKIPPED_FOLDERS or parts[-1] in _SKIPPED_FILES


def _name(info: zipfile.ZipInfo) -> str:
    """The member name as its author wrote it (see the module docstring for names without the UTF-8 flag)."""
    if info.flag_bits & _UTF8_FLAG:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "gbk"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
    return info.filename


def _count_entries(f: BinaryIO, limits: ZipLimits) -> None:
    """Refuse an archive whose central directory lists too many entries, before `zipfile` reads it.

    `zipfile` builds a Python object per entry as it opens the archive, with no
    limit: a 2 GiB upload of minimal entries is tens of millions of objects. The
    end record's count can lie, so the entries are counted by walking the
    directory the way `zipfile` will, which stops at the first record that is
    not an entry.
    """
    size = f.seek(0, 2)
    tail_at = max(0, size - _EOCD.size - 0xFFFF)
    f.seek(tail_at)
    tail = f.read()
    pos = tail.rfind(b"PK\x05\x06")
    if pos < 0 or len(tail) - pos < _EOCD.size:
        raise _refuse("not a zip archive (no end of central directory record)")
    _, _, _, _, entries, cd_size, _, _ = _EOCD.unpack_from(tail, pos)
    cd_end = tail_at + pos
    locator_at = pos - _ZIP64_LOCATOR.size
    if locator_at >= 0 and tail[locator_at:locator_at + 4] == b"PK\x06\x07":
        cd_end = tail_at + locator_at - _ZIP64_EOCD.size
        if cd_end < 0:
            raise _refuse("corrupt zip64 end record")
        f.seek(cd_end)
        record = f.read(_ZIP64_EOCD.size)
        if len(record) < _ZIP64_EOCD.size or record[:4] != b"PK\x06\x06":
            raise _refuse("corrupt zip64 end record")
        entries, cd_size = _ZIP64_EOCD.unpack(record)[7:9]
    if entries > limits.max_members:
        raise _refuse(f"{entries} members, more than the {limits.max_members} allowed")
    if cd_size > limits.max_members * _CD_BYTES_PER_MEMBER or cd_size > cd_end:
        raise _refuse(f"central directory of {cd_size} bytes is too large or corrupt")
    f.seek(cd_end - cd_size)
    directory = f.read(cd_size)
    count, at = 0, 0
    while at + _CD_ENTRY.size <= len(directory) and directory[at:at + 4] == b"PK\x01\x02":
        fields = _CD_ENTRY.unpack_from(directory, at)
        at += _CD_ENTRY.size + fields[10] + fields[11] + fields[12]
        count += 1
        if count > limits.max_members:
            raise _refuse(f"more than the {limits.max_members} members allowed")


@dataclass(frozen=True, slots=True)
class _Member:
    info: zipfile.ZipInfo
    path: str
    is_dir: bool


def _check(info: zipfile.ZipInfo, limits: ZipLimits) -> _Member | None:
    """The member to extract, None to skip it, or a refusal naming what is wrong."""
    name = _name(info)
    path = member_path(name)
    if _is_skipped(path):
        return None
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind == stat.S_IFLNK:
        raise _refuse("symbolic link: links are not extracted", name)
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise _refuse("not a regular file (device, FIFO or socket)", name)
    is_dir = info.is_dir() or kind == stat.S_IFDIR
    if is_dir:
        return _Member(info, path, True)
    if info.flag_bits & _ENCRYPTED_FLAG:
        raise _refuse("encrypted member: zip the folder without a password", name)
    if info.file_size > limits.ratio_min_bytes and info.file_size > limits.max_ratio * max(info.compress_size, 1):
        raise _refuse(f"unpacks {info.compress_size} bytes to {info.file_size}, more than "
                      f"{limits.max_ratio:g} times: a zip bomb?", name)
    return _Member(info, path, False)


def _plan(zf: zipfile.ZipFile, limits: ZipLimits) -> list[_Member]:
    members: list[_Member] = []
    seen: set[str] = set()
    declared = 0
    for info in zf.infolist():
        member = _check(info, limits)
        if member is None:
            continue
        if not member.is_dir:
            if member.path in seen:
                raise _refuse("listed twice", member.path)
            seen.add(member.path)
            declared += info.file_size
            if declared > limits.max_total_bytes:
                raise _refuse(f"unpacks to more than {limits.max_total_bytes} bytes")
        members.append(member)
    return members


@contextmanager
def _member_errors(member: str) -> Iterator[None]:
    """What `zipfile`, zlib and the filesystem raise about one member, as a refusal naming it."""
    try:
        yield
    except NotImplementedError as exc:  # e.g. Deflate64, which Windows Explorer uses for files over 2 GiB
        raise _refuse(f"unsupported compression ({exc}): zip it again with plain Deflate", member) from None
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise _refuse(f"corrupt member: {exc}", member) from None
    except RuntimeError as exc:  # zipfile: "File ... is encrypted, password required"
        raise _refuse(str(exc), member) from None
    except (FileExistsError, NotADirectoryError, IsADirectoryError):
        raise _refuse("a file and a folder of the same name", member) from None
    except OSError as exc:
        if exc.errno in (errno.ENAMETOOLONG, errno.EINVAL, errno.EILSEQ):
            raise _refuse(f"the name cannot be written here: {exc.strerror}", member) from None
        raise


class _Writer:
    """Writes members under `dest`, counting bytes against the declared sizes and the total cap."""

    def __init__(self, zf: zipfile.ZipFile, dest: Path, limits: ZipLimits) -> None:
        self.zf, self.dest, self.limits = zf, dest.resolve(), limits
        self.total = 0

    def target(self, path: str) -> Path:
        target = self.dest.joinpath(*path.split("/"))
        # `member_path` already refused every escape; this holds even if it missed one.
        if not target.resolve().is_relative_to(self.dest):
            raise _refuse("the path leaves the folder", path)
        return target

    def write(self, member: _Member) -> None:
        target = self.target(member.path)
        with _member_errors(member.path):
            if member.is_dir:
                target.mkdir(parents=True, exist_ok=True)
                return
            target.parent.mkdir(parents=True, exist_ok=True)
            with self.zf.open(member.info) as src, open(target, "xb") as out:
                self._copy(src, out, member)

    def _copy(self, src: IO[bytes], out: IO[bytes], member: _Member) -> None:
        written = 0
        while chunk := src.read(_CHUNK):
            written += len(chunk)
            self.total += len(chunk)
            if written > member.info.file_size:
                raise _refuse(f"holds more than the {member.info.file_size} bytes it declares", member.path)
            if self.total > self.limits.max_total_bytes:
                raise _refuse(f"unpacks to more than {self.limits.max_total_bytes} bytes")
            out.write(chunk)


def extract(archive: Path, dest: Path, limits: ZipLimits | None = None) -> list[str]:
    """Unpack `archive` into the folder `dest` under `limits`; the `/`-separated paths of the files written.

    Raises `ImportRefused` naming the member and the rule it broke; what was
    written before the refusal stays in `dest` (the caller's scratch folder).
    """
    limits = limits or ZipLimits()
    dest.mkdir(parents=True, exist_ok=True)
    with open(archive, "rb") as f:
        _count_entries(f, limits)
        try:
            zf = zipfile.ZipFile(f)
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as exc:
            raise _refuse(f"not a readable zip archive: {exc}") from None
        with zf:
            members = _plan(zf, limits)
            writer = _Writer(zf, dest, limits)
            for member in members:
                writer.write(member)
    return [m.path for m in members if not m.is_dir]
