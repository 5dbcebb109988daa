"""The corpus: small drafts in the forms the apps write, each rendered and checked by probing.

Every ``corpus/*.json`` file is one case, hand-made in an app's format and
documented field by field in its own ``about`` and ``fields`` (never a third
party's draft copied whole). A case holds:

- ``media``: files to generate, by ``mediagen`` function name and keyword
  arguments; the draft refers to them as
  ``##_draftpath_placeholder_…##/Resources/local/<name>``;
- ``draft``: the ``draft_content.json`` itself;
- ``render``: optional keyword arguments for `RenderSpec` (a time range, say);
- ``expect``: what the output must show:
  ``duration_s`` (± one frame), ``pixels`` (the RGB at a time and place),
  ``ink`` (at least a fraction of a box differs from a background colour: a
  caption's glyphs were drawn), ``notes_include`` / ``notes_exclude`` (text
  the render's report must or must not contain), ``error`` (the render fails
  with a message containing this text).

A new form of draft the renderer learns to read gets a case here.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import mediagen
import numpy as np
import pytest
from drafts import PLACEHOLDER

from draftcut.render import RenderSpec, render

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(CORPUS.glob("*.json"))


def _media(folder: Path, cache: Path, spec: dict[str, dict[str, Any]]) -> None:
    local = folder / "Resources" / "local"
    local.mkdir(parents=True, exist_ok=True)
    for name, recipe in spec.items():
        (func, kwargs), = recipe.items()
        kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()}
        made = getattr(mediagen, func)(cache, **kwargs)
        shutil.copyfile(made, local / name)


def _notes(result: Any) -> str:
    return "\n".join(f"{u.feature}: {u.detail}" for u in result.unsupported)


def _check(out: Path, result: Any, expect: dict[str, Any], fps: float) -> None:
    if "duration_s" in expect:
        probe = mediagen.probe_output(out)
        assert abs(probe.duration - expect["duration_s"]) <= 1.5 / fps, (probe.duration, expect["duration_s"])
        assert abs(probe.frames / fps - expect["duration_s"]) <= 1.5 / fps, (probe.frames, expect["duration_s"])
    for px in expect.get("pixels", []):
        frame = mediagen.frame_at(out, px["t"])
        got = frame[px["y"] - 2:px["y"] + 3, px["x"] - 2:px["x"] + 3].reshape(-1, 3).mean(axis=0)
        assert np.abs(got - np.array(px["rgb"])).max() <= px.get("tol", 24), (px, got.round().tolist())
    for ink in expect.get("ink", []):
        frame = mediagen.frame_at(out, ink["t"]).astype(np.int16)
        x0, y0, x1, y1 = ink["box"]
        box = frame[y0:y1, x0:x1]
        away = np.abs(box - np.array(ink["background"])).max(axis=2) > ink.get("tol", 60)
        assert away.mean() >= ink["min_fraction"], (ink, float(away.mean()))
    notes = _notes(result)
    for text in expect.get("notes_include", []):
        assert text in notes, (text, notes)
    for text in expect.get("notes_exclude", []):
        assert text not in notes, (text, notes)


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_corpus_case(case: Path, tmp_path: Path, rmedia: Path) -> None:
    spec = json.loads(case.read_text(encoding="utf-8"))
    assert spec.get("about") and spec.get("fields"), f"{case.name}: document the case (about, fields)"
    folder = tmp_path / "draft"
    _media(folder, rmedia, spec.get("media", {}))
    text = json.dumps(spec["draft"], ensure_ascii=False)
    assert "##_draftpath_placeholder_" not in text or PLACEHOLDER in text
    (folder / "draft_content.json").write_text(text, encoding="utf-8")
    expect = spec["expect"]
    out = tmp_path / "out.mp4"
    if "error" in expect:
        with pytest.raises(Exception, match=expect["error"]):
            render(folder, out, spec=RenderSpec(**spec.get("render", {})))
        return
    result = render(folder, out, spec=RenderSpec(**spec.get("render", {})))
    _check(out, result, expect, float(spec["draft"].get("fps", 30.0)))


def test_the_corpus_is_not_empty() -> None:
    assert CASES, "tests/render/corpus holds no cases"
