"""A render's notes as a report people can read: identical notes grouped, approximated apart from left out.

A draft with one filter on 32 cuts of a clip gives 32 identical notes;
`group_notes` makes them one group with a count, the segment ids and the
first few time ranges. `build_report` splits the groups by `Unsupported.kind`
and says whether the output is as long as the draft's ``duration`` says.

The length comparison travels as a draft-level note (feature
`LENGTH_FEATURE`, made by `length_note`), so a report can be rebuilt from a
stored list of notes alone (``jobs/service.py`` serves gen_video_status's
``report`` from the job's stored ``unsupported``, with no other column). It
is kept out of the approximated / omitted groups: an output longer than the
``duration`` field may be just what the app exports (``read/length.py``).
Pure: the CLI and the HTTP service both use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from draftcut.render.model.spec import RenderResult
from draftcut.render.model.timeline import NoteKind, Unsupported

__all__ = ["LENGTH_FEATURE", "NoteGroup", "RenderReport", "build_report", "group_notes", "length_note",
           "notes_from_json", "report_json", "result_report", "summary_lines"]

LENGTH_FEATURE = "output length"
SHOWN_RANGES = 5
"""Time ranges listed per group; `count` says how many segments there are in all."""


@dataclass(frozen=True, slots=True)
class NoteGroup:
    """Notes with the same feature, detail and material: one line of a report."""

    feature: str
    detail: str
    material: str | None
    kind: NoteKind
    count: int
    """How many notes were grouped (one per segment, usually)."""
    segment_ids: tuple[str, ...]
    """Every segment concerned, in draft order, once each; empty for draft-level notes."""
    ranges: tuple[tuple[int, int], ...]
    """The first `SHOWN_RANGES` segments' ``(start, end)`` on the timeline, µs."""

    @property
    def message(self) -> str:
        """The group in one line: ``feature: detail — material, where``."""
        where = [self.material] if self.material else []
        if self.segment_ids:
            spans = ", ".join(f"{_s(a)}–{_s(b)}" for a, b in self.ranges)
            more = len(self.segment_ids) - len(self.ranges)
            spans += f", … ({more} more)" if more > 0 and self.ranges else ""
            # one segment is named by id, to find it in the draft; many by their times (ids in `segment_ids`)
            many = len(self.segment_ids)
            noun = f"segment {self.segment_ids[0]}" if many == 1 else f"{many} segments"
            where.append(f"{noun} at {spans}" if spans else noun)
        times = f" (×{self.count})" if self.count > 1 and self.count != len(self.segment_ids) else ""
        return f"{self.feature}: {self.detail}{times}" + (f" — {', '.join(where)}" if where else "")


def group_notes(notes: Iterable[Unsupported]) -> list[NoteGroup]:
    """Identical notes as one group each, in order of first appearance.

    Notes are identical when feature, detail and material name agree. Should
    their kinds differ, the group is "omitted" (it promises least).
    """
    found: dict[tuple[str, str, str | None], list[Unsupported]] = {}
    for note in notes:
        found.setdefault((note.feature, note.detail, note.material), []).append(note)
    groups = []
    for (feature, detail, material), items in found.items():
        ids = tuple(dict.fromkeys(n.segment_id for n in items if n.segment_id))
        first = {n.segment_id: _range(n) for n in reversed(items)}  # each segment's first note wins
        ranges = tuple(r for r in (first[i] for i in ids) if r is not None)
        kind: NoteKind = "approximated" if all(n.kind == "approximated" for n in items) else "omitted"
        groups.append(NoteGroup(feature, detail, material, kind, len(items), ids, ranges[:SHOWN_RANGES]))
    return groups


def _range(note: Unsupported) -> tuple[int, int] | None:
    if note.segment_id and note.start_us is not None and note.end_us is not None:
        return note.start_us, note.end_us
    return None


def length_note(duration_us: int, draft_duration_us: int | None, fps: float) -> Unsupported | None:
    """A draft-level note when the output is not as long as the draft's ``duration`` (to a frame)."""
    frame = 1e6 / fps if fps > 0 else 1.0
    if draft_duration_us is not None and abs(duration_us - draft_duration_us) < frame:
        return None
    said = ("the draft has no duration" if draft_duration_us is None
            else f"the draft's duration is {_s(draft_duration_us)}")
    kind: NoteKind = "omitted" if draft_duration_us is not None and duration_us < draft_duration_us else "approximated"
    return Unsupported(None, LENGTH_FEATURE, f"the output is {_s(duration_us)}; {said}", kind=kind)


@dataclass(frozen=True, slots=True)
class RenderReport:
    """What a render drew exactly, approximated and left out, and whether its length is the draft's."""

    approximated: list[NoteGroup]
    omitted: list[NoteGroup]
    duration_matches: bool
    length: str | None
    """The length note's detail when the output's length differs from the draft's duration."""

    @property
    def exact(self) -> bool:
        """Nothing approximated or left out (the length is reported apart, `duration_matches`)."""
        return not self.approximated and not self.omitted


def build_report(notes: Iterable[Unsupported]) -> RenderReport:
    items = list(notes)
    length = next((n.detail for n in items if n.feature == LENGTH_FEATURE and n.segment_id is None), None)
    groups = group_notes(n for n in items if not (n.feature == LENGTH_FEATURE and n.segment_id is None))
    return RenderReport(approximated=[g for g in groups if g.kind == "approximated"],
                        omitted=[g for g in groups if g.kind == "omitted"],
                        duration_matches=length is None, length=length)


def notes_from_json(items: Sequence[Mapping[str, Any]]) -> list[Unsupported]:
    """Stored notes (``asdict`` of each) back as `Unsupported`.

    Jobs stored before notes had a kind get one from their wording: the
    renderer's approximations always said "approximated".
    """
    out = []
    for item in items:
        detail = str(item.get("detail", ""))
        stored = item.get("kind")
        kind: NoteKind = ("approximated" if stored == "approximated" or (stored != "omitted" and "approximated"
                                                                          in detail) else "omitted")
        seg, material = item.get("segment_id"), item.get("material")
        out.append(Unsupported(None if seg is None else str(seg), str(item.get("feature", "")), detail, kind,
                               None if material is None else str(material),
                               _int_or_none(item.get("start_us")), _int_or_none(item.get("end_us"))))
    return out


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def report_json(report: RenderReport) -> dict[str, Any]:
    """The report as gen_video_status serves it (README, "Render reports")."""
    return {"exact": report.exact, "duration_matches": report.duration_matches, "length": report.length,
            "approximated": [_group_json(g) for g in report.approximated],
            "omitted": [_group_json(g) for g in report.omitted]}


def _group_json(group: NoteGroup) -> dict[str, Any]:
    return {"feature": group.feature, "detail": group.detail, "material": group.material, "kind": group.kind,
            "count": group.count, "segment_ids": list(group.segment_ids),
            "ranges": [{"start_us": a, "end_us": b} for a, b in group.ranges], "message": group.message}


def result_report(result: RenderResult) -> RenderReport:
    """The report of a render just made: its notes plus the length comparison."""
    extra = length_note(result.duration_us, result.draft_duration_us, result.fps)
    return build_report([*result.unsupported, *([extra] if extra else [])])


def summary_lines(result: RenderResult) -> list[str]:
    """The CLI's report: the grouped notes, approximated then left out, and a summary at the end."""
    report = result_report(result)
    lines: list[str] = []
    for title, groups in (("approximated", report.approximated), ("left out", report.omitted)):
        if groups:
            lines.append(f"{title} ({len(groups)}):")
            lines.extend(f"  - {g.message}" for g in groups)
    noted = {i for g in (*report.approximated, *report.omitted) for i in g.segment_ids}
    exact = ("everything" if report.exact else
             f"{max(0, result.segments - len(noted))} of {result.segments} segments (the others are listed above)")
    length = (f"{_s(result.duration_us)}, the draft's duration" if report.duration_matches
              else f"differs: {report.length}")
    lines += ["summary:", f"  rendered exactly: {exact}",
              f"  approximated: {_count(report.approximated)}", f"  left out: {_count(report.omitted)}",
              f"  length: {length}"]
    return lines


def _count(groups: Sequence[NoteGroup]) -> str:
    if not groups:
        return "nothing"
    notes = sum(g.count for g in groups)
    return f"{len(groups)} kind(s) of note, {notes} in all: " + ", ".join(dict.fromkeys(g.feature for g in groups))


def _s(us: int) -> str:
    return f"{us / 1e6:.2f} s"
