"""The pure draft model: ids, layering, lanes, folder paths; no I/O libraries imported."""

from __future__ import annotations

import subprocess
import sys

import pytest

from draftcut.draft.document import Draft
from draftcut.draft.folder import is_safe_relpath
from draftcut.draft.ids import draft_id_from_url, is_draft_id, new_draft_id
from draftcut.draft.segments import visual_segment
from draftcut.errors import InvalidDraftUrl, SegmentOverlap


def test_model_imports_no_io_libraries() -> None:
    code = ("import sys, draftcut.draft.edits, draftcut.draft.folder, draftcut.schemas;"
            "bad = {'av', 'subprocess', 'fastapi', 'httpx', 'sqlite3'} & set(sys.modules); assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_draft_ids() -> None:
    did = new_draft_id()
    assert is_draft_id(did) and len(did) == 22
    assert draft_id_from_url(f"https://any.host/x/get_draft?draft_id={did}&x=1") == did
    assert draft_id_from_url(did) == did
    for bad in ["", "https://h/get_draft", f"https://h/?draft_id=../{did}", "https://h/?draft_id=abc"]:
        with pytest.raises(InvalidDraftUrl) as exc:
            draft_id_from_url(bad)
        assert exc.value.field == "draft_url"


@pytest.mark.parametrize("path, ok", [("draft_content.json", True), ("assets/videos/a.mp4", True),
                                      ("../x", False), ("/etc/passwd", False), ("a//b", False),
                                      ("a\\..\\b", False), ("", False), ("./a", False)])
def test_safe_relpath(path: str, ok: bool) -> None:
    assert is_safe_relpath(path) is ok


def _seg(start: int, duration: int) -> dict[str, object]:
    return visual_segment(material_id="m", start=start, duration=duration, refs=[])


def test_lanes_layering_and_duration() -> None:
    draft = Draft.new(1080, 1920)
    audio = draft.add_track("audio", "a")
    lanes = draft.add_in_lanes("video", "v", [_seg(0, 10), _seg(5, 10), _seg(10, 5)])
    assert [len(t["segments"]) for t in lanes] == [2, 1]
    draft.finalize()
    assert draft.tracks[-1] is audio  # audio stays last, visual tracks above the main track
    assert [t["name"] for t in draft.tracks][:2] == ["main_track", "v"]
    assert lanes[1]["segments"][0]["render_index"] > lanes[0]["segments"][0]["render_index"]
    assert draft.content["duration"] == 15
    with pytest.raises(SegmentOverlap):
        draft.add_segment(lanes[0], _seg(12, 1))
