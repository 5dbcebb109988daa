"""`draftcut render` / `draftcut preview` from the command line, including a draft_url download."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from drafts import SEC, Draft
from mediagen import color_video, probe_output

from draftcut.cli import main
from draftcut.errors import RenderError
from draftcut.render.run.fetch import fetch_draft_folder

DRAFT_ID = "20260101120000abcdef12"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def served(tmp_path: Path, rmedia: Path) -> Iterator[tuple[str, Path]]:
    """A capcut-mate-like server: `get_draft` lists the files under output/draft/<id>/."""
    root = tmp_path / "www"
    d = Draft()
    d.video(d.track("video"), color_video(rmedia, "blue", seconds=1.0, tone_hz=440), 0, SEC, size=(320, 240))
    folder = d.save(root / "output" / "draft" / DRAFT_ID)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    base = f"http://127.0.0.1:{server.server_address[1]}"
    files = [f"{base}/output/draft/{DRAFT_ID}/{p.relative_to(folder).as_posix()}"
             for p in sorted(folder.rglob("*")) if p.is_file()]
    (root / "get_draft").write_text(json.dumps({"code": 0, "message": "成功", "files": files}))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{base}/get_draft?draft_id={DRAFT_ID}", root
    finally:
        server.shutdown()
        server.server_close()


def test_cli_render_and_preview_local(tmp_path: Path, rmedia: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = Draft()
    d.video(d.track("video"), color_video(rmedia, "red", seconds=1.0), 0, SEC, size=(320, 240))
    d.data["tracks"][0]["segments"][0]["extra_material_refs"].append(d.effect("effects", type="filter", name="x"))
    folder = d.save(tmp_path / "d")
    out = tmp_path / "o.mp4"
    assert main(["render", str(folder / "draft_content.json"), "-o", str(out), "--width", "160", "--fps", "25"]) == 0
    captured = capsys.readouterr()
    assert "100.0%" in captured.err and "filter" in captured.out
    assert (probe_output(out).width, probe_output(out).frames) == (160, 25)
    png = tmp_path / "f.png"
    assert main(["preview", str(folder), "--at", "0.5", "-o", str(png)]) == 0 and png.stat().st_size > 0
    assert main(["render", str(tmp_path / "nowhere"), "-o", str(out)]) == 1
    assert "error" in capsys.readouterr().err


def test_cli_renders_a_draft_url(served: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = served
    out = tmp_path / "o.mp4"
    assert main(["render", url, "-o", str(out)]) == 0
    assert probe_output(out).frames == 30


def test_fetch_refuses_paths_that_escape(served: tuple[str, Path], tmp_path: Path) -> None:
    url, root = served
    listing = json.loads((root / "get_draft").read_text())
    base = url.split("/get_draft")[0]
    listing["files"].append(f"{base}/output/draft/{DRAFT_ID}/../../../evil.txt")
    (root / "get_draft").write_text(json.dumps(listing))
    with pytest.raises(RenderError, match="escapes"):
        fetch_draft_folder(url, tmp_path / "dl")
    assert not (tmp_path / "evil.txt").exists()


def test_cli_relative_outputs_from_another_directory(tmp_path: Path, rmedia: Path) -> None:
    """The README's commands as a user types them: relative draft and `-o`, run from the draft's parent.

    ffmpeg runs with a temporary working directory as its cwd, so a relative
    output (or its ``.part`` sibling) must be made absolute before anything runs.
    """
    d = Draft(160, 90)
    d.video(d.track("video"), color_video(rmedia, "red", size=(160, 90), seconds=1.0), 0, SEC, size=(160, 90))
    d.save(tmp_path / "d")
    cwd = tmp_path / "work"
    cwd.mkdir()
    run = functools.partial(subprocess.run, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)
    rendered = run([sys.executable, "-m", "draftcut", "render", "../d", "-o", "out.mp4"])
    assert rendered.returncode == 0, rendered.stderr
    assert probe_output(cwd / "out.mp4").frames == 30
    previewed = run([sys.executable, "-m", "draftcut", "preview", "../d", "--at", "0.5", "-o", "sub/frame.png"])
    assert previewed.returncode == 0, previewed.stderr
    assert (cwd / "sub" / "frame.png").stat().st_size > 0
    assert sorted(p.name for p in cwd.rglob("*")) == ["frame.png", "out.mp4", "sub"]  # no .part left behind
