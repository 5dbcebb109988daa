"""One render as parts (``run/split.py``): prepared here, each part run in another process, joined.

A distributed render runs `prepare_parts` once, `run_part` on any worker and
`join_parts` at the end, with the work dir in shared storage and the draft
folder materialised by each worker wherever it likes. These tests move both
to another path before the parts run, hide the originals, run every part in
its own process, and expect the very file `render` makes of the same draft.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import av
import pytest
from drafts import SEC, Draft
from mediagen import audio_track, color_video, probe_output

from draftcut.errors import RenderError
from draftcut.render import RenderSpec, render
from draftcut.render.run.split import PartsManifest, join_parts, prepare_parts, run_part

SPEC = RenderSpec(window_s=0.5, audio_window_s=1.0)
"""2 s in four video windows and two audio windows (PCM, joined and encoded once)."""

_RUN_PART = """
import sys
from pathlib import Path
from draftcut.render.run.split import PartsManifest, run_part
manifest = PartsManifest.from_json(Path(sys.argv[1]).read_text(encoding="utf-8"))
print(run_part(manifest, int(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])))
"""


@dataclass(frozen=True)
class Prepared:
    root: Path
    folder: Path
    workdir: Path
    manifest: PartsManifest
    reference: Path


def _draft(media: Path) -> Draft:
    """A red clip dissolving into a blue one (a masked picture), a typed caption, sound from a clip and a track."""
    d = Draft()
    v = d.track("video")
    d.video(v, color_video(media, "red", seconds=2.0, tone_hz=440), 0, 1_200_000, size=(320, 240),
            refs=[d.transition("叠化", 400_000), d.mask("circle", "圆形", centerX=0.2, feather=0.3)])
    d.video(v, color_video(media, "blue", seconds=2.0), 1_200_000, 800_000, size=(320, 240))
    d.text(d.track("text"), "Parts", 200_000, 1_600_000, size=10.0,
           refs=[d.animations(("in", "打字机 I", 0, 400_000))])
    d.audio(d.track("audio"), audio_track(media, 330, seconds=2.5), 0, 2 * SEC, volume=0.5)
    return d


@pytest.fixture(scope="module")
def prepared(rmedia: Path, tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    root = tmp_path_factory.mktemp("parts")
    folder = _draft(rmedia).save(root / "draft")
    reference = render(folder, root / "reference.mp4", spec=SPEC).output
    manifest = prepare_parts(folder, root / "work", spec=SPEC)
    return Prepared(root, folder, root / "work", manifest, reference)


@contextmanager
def _hidden(*paths: Path) -> Iterator[None]:
    """Move `paths` aside for a while, so nothing can read them by their old names."""
    for path in paths:
        path.rename(path.with_name(path.name + ".hidden"))
    try:
        yield
    finally:
        for path in paths:
            path.with_name(path.name + ".hidden").rename(path)


def test_parts_run_in_other_processes_elsewhere_join_to_the_render(prepared: Prepared, tmp_path: Path) -> None:
    assert prepared.manifest.windows == 4 and len(prepared.manifest.parts) == 6
    workdir = shutil.copytree(prepared.workdir, tmp_path / "shared storage" / "work")
    folder = shutil.copytree(prepared.folder, tmp_path / "worker" / "materialised draft")
    manifest_file = tmp_path / "manifest.json"
    manifest_file.write_text(prepared.manifest.to_json(), encoding="utf-8")
    with _hidden(prepared.workdir, prepared.folder):
        procs = [subprocess.Popen([sys.executable, "-c", _RUN_PART, str(manifest_file), str(i), str(workdir),
                                   str(folder)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for i in range(len(prepared.manifest.parts))]
        outputs = []
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            outputs.append(out.strip())
        assert outputs == [p.output for p in prepared.manifest.parts]
        result = join_parts(PartsManifest.from_json(manifest_file.read_text(encoding="utf-8")), workdir,
                            tmp_path / "joined.mp4")
    assert result.output.read_bytes() == prepared.reference.read_bytes()
    probe = probe_output(result.output)
    assert probe.frames == result.frames == 60 and probe.width == 320 and probe.duration == pytest.approx(2.0, abs=0.05)
    assert (result.windows, result.duration_us, result.range_us) == (4, 2 * SEC, (0, 2 * SEC))
    assert not list(workdir.glob("*.tmp-*")) and not list(tmp_path.glob(".*.part"))


def test_a_part_run_twice_writes_the_same_file(prepared: Prepared, tmp_path: Path) -> None:
    workdir = shutil.copytree(prepared.workdir, tmp_path / "work")
    for index in (prepared.manifest.part_index("v00002"), prepared.manifest.part_index("a00000")):
        seen = []
        for _ in range(2):
            progress: list[float] = []
            name = run_part(prepared.manifest, index, workdir, prepared.folder, progress=progress.append)
            seen.append((workdir / name).read_bytes())
            assert progress and progress == sorted(progress) and 0 < progress[-1] <= 1.0
        assert seen[0] == seen[1] and seen[0]
    assert not list(workdir.glob("*.tmp-*"))


def test_the_manifest_round_trips_through_json_and_names_no_local_path(prepared: Prepared) -> None:
    manifest = prepared.manifest
    text = manifest.to_json()
    assert PartsManifest.from_json(text) == manifest
    assert PartsManifest.from_json(text.encode()).to_json() == text
    assert str(prepared.workdir) not in text and str(prepared.folder) not in text and manifest.portable
    data = json.loads(text)
    assert all(not arg.startswith("/") for p in data["parts"] for arg in p["args"])
    assert {m["path"] for p in data["parts"] for m in p["media"]} == {
        f"Resources/local/{name}" for name in ("v_red_320x240_2.0_30_440_0.5_False.mp4",
                                                "v_blue_320x240_2.0_30_None_0.5_False.mp4", "a_330_2.5_0.5.m4a")}
    v0 = manifest.parts[manifest.part_index("v00000")]
    assert {"v00000.graph", "v00000_mask0.png", "text0_0.png"} <= set(v0.needs)
    assert set(manifest.join.needs) >= {p.output for p in manifest.parts}
    with pytest.raises(RenderError, match="not a render parts manifest"):
        PartsManifest.from_json(json.dumps({**data, "version": 99}))


def test_a_missing_part_at_the_join_is_named(prepared: Prepared, tmp_path: Path) -> None:
    workdir = shutil.copytree(prepared.workdir, tmp_path / "work")
    for part in prepared.manifest.parts:
        if part.name != "v00002":
            (workdir / part.output).write_bytes(b"done")
    with pytest.raises(RenderError, match=r"part v00002 \(v00002\.mp4\) missing") as caught:
        join_parts(prepared.manifest, workdir, tmp_path / "out.mp4")
    assert "v00001" not in str(caught.value) and not (tmp_path / "out.mp4").exists()


def test_a_part_without_its_media_or_files_says_which(prepared: Prepared, tmp_path: Path) -> None:
    workdir = shutil.copytree(prepared.workdir, tmp_path / "work")
    index = prepared.manifest.part_index("v00000")
    with pytest.raises(RenderError, match=r"part v00000: media Resources/local/v_red.* is missing"):
        run_part(prepared.manifest, index, workdir, tmp_path)
    with pytest.raises(RenderError, match=r"part v00000 reads Resources/local/v_red.* none was given"):
        run_part(prepared.manifest, index, workdir, None)
    (workdir / "v00000.graph").unlink()
    with pytest.raises(RenderError, match=r"part v00000: the work dir .* lacks v00000\.graph"):
        run_part(prepared.manifest, index, workdir, prepared.folder)
    assert not (workdir / "v00000.mp4").exists()


def test_media_outside_the_draft_folder_make_a_manifest_that_is_not_portable(rmedia: Path, tmp_path: Path) -> None:
    """A dict draft naming its media by absolute path has no folder to name them from: they stay absolute."""
    d = _draft(rmedia)
    for array in ("videos", "audios"):
        for material in d.data["materials"][array]:
            material["path"] = str(d.files[material["path"].split("/", 1)[1]])
    manifest = prepare_parts(d.data, tmp_path / "work", spec=SPEC, allow_outside_paths=True)
    assert not manifest.portable
    assert {m.path for p in manifest.parts for m in p.media} == {str(p) for p in d.files.values()}
    index = manifest.part_index("v00003")
    assert run_part(manifest, index, tmp_path / "work") == "v00003.mp4"
    with av.open(str(tmp_path / "work" / "v00003.mp4")) as container:
        assert sum(1 for _ in container.decode(video=0)) == 15


def test_a_draft_folder_inside_the_work_dir_still_names_media_from_the_folder(rmedia: Path, tmp_path: Path) -> None:
    """A worker may materialise the draft inside the shared work dir: its media stay draft-folder media."""
    folder = _draft(rmedia).save(tmp_path / "work" / "draft")
    manifest = prepare_parts(folder, tmp_path / "work", spec=SPEC)
    assert manifest.portable and all(m.path.startswith("Resources/local/") for p in manifest.parts for m in p.media)
    assert not any(n.startswith("draft/") for p in manifest.parts for n in p.needs)
