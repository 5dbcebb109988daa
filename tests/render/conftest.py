"""Fixtures for renderer tests: cached generated media and a render-and-read helper."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from checks import RenderFn  # noqa: E402
from drafts import Draft  # noqa: E402

from draftcut.render import RenderResult, RenderSpec, render  # noqa: E402


@pytest.fixture(scope="session")
def rmedia(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("render-media")


@pytest.fixture
def render_draft(tmp_path: Path) -> RenderFn:
    """Save a `Draft` into a folder and render it; keyword args go to `RenderSpec`."""
    count = 0

    def run(draft: Draft, **spec: Any) -> RenderResult:
        nonlocal count
        count += 1
        folder = draft.save(tmp_path / f"draft{count}")
        return render(folder, tmp_path / f"out{count}.mp4", spec=RenderSpec(**spec))

    return run
