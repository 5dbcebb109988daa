"""gen_video's `quality`: which render settings a job uses, and the cache key that says so.

`final` is the deliverable (the draft's size and rate, x264 veryfast crf 23);
`preview` is a proxy to watch (360p, at most 30 fps, x264 ultrafast crf 30,
96 kb/s sound: ``render/_spec.py`` PROXY_SPEC). The quality lives in the job's
`settings_key`, the render cache's key: a final's key is the hash it always
was (renders cached before qualities existed stay valid), a preview's is the
same kind of hash prefixed ``preview:``. So the cache can never answer one
quality with the other, and the job record says which it is without a
column of its own.

A render of a time range (gen_video's `start`/`end`) adds ``@<start>-<end>``
(µs; the end empty for "to the timeline's end") to the key: a range is never
answered with the whole draft's render or another range's, nor the other way
round, and the worker reads the range back from the key (`range_of`).
"""

from __future__ import annotations

import functools
import hashlib
import json
from typing import TYPE_CHECKING, Literal

from draftcut import __version__

if TYPE_CHECKING:
    from draftcut.render import RenderSpec

__all__ = ["QUALITIES", "Quality", "quality_of", "range_key", "range_of", "render_spec", "settings_key"]

Quality = Literal["final", "preview"]
QUALITIES: tuple[Quality, ...] = ("final", "preview")
_OUTPUT_FIELDS = ("width", "height", "fps", "crf", "preset", "audio_bitrate", "sample_rate")
_PROXY_FIELDS = ("short_side", "max_fps")


def render_spec(quality: Quality = "final") -> RenderSpec:
    from draftcut.render import DEFAULT_SPEC, PROXY_SPEC  # deferred: API-only processes import no renderer

    return PROXY_SPEC if quality == "preview" else DEFAULT_SPEC


@functools.cache
def settings_key(quality: Quality = "final") -> str:
    """What a render's output depends on besides the draft: its settings and the renderer's version."""
    spec = render_spec(quality)
    fields = _OUTPUT_FIELDS if quality == "final" else (*_OUTPUT_FIELDS, *_PROXY_FIELDS)
    wanted = {"spec": {name: getattr(spec, name) for name in fields}, "renderer": __version__}
    digest = hashlib.sha256(json.dumps(wanted, sort_keys=True).encode()).hexdigest()[:16]
    return digest if quality == "final" else f"{quality}:{digest}"


def quality_of(key: str) -> Quality:
    """The quality a job's `settings_key` was made for."""
    return "preview" if key.startswith("preview:") else "final"


def range_key(key: str, span: tuple[int, int | None] | None) -> str:
    """`key` for a render of ``[start, end)`` µs of the timeline only; None: the whole timeline, `key` itself."""
    if span is None:
        return key
    start, end = span
    return f"{key}@{start}-{'' if end is None else end}"


def range_of(key: str) -> tuple[int, int | None] | None:
    """The time range a job's `settings_key` asks for (`range_key`), or None for the whole timeline."""
    _, sep, tail = key.rpartition("@")
    if not sep:
        return None
    start, _, end = tail.partition("-")
    return int(start), int(end) if end else None
