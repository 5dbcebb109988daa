"""The draft timeline (`draft_content.json`) as a thin, rule-keeping wrapper over its JSON.

The JSON dict stays the source of truth, so fields we do not model (from
newer app versions, or drafts edited in the app) survive every edit.
"""

from __future__ import annotations

from typing import Any

from draftcut.draft._templates import template
from draftcut.draft.ids import new_id
from draftcut.draft.profiles import DEFAULT_APP, get_profile
from draftcut.errors import SegmentOverlap

__all__ = ["Draft", "VISUAL_TRACK_TYPES"]

VISUAL_TRACK_TYPES = frozenset({"video", "text", "sticker", "effect", "filter", "adjust"})


def _end(seg: dict[str, Any]) -> int:
    tr = seg["target_timerange"]
    return int(tr["start"]) + int(tr["duration"])


def _overlaps(track: dict[str, Any], start: int, end: int) -> bool:
    return any(not (end <= s["target_timerange"]["start"] or _end(s) <= start) for s in track["segments"])


class Draft:
    def __init__(self, content: dict[str, Any]) -> None:
        self.content = content

    @classmethod
    def new(cls, width: int, height: int, *, fps: float = 30.0, app: str = DEFAULT_APP) -> Draft:
        content = template("draft_content_template.json")
        content.update(get_profile(app).platform_fields())
        content["canvas_config"] = {"width": width, "height": height, "ratio": "original", "background": None}
        content["fps"] = fps
        content["id"] = new_id()
        draft = cls(content)
        # An empty main track keeps every added video on an overlay track: segments
        # on the main track are snapped to 0 s by the app's main-track magnet.
        draft.add_track("video", "main_track")
        return draft

    @property
    def width(self) -> int:
        return int(self.content["canvas_config"]["width"])

    @property
    def height(self) -> int:
        return int(self.content["canvas_config"]["height"])

    @property
    def tracks(self) -> list[dict[str, Any]]:
        tracks: list[dict[str, Any]] = self.content["tracks"]
        return tracks

    @property
    def duration(self) -> int:
        return int(self.content.get("duration", 0))

    def materials(self, kind: str) -> list[dict[str, Any]]:
        return self.content["materials"].setdefault(kind, [])  # type: ignore[no-any-return]

    def add_material(self, kind: str, material: dict[str, Any]) -> str:
        self.materials(kind).append(material)
        return str(material["id"])

    def add_track(self, kind: str, name: str) -> dict[str, Any]:
        """Append a track above the existing ones of its layer; audio tracks stay last, as in app drafts."""
        track: dict[str, Any] = {
            "attribute": 0, "flag": 0 if kind != "video" or not self.tracks else 2, "id": new_id(),
            "is_default_name": False, "name": name, "segments": [], "type": kind}
        if kind == "audio":
            self.tracks.append(track)
        else:
            first_audio = next((i for i, t in enumerate(self.tracks) if t.get("type") == "audio"), len(self.tracks))
            self.tracks.insert(first_audio, track)
        return track

    def add_segment(self, track: dict[str, Any], segment: dict[str, Any]) -> None:
        start = int(segment["target_timerange"]["start"])
        end = start + int(segment["target_timerange"]["duration"])
        if _overlaps(track, start, end):
            raise SegmentOverlap(f"[{start}, {end}) overlaps a segment on track {track['name']}")
        track["segments"].append(segment)
        track["segments"].sort(key=lambda s: s["target_timerange"]["start"])

    def add_in_lanes(self, kind: str, name: str, segments: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Put segments on new tracks, opening another track only where they overlap.

        capcut-mate fails a call whose items overlap; the seed docs' own
        picture-in-picture examples do exactly that, so overlapping items go
        to the next lane up and play together.
        """
        lanes: list[dict[str, Any]] = []
        for seg in segments:
            start = int(seg["target_timerange"]["start"])
            end = start + int(seg["target_timerange"]["duration"])
            lane = next((t for t in lanes if not _overlaps(t, start, end)), None)
            if lane is None:
                lane = self.add_track(kind, f"{name}_{new_id()[:8]}" if lanes else name)
                lanes.append(lane)
            self.add_segment(lane, seg)
        return lanes

    def find_segment(self, segment_id: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        for track in self.tracks:
            for seg in track["segments"]:
                if seg["id"] == segment_id:
                    return track, seg
        return None

    def finalize(self) -> None:
        """Recompute what is derived: duration and layering indexes (draft-format §3.3)."""
        visual_pos = 0
        end = 0
        for pos, track in enumerate(self.tracks):
            is_visual = track.get("type") in VISUAL_TRACK_TYPES
            for seg in track["segments"]:
                seg["render_index"] = visual_pos if is_visual else 0
                seg["track_render_index"] = pos
                seg["track_attribute"] = track.get("attribute", 0)
                end = max(end, _end(seg))
            if is_visual:
                visual_pos += 1
        self.content["duration"] = end
