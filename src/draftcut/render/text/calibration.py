"""Every unit conversion the text renderer makes, with where each number comes from.

Jianying documents none of its text units, so each constant here is either
measured against a real export (said so), read off what pyJianYingDraft
stores, or a plain choice of ours (said so). No other module converts a draft
unit or picks a size: to recalibrate, change it here and nowhere else.

Calibrated against a real export
    ``size`` → pixel em (:func:`text_px_size`).

Still open (no measurement yet; the simplest reading, relative to the em so
that every effect scales with the text)
    line spacing, letter spacing, stroke width, shadow distance and blur,
    background padding. soatori/jianying-preview (the source of the size rule)
    lists the same quantities as "未标定" (uncalibrated) and uses the same
    readings for line spacing, letter spacing, strokes and shadow distance.
"""

from __future__ import annotations

import math

__all__ = ["text_px_size"]

# --------------------------------------------------------------------------- size

# Jianying `size` → pixel em: em_px = size × canvas_width / 160.
# Source: soatori/jianying-preview, references/calibration-and-oracle.md
# ("文字尺寸：已用真实导出标定", 2026-09-28) — the only calibration published
# against a real Jianying export: on a 1080×1920 export, captions at size 10
# advance 67.5 / 67.8 px per CJK character (= 1080/160 × 10) with an ink height
# consistent with the font's ink/em; cross-checked on a landscape draft, whose
# default caption size 6 gives 1920/160 × 6 = 72 px, the same absolute size.
# So the em follows the canvas WIDTH, not its short side: size 10 on 1080 wide
# is 67.5 px, size 6 on 1920 wide is 72 px.
EM_PX_PER_SIZE_PER_CANVAS_WIDTH = 1.0 / 160.0

DEFAULT_SIZE = 8.0  # pyJianYingDraft TextStyle default, when neither style nor material gives one
MAX_EM = 2048  # em clamp in px: size 100 on a 3840-px-wide canvas would be 2400 px
MAX_SIDE = 16384  # refuse to allocate an image beyond this many pixels per side

# --------------------------------------------------------------------------- layout (open)

# line_spacing as stored (pyJianYingDraft: 0.02 + UI × 0.05) is read as extra
# gap between lines in em of the taller line; letter_spacing (UI × 0.05) as
# extra advance in em. Uncalibrated.
DEFAULT_LINE_SPACING = 0.02  # pyJianYingDraft default (UI 0)
DEFAULT_LINE_MAX_WIDTH = 0.82  # wrap width as a share of the canvas width; pyJianYingDraft / app default

# --------------------------------------------------------------------------- strokes, shadows, background (open)

STROKE_EM_PER_WIDTH = 1.0  # strokes[].width (lib: UI/100 × 0.2) × em: UI 40 → 0.08 em; uncalibrated
SHADOW_EM_PER_DISTANCE = 0.01  # shadows[].distance (UI 0–100, stored as is) as % of the em; uncalibrated
SHADOW_EM_PER_DIFFUSE = 1.0  # shadows[].diffuse (lib: UI/100/6) × em = Gaussian radius; uncalibrated
SHADOW_DEFAULT_ANGLE = -45.0  # degrees ccw from +x; pyJianYingDraft's default, = down-right
BACKGROUND_EM_PER_PAD = 1.0  # background_width/height (UI 0–1) × em = padding; uncalibrated
DEFAULT_BACKGROUND_PAD = 0.14  # pyJianYingDraft default background_width/height

# --------------------------------------------------------------------------- synthetic faces (our choices)

# The bundled font has one regular face, so bold, italic and underline are drawn
# synthetically; these are looks we chose, not measurements.
ITALIC_SHEAR = math.tan(math.radians(12.0))  # oblique slant of a typical italic
BOLD_EM = 0.03  # bold = outline in the fill colour, 3 % of the em
UNDERLINE_EM = (0.10, 0.06)  # (offset below the baseline, thickness), in em

# --------------------------------------------------------------------------- 花字 approximation (our choices)

# Jianying's text effects are app resources we do not have; effects.py draws a
# look guessed from the effect's title. These sizes are ours, chosen to look
# like the common presets at caption sizes; nothing here is measured.
EFFECT_STROKE_EM = 0.12  # "描边" and the fallback look: a thick outline
EFFECT_HOLLOW_STROKE_EM = 0.05  # "镂空": the thin outline left when the fill is knocked out
EFFECT_GLOW_SPREAD_EM = 0.06  # "发光": halo grown this far past the outermost edge...
EFFECT_GLOW_BLUR_EM = 0.10  # ...then Gaussian-blurred with this radius
EFFECT_3D_OFFSET_EM = 0.07  # "立体": hard extrusion towards the bottom right
EFFECT_3D_STEPS = 4  # extrusion drawn as this many stacked hard shadows, so it has no gaps
EFFECT_3D_SHADE = 0.4  # extrusion colour = outermost colour × this
EFFECT_GRADIENT_SHADE = 0.6  # "渐变" with one colour: top = colour, bottom = colour × this
# gradient span (em above, em below the baseline): the ink of a CJK glyph in the
# bundled font ("国" inks 0.78 em up, 0.09 em down), so the full ramp shows on it
EFFECT_GRADIENT_SPAN_EM = (0.80, 0.10)
EFFECT_SHADOW = (0.05, 0.06, 0.6)  # fallback soft drop shadow: (offset em, blur em, alpha)


def text_px_size(size: float, canvas_w: int, canvas_h: int) -> float:
    """Jianying ``size`` → pixel em on a ``canvas_w × canvas_h`` canvas.

    ``size × canvas_w / 160`` (see EM_PX_PER_SIZE_PER_CANVAS_WIDTH): size 10 is
    67.5 px on 1080×1920, size 6 is 72 px on 1920×1080. ``canvas_h`` does not
    enter the rule; it stays in the signature so callers need not know that.
    Monotonic in `size`.
    """
    del canvas_h
    return float(size) * canvas_w * EM_PX_PER_SIZE_PER_CANVAS_WIDTH
