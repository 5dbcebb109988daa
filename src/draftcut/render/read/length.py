"""How long the output is: the draft's timeline, not the end of its last drawable clip.

The rule: ``length = max(draft["duration"], end of every segment on every track)``.

- draft-format.md §2: ``duration`` is the timeline length in µs, the max end
  of all segments (pyJianYingDraft updates it on every ``add_segment``;
  capcut-mate writes the furthest segment end, capcut-mate-api.md App. A); §9
  (renderer notes): "Length = ``duration`` µs. Background black".
- The app exports its timeline to the end of its last segment of *any* kind:
  an effect or filter track, a caption, a sticker or a sound running past the
  last video clip lengthens the export, and a stretch with no video clip is
  the black canvas (a bottom-track ``canvases`` fill belongs to its segment, so
  it ends with it). Every segment counts, on hidden and muted tracks too: they
  still occupy the timeline the app exports.
- A ``duration`` shorter than the segments (a draft edited by hand or by a
  tool that forgot to update it) does not cut them off: the app shows them all.
- A ``duration`` longer than every segment is honoured (black to its end),
  but nothing records that the app would keep that empty tail, so the render
  reports it (one draft-level `Unsupported`).

What the output's length means is said in words by `length_summary`, for the
CLI's summary (the black tail after the last clip is what the app shows, so
it is no `Unsupported`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from draftcut.render.model.timeline import Timeline, Unsupported, VisualClip
from draftcut.render.read.values import as_int, timerange

__all__ = ["length_summary", "picture_end", "segments_end", "timeline_length"]


def segments_end(tracks: Any) -> int:
    """The latest ``target_timerange`` end of any segment on any track (µs; 0 for none)."""
    end = 0
    for track in tracks if isinstance(tracks, list) else []:
        if not isinstance(track, Mapping):
            continue
        for seg in track.get("segments") or []:
            found = timerange(seg.get("target_timerange")) if isinstance(seg, Mapping) else None
            if found is not None:
                end = max(end, found[0] + found[1])
    return end


def timeline_length(draft: Mapping[str, Any], drawn_end: int) -> tuple[int, int | None, list[Unsupported]]:
    """``(length, the draft's duration field or None, notes)``; `drawn_end`: end of what the loader drew."""
    field = as_int(draft.get("duration"), -1) if "duration" in draft else -1
    declared = field if field >= 0 else None
    content = max(drawn_end, segments_end(draft.get("tracks")))
    length = max(content, declared or 0)
    notes = []
    if declared is not None and declared > content:
        notes.append(Unsupported(None, "timeline length", f"the draft's duration ({_s(declared)}) runs past its "
                                                          f"last segment ({_s(content)}): rendered black to "
                                                          f"{_s(declared)}; the app may end at {_s(content)}",
                                 "approximated"))
    return length, declared, notes


def picture_end(visuals: Sequence[VisualClip]) -> int:
    """End of the last video, photo or sticker clip: after it the canvas is black."""
    return max((c.end for c in visuals if c.kind != "text"), default=0)


def length_summary(tl: Timeline, first: int, last: int) -> list[str]:
    """Lines saying why the output ``[first, last)`` (µs of the timeline) is as long as it is."""
    lines = []
    declared = tl.draft_duration
    if declared is None:
        lines.append(f"the draft has no duration field: the timeline runs to its last segment, {_s(tl.duration)}")
    elif declared < tl.duration:
        lines.append(f"the draft's duration field says {_s(declared)}, but its segments run to "
                     f"{_s(tl.duration)}: rendered to the end of the last segment, as the app exports")
    if (first, last) != (0, tl.duration):
        lines.append(f"rendered {_s(first)}–{_s(last)} of the {_s(tl.duration)} timeline (output starts at 0)")
    pictured = picture_end(tl.visuals)
    if pictured < last:
        lines.append(f"no video or photo clip after {_s(max(first, pictured))}: black canvas to {_s(last)}, "
                     f"as the app shows it")
    return lines


def _s(us: int) -> str:
    return f"{us / 1e6:.2f} s"
