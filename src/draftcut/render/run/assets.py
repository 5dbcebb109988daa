"""Files a plan needs before ffmpeg runs: text rasters, mask images, graph and command files."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from PIL import Image

from draftcut.render.model.resources import OutputFormat, TextAsset
from draftcut.render.model.timeline import MaskShape, NoteKind, Timeline, Unsupported
from draftcut.render.plan.graph import MaskRequest
from draftcut.render.run.masks import render_mask
from draftcut.render.text import TextState, rasterize_states
from draftcut.render.text.states import text_states

__all__ = ["scaled_text", "write_files", "write_masks", "write_texts"]


def _centred(image: Image.Image, center: tuple[float, float]) -> Image.Image:
    """Pad `image` so that `center` becomes its middle (the overlay anchors on the middle)."""
    w, h = image.size
    cx, cy = center
    new_w = max(2, 2 * round(max(cx, w - cx)))
    new_h = max(2, 2 * round(max(cy, h - cy)))
    canvas = Image.new("RGBA", (new_w, new_h), (0, 0, 0, 0))
    canvas.paste(image, (round(new_w / 2 - cx), round(new_h / 2 - cy)))
    return canvas


def write_texts(tl: Timeline, fmt: OutputFormat, workdir: Path) -> tuple[dict[str, TextAsset], list[Unsupported]]:
    """Rasterise every text clip at the output canvas size: once per material, 花字 and animation states.

    A text whose animations change the text itself (`_text_states`) gets one
    PNG per state, all the size of its full picture.
    """
    assets: dict[str, TextAsset] = {}
    drawn: dict[tuple[Any, ...], tuple[TextAsset, tuple[str, ...]]] = {}
    notes: list[Unsupported] = []
    for clip in tl.visuals:
        if clip.kind != "text" or clip.text is None:
            continue
        timed = text_states(clip.text, clip.animations)
        key = (clip.material_id, clip.text_effect, tuple(timed))
        if key not in drawn:
            # the states, then the full text (the asset's own picture, and its size)
            states = [*(state for _, state in timed), TextState()]
            rasters = rasterize_states(clip.text, fmt.width, fmt.height, states, effect_name=clip.text_effect)
            paths: list[Path] = []
            for raster in rasters:
                path = workdir / f"text{len(drawn)}_{len(paths)}.png"
                image = _centred(raster.image.convert("RGBA"), raster.box_center)
                image.save(path, compress_level=1)  # written and read once: speed over size
                paths.append(path)
            full, (width, height) = paths[-1], image.size
            state_paths = tuple((t, p) for (t, _), p in zip(timed, paths, strict=False))
            drawn[key] = (TextAsset(full, width, height, state_paths), rasters[-1].unsupported)
        asset, unsupported = drawn[key]
        assets[clip.segment_id] = asset
        notes.extend(Unsupported(clip.segment_id, "text", note, _text_kind(note)) for note in unsupported)
    return assets, notes


def _text_kind(note: str) -> NoteKind:
    """The rasteriser's notes are plain words: 花字 and malformed content say how they were drawn
    ("approximated", "drawn as …"); an app font is drawn in a bundled one. The rest (glow, curved
    text, gradient fills, missing glyphs, unknown tags) are left out of the picture."""
    return "approximated" if "approximated" in note or "drawn as" in note or note.startswith("font ") else "omitted"


def scaled_text(asset: TextAsset, factor: float) -> TextAsset:
    """A caption raster drawn for the full canvas, as a layer `factor` (< 1) times its size.

    The planner sizes a text layer from the asset's width and height and
    scales the PNG to that, so the same file serves every smaller output.
    """
    if factor >= 1:
        return asset
    return replace(asset, width=max(2, round(asset.width * factor)), height=max(2, round(asset.height * factor)))


def write_masks(requests: Iterable[MaskRequest], workdir: Path) -> None:
    for req in requests:
        assert isinstance(req.shape, MaskShape)
        render_mask(req.shape, req.width, req.height).save(workdir / req.name)


def write_files(files: Mapping[str, str], workdir: Path) -> None:
    for name, text in files.items():
        (workdir / name).write_text(text, encoding="utf-8")
