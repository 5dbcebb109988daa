"""Rebuild ``render/fonts/NotoColorEmoji-singles.ttf`` from Debian's Noto Color Emoji.

Why a subset: the full font is 11 MB, twice every other bundled font
together. The text rasteriser draws one code point at a time from this face
(it does not shape emoji sequences), so the subset keeps every glyph the cmap
maps a single code point to and drops the GSUB sequences (skin tones, ZWJ
families, flags), whose pictures are most of the file. What is left is the
same CBDT bitmaps, byte for byte, for about 1,500 emoji (~3 MB).

Reproduce, from the repository root, with fontTools installed anywhere
(it is not a draftcut dependency)::

    apt-get download fonts-noto-color-emoji          # 2.042-0+deb12u1 (Debian 12)
    dpkg-deb -x fonts-noto-color-emoji_*.deb /tmp/emoji
    python scripts/subset_emoji_font.py /tmp/emoji/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf

The output is deterministic for a given input and fontTools version.
"""

from __future__ import annotations

import argparse
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src/draftcut/render/fonts/NotoColorEmoji-singles.ttf"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="NotoColorEmoji.ttf from the Debian package")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    from fontTools import subset  # imported here: an optional tool, not a runtime dependency
    from fontTools.ttLib import TTFont

    font = TTFont(args.source, recalcTimestamp=False)  # keep head.modified: same input, same bytes
    options = subset.Options()
    options.layout_features = []  # no GSUB: sequences are not drawn, and they are most of the bytes
    options.name_IDs = ["*"]  # keep the copyright and licence records
    options.name_languages = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=font.getBestCmap().keys())
    subsetter.subset(font)
    font.save(args.out)
    print(f"{args.out}: {args.out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
