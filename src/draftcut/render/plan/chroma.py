"""Chroma key (色度抠图) as an ffmpeg ``colorkey`` filter (pure; no ffmpeg run here).

The app's keyer is its own shader; ``colorkey`` is the nearest ffmpeg filter:
it makes pixels whose RGB distance to the key colour is below `similarity`
transparent and ramps alpha over the next `blend` of distance. The app's
sliders map onto those approximately (both 0–1, distance normalised so 1 is
the widest RGB distance):

- 强度 (``intensity_value``) → similarity ``0.02 + 0.4 × intensity``: more
  strength removes colours further from the key. At the app's full strength a
  pure key colour and anything within 40 % of the RGB range goes.
- 阴影 (``shadow_value``) → blend ``0.02 + 0.2 × shadow``: the app's shadow
  slider keeps some of the subject's darker fringe; a wider blend keeps a
  partly transparent edge instead.

Edge smoothing and spill removal (``edge_smooth_value``, ``spill_value``)
are not drawn. The reader reports every keyed clip as approximated.
"""

from __future__ import annotations

from draftcut.render.model.frames import fmt
from draftcut.render.model.timeline import Chroma

__all__ = ["chroma_filter", "similarity_blend"]


def similarity_blend(chroma: Chroma) -> tuple[float, float]:
    """``(similarity, blend)`` for ``colorkey`` (module docstring)."""
    intensity = min(1.0, max(0.0, chroma.intensity))
    shadow = min(1.0, max(0.0, chroma.shadow))
    return 0.02 + 0.4 * intensity, 0.02 + 0.2 * shadow


def chroma_filter(chroma: Chroma) -> str:
    """The ``colorkey`` filter for an RGBA layer."""
    similarity, blend = similarity_blend(chroma)
    return f"colorkey=color=0x{chroma.color}:similarity={fmt(similarity)}:blend={fmt(blend)}"
