"""Pure planning pieces: import hygiene, windows, transition spans, curves, masks."""

from __future__ import annotations

import ast
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from draftcut.render.model.curves import curve_expr, evaluate
from draftcut.render.model.frames import fps_fraction, frame_of, sample_of_frame
from draftcut.render.model.timeline import MaskShape, Timeline, Transition, VisualClip
from draftcut.render.plan.spans import build_spans
from draftcut.render.plan.windows import cut_windows, render_range
from draftcut.render.read.transitions import xfade_kind
from draftcut.render.run.masks import render_mask

RENDER = Path(__file__).resolve().parents[2] / "src" / "draftcut" / "render"
STAGES = {"model": 0, "read": 1, "plan": 2, "text": 2, "run": 3, "preview": 4}
"""The pipeline order of render/'s packages: a module imports from its own stage or earlier ones only."""


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _module_path(name: str) -> Path:
    rel = Path(*name.split(".")[2:])
    return RENDER / rel / "__init__.py" if (RENDER / rel).is_dir() else RENDER / f"{rel}.py"


def test_planner_imports_neither_av_nor_subprocess() -> None:
    seen: set[str] = set()
    todo = [f"draftcut.render.{stage}.{p.stem}" for stage in ("model", "read", "plan")
            for p in (RENDER / stage).glob("*.py")]
    assert len(todo) > 30
    while todo:
        mod = todo.pop()
        if mod in seen:
            continue
        seen.add(mod)
        for name in _imports(_module_path(mod)):
            assert name.split(".")[0] not in ("av", "subprocess"), f"{mod} imports {name}"
            if name.startswith("draftcut.render."):
                todo.append(name)


def test_render_layout_follows_the_pipeline() -> None:
    """read → plan → run: no stage imports a later one, and every module sits in a stage's package."""
    loose = sorted(p.name for p in RENDER.glob("*.py") if p.name not in ("__init__.py", "cli.py"))
    assert loose == []
    for path in RENDER.rglob("*.py"):
        stage = path.relative_to(RENDER).parts[0]
        if stage not in STAGES:
            continue
        for name in _imports(path):
            parts = name.split(".")
            if parts[:2] != ["draftcut", "render"] or len(parts) < 3 or parts[2] not in STAGES:
                continue
            other = parts[2]
            assert STAGES[other] <= STAGES[stage] and {stage, other} != {"plan", "text"}, (
                f"{path.relative_to(RENDER)} ({stage}) imports {name} ({other})")


def test_frame_grid_is_exact() -> None:
    assert fps_fraction(29.97) == Fraction(30000, 1001)
    assert frame_of(1_866_667, Fraction(30)) == 56  # app times are frame boundaries rounded to µs
    assert frame_of(2_633_334, Fraction(30)) == 79
    assert sample_of_frame(30, Fraction(30), 48_000) == 48_000


def test_windows_avoid_xfade_and_bound_inputs() -> None:
    windows = cut_windows(300, 100, forbidden=[(90, 120)], spans=[(0, 300, 1.0)], max_inputs=10)
    assert windows[0] == (0, 120) and windows[-1][1] == 300
    assert all(b > a for a, b in windows)
    crowded = [(i, i + 5, 1.0) for i in range(0, 100, 2)]
    small = cut_windows(100, 100, forbidden=[], spans=crowded, max_inputs=6)
    assert len(small) > 1 and sum(b - a for a, b in small) == 100
    assert render_range(100, 101, [(90, 120)]) == (90, 120)


def _clip(seg: str, start: int, duration: int, track: int = 0, transition: Transition | None = None) -> VisualClip:
    return VisualClip(segment_id=seg, kind="photo", material_id=seg, start=start, duration=duration,
                      z=(track, track), track=track, media=Path("/x.png"), transition=transition)


def test_transition_window_is_centred_on_the_cut() -> None:
    fade = Transition("叠化", 1_000_000, "fade")
    tl = Timeline(320, 240, 30.0, 4_000_000, (_clip("a", 0, 2_000_000, transition=fade),
                                               _clip("b", 2_000_000, 2_000_000)), (), base_track=0)
    spans, notes = build_spans(tl, Fraction(30))
    a, b = spans
    assert (a.f0, a.f1, a.post) == (0, 60, 15)
    assert (b.a, b.f0, b.pre, b.xfade_frames) == (45, 60, 15, 30)
    assert not notes


def test_transition_off_the_bottom_track_is_a_dissolve() -> None:
    wipe = Transition("向左擦除", 1_000_000, "wipeleft")
    tl = Timeline(320, 240, 30.0, 4_000_000, (_clip("a", 0, 2_000_000, 1, wipe),
                                               _clip("b", 2_000_000, 2_000_000, 1)), (), base_track=0)
    spans, notes = build_spans(tl, Fraction(30))
    assert spans[1].fade_in == (45, 75) and spans[1].xfade is None
    assert [n.feature for n in notes] == ["transition"]


def test_transition_is_clamped_to_short_segments() -> None:
    long = Transition("叠化", 3_000_000, "fade")
    tl = Timeline(320, 240, 30.0, 3_000_000, (_clip("a", 0, 1_000_000, transition=long),
                                               _clip("b", 1_000_000, 2_000_000)), (), base_track=0)
    a, b = build_spans(tl, Fraction(30))[0]
    assert b.pre <= 30 and a.post <= 60 and b.xfade_frames == b.pre + a.post


@pytest.mark.parametrize(("name", "kind", "mapped"), [
    ("叠化", "fade", True), ("闪黑", "fadeblack", True), ("闪白", "fadewhite", True),
    ("向左", "slideleft", True), ("向右擦除", "wiperight", True), ("圆形遮罩", "circleopen", True),
    ("Dissolve", "fade", True), ("冰雪结晶", "fade", False),
])
def test_transition_table(name: str, kind: str, mapped: bool) -> None:
    assert xfade_kind(name) == (kind, mapped)


def _eval_expr(expr: str, t: float) -> float:
    env = {"lt": lambda a, b: float(a < b), "t": t,
           "if": None}
    code = expr.replace("if(", "_if(")
    return float(eval(code, {"_if": lambda c, a, b: a if c else b, **env}))  # noqa: S307


def test_curve_expression_matches_python_evaluation() -> None:
    curve = ((0, 1.0), (500_000, 3.0), (2_000_000, -1.0))
    expr = curve_expr(curve, "t")
    for t in (-1.0, 0.0, 0.25, 0.5, 1.0, 1.999, 2.0, 5.0):
        assert _eval_expr(expr, t) == pytest.approx(evaluate(curve, t * 1e6), abs=1e-5)


def test_masks() -> None:
    circle = np.asarray(render_mask(MaskShape("circle", width=0.5, height=0.5), 100, 100))
    assert circle[50, 50] == 255 and circle[0, 0] == 0 and circle[50, 24] < 128 < circle[50, 27]
    inverted = np.asarray(render_mask(MaskShape("circle", width=0.5, height=0.5, invert=True), 100, 100))
    assert inverted[50, 50] == 0 and inverted[0, 0] == 255
    moved = np.asarray(render_mask(MaskShape("circle", center_x=0.5, center_y=0.5, width=0.2, height=0.2), 100, 100))
    assert moved[25, 75] == 255 and moved[75, 25] == 0  # +y is up
    line = np.asarray(render_mask(MaskShape("line"), 100, 100))
    assert line[10, 50] == 255 and line[90, 50] == 0  # keeps the upper part
    turned = np.asarray(render_mask(MaskShape("line", rotation=90), 100, 100))
    assert turned[50, 90] == 255 and turned[50, 10] == 0  # clockwise: "up" turns to the right
    mirror = np.asarray(render_mask(MaskShape("mirror", height=0.2), 100, 100))
    assert mirror[50, 50] == 255 and mirror[20, 50] == 0
    rect = np.asarray(render_mask(MaskShape("rectangle", width=0.8, height=0.4, round_corner=1.0), 100, 100))
    assert rect[50, 15] == 255 and rect[31, 11] == 0 and rect[20, 50] == 0
    soft = np.asarray(render_mask(MaskShape("circle", width=0.8, height=0.8, feather=1.0), 100, 100))
    assert 0 < soft[50, 15] < 255
    for shape in ("heart", "star"):
        m = np.asarray(render_mask(MaskShape(shape, width=0.6, height=0.6), 100, 100))  # type: ignore[arg-type]
        assert m[55, 50] == 255 and m[2, 2] == 0 and m[98, 98] == 0
