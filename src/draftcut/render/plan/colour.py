"""One colour policy for every output frame: BT.709 matrix, primaries and transfer, limited (tv) range.

Why it must be pinned: a render is several windows, each its own ffmpeg
graph, joined with the concat demuxer without re-encoding. ffmpeg negotiates
colour range and matrix per graph, so a window holding a JPEG (full-range
``yuvj420p``) came out full range while the others were limited. The joined
stream carries the first window's flags, and a player decoding from the
start then shows every later window wrongly (black as (16,16,16), colours
10–15 levels off). So every window ends in a ``format`` that admits only
BT.709/tv (libavfilter then converts where pixels enter, in the scale a
layer already runs, not in an extra full-frame pass), tags primaries and
transfer, and the encoder writes the same flags into the stream.

BT.709 for every size: the output is tagged, so players need not guess from
the size. Inputs that tag their matrix are converted from it; YUV inputs that
do not are read the way players read them, by size (BT.709 from 1280 wide or
more than 576 lines, SMPTE 170M/BT.601 below), which also leaves untagged HD
footage untouched instead of converting it.
"""

from __future__ import annotations

__all__ = ["ENCODER_FLAGS", "OUTPUT_FILTERS", "SCALE_TO_OUTPUT", "input_tag", "untagged_matrix"]

OUTPUT_FILTERS = ("format=pix_fmts=yuv420p:color_spaces=bt709:color_ranges=tv",
                  "setparams=color_primaries=bt709:color_trc=bt709")
"""Last filters of every video graph: pixels in BT.709/tv, frames tagged to match."""

SCALE_TO_OUTPUT = "out_color_matrix=bt709:out_range=tv"
"""Options of the scale every layer already runs, so pixels are converted there, once, at the layer's size.

Left to format negotiation, the conversion lands after the last filter that
accepts any colourspace (e.g. after ``xfade``), a second full-canvas swscale
pass per frame: it cost a 1080x1920 window with a transition twice its filter time.
"""

ENCODER_FLAGS = ("-color_range", "tv", "-colorspace", "bt709", "-color_primaries", "bt709",
                 "-color_trc", "bt709")
"""The same in the H.264 stream's VUI, identical in every window."""

_UNSPECIFIED = {2, 3}  # AVCOL_SPC_UNSPECIFIED, AVCOL_SPC_RESERVED


def untagged_matrix(pix_fmt: str, colorspace: int, width: int, height: int) -> str | None:
    """The matrix to assume for a YUV frame that names none; None when it names one or is not YUV."""
    name = pix_fmt.lower()
    if not name.startswith(("yuv", "nv")) or colorspace not in _UNSPECIFIED:
        return None
    return "bt709" if width >= 1280 or height > 576 else "smpte170m"


def input_tag(matrix: str | None) -> list[str]:
    """Filters that name an untagged input's matrix, so the layer's scale converts from the right one."""
    return [f"setparams=colorspace={matrix}"] if matrix else []
