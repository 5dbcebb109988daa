"""Files a plan needs before ffmpeg runs: text rasters, mask images, graph and command files."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from PIL import Image

from draftcut.render._graph import MaskRequest
from draftcut.render._masks import render_mask
from draftcut.render._model import MaskShape, Timeline, Unsupported
from draftcut.render._resources import OutputFormat, TextAsset
from draftcut.render._text import rasterize_text

__all__ = ["write_files", "write_masks", "write_texts"]


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
    """Rasterise every text clip once per material at the output canvas size."""
    assets: dict[str, TextAsset] = {}
    by_material: dict[str, tuple[TextAsset, tuple[str, ...]]] = {}
    notes: list[Unsupported] = []
    for clip in tl.visuals:
        if clip.kind != "text" or clip.text is None:
            continue
        if clip.material_id not in by_material:
            raster = rasterize_text(clip.text, fmt.width, fmt.height)
            image = _centred(raster.image.convert("RGBA"), raster.box_center)
            path = workdir / f"text{len(by_material)}.png"
            image.save(path)
            by_material[clip.material_id] = (TextAsset(path, image.width, image.height), raster.unsupported)
        asset, unsupported = by_material[clip.material_id]
        assets[clip.segment_id] = asset
        notes.extend(Unsupported(clip.segment_id, "text", note) for note in unsupported)
    return assets, notes


def write_masks(requests: Iterable[MaskRequest], workdir: Path) -> None:
    for req in requests:
        assert isinstance(req.shape, MaskShape)
        render_mask(req.shape, req.width, req.height).save(workdir / req.name)


def write_files(files: Mapping[str, str], workdir: Path) -> None:
    for name, text in files.items():
        (workdir / name).write_text(text, encoding="utf-8")
