"""Audio effects (场景音, 音色, 声音成曲) → ffmpeg filter chains that approximate them.

The app's effects are DSP resources we do not have, so each is approximated
by a recipe read off its name: ``data/audio_effects.json`` maps catalogue
names (and, for names it does not list, keywords) to a preset, and a preset
to one of the builders below with its settings. Draft parameters
(``audio_adjust_params``) steer the recipe where their meaning is plain:
strength scales the wet level or the distortion, room size the reverb tail,
pitch the shift of a voice effect. Every effect is reported: rendered ones as
approximated, the rest as not rendered.

The filters run on one clip's sound at the output sample rate, after its
speed and before its volume. ``{rate}`` and ``{rate*X}`` in a filter stand for
the sample rate and its multiple (``plan/audio.py`` fills them in). Reverb and
echo output depends on up to `tail` µs of earlier sound; a window that starts
inside the clip feeds that much in first and cuts it off after the effect.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from draftcut.render.model.frames import fmt
from draftcut.render.read.values import as_float

__all__ = ["AudioEffect", "read_audio_effect"]


@dataclass(frozen=True, slots=True)
class AudioEffect:
    """One `audio_effects` material as the renderer plays it."""

    name: str
    filters: tuple[str, ...]
    """Empty when the effect is not rendered."""
    tail: int
    """µs of earlier sound the filters' output depends on."""
    detail: str
    """What the `Unsupported` note says: approximated how, or not rendered."""


Settings = Mapping[str, Any]
Params = dict[str, tuple[float, float]]
"""role → (value, default value), both normalised to 0–1 over the parameter's range."""
Built = tuple[list[str], float, str]
"""(filters, tail in seconds, description)."""


def _load() -> dict[str, Any]:
    text = (resources.files("draftcut.render") / "data" / "audio_effects.json").read_text(encoding="utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc


def _key(name: str) -> str:
    return "".join(str(name).split()).lower()


_SETTLE_S = 0.1
"""Earlier sound every effect is given on top of its own tail: filter state, FFT frames, atempo's window."""

_TABLE = _load()
_ROLES = {_key(name): role for role, names in _TABLE["params"].items() for name in names}
_EFFECTS = {_key(name): value for name, value in _TABLE["effects"].items()}
_KEYWORDS = [(_key(word), preset) for word, preset in _TABLE["keywords"]]


def _param(params: Params, role: str, default: float) -> float:
    return params[role][0] if role in params else default


def _clamp(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return min(high, max(low, value))


def _ms(values: list[float]) -> str:
    return "|".join(fmt(round(v, 1)) for v in values)


def _taps(delays_ms: list[float], gains: list[float], dry: float = 1.0) -> str:
    """aecho as a feed-forward multi-tap delay: dry + Σ gain·x(t − delay), power kept about level."""
    out_gain = 1.0 / math.sqrt(dry * dry + sum(g * g for g in gains))
    return (f"aecho=in_gain={fmt(dry)}:out_gain={fmt(min(1.0, out_gain))}:delays={_ms(delays_ms)}"
            f":decays={'|'.join(fmt(round(_clamp(g), 4)) for g in gains)}")


def _reverb(cfg: Settings, params: Params) -> Built:
    """Early reflections then a late tail, two multi-tap echoes in series (64 taps, no afir)."""
    room = _clamp(_param(params, "room", float(cfg.get("room", 0.5))))
    wet = float(cfg.get("wet", 0.5)) * _param(params, "strength", 1.0)
    if wet <= 0.01:
        return [], 0.0, "strength 0: unchanged"
    t60 = 0.25 + 2.25 * room  # seconds to decay by 60 dB

    def gain(ms: float) -> float:
        return math.exp(-6.91 * ms / 1000 / t60)

    early = [ms * (0.6 + 0.8 * room) for ms in (11, 17, 23, 31, 41, 53, 67, 79)]
    late = [t60 * 1000 * f for f in (0.07, 0.11, 0.16, 0.22, 0.3, 0.4, 0.53, 0.7)]
    filters = [_taps(early, [wet * 0.8 * gain(ms) for ms in early]),
               _taps(late, [wet * 0.7 * gain(ms) for ms in late])]
    return filters, (max(early) + max(late)) / 1000, f"reverb, {t60:.1f} s tail"


def _echo(cfg: Settings, params: Params) -> Built:
    delay = float(cfg.get("delay_ms", 300))
    feedback = float(cfg.get("feedback", 0.5))
    if "quantity" in params:
        feedback = 0.2 + 0.6 * params["quantity"][0]
    wet = float(cfg.get("wet", 0.6)) * _param(params, "strength", 1.0)
    gains: list[float] = []
    while wet * feedback ** len(gains) >= 0.03 and len(gains) < 12:
        gains.append(wet * feedback ** len(gains))
    if not gains:
        return [], 0.0, "strength 0: unchanged"
    delays = [delay * (i + 1) for i in range(len(gains))]
    return [_taps(delays, gains)], delays[-1] / 1000, f"echo every {delay:g} ms"


def _distortion(cfg: Settings, strength: float) -> list[str]:
    filters = []
    crush = float(cfg.get("crush", 0.0)) * strength
    if crush > 0 and "bits" in cfg:
        filters.append(f"acrusher=bits={fmt(float(cfg['bits']))}:mode=log:aa=1:mix={fmt(_clamp(crush))}")
    drive = 1.0 + float(cfg.get("drive", 0.0)) * strength
    if drive > 1.01:
        filters += [f"volume={fmt(drive)}", "asoftclip=type=tanh", f"volume={fmt(1.5 / math.sqrt(drive))}"]
    return filters


def _band(cfg: Settings, params: Params) -> Built:
    """Band-limited (fourth-order edges), with bit-crushing or overdrive before the band filters."""
    low, high = float(cfg.get("low", 300)), float(cfg.get("high", 3400))
    filters = _distortion(cfg, _param(params, "strength", 1.0))
    filters += [f"highpass=f={fmt(low)}", f"highpass=f={fmt(low)}", f"lowpass=f={fmt(high)}", f"lowpass=f={fmt(high)}"]
    what = "overdriven, " if "drive" in cfg else ("crushed, " if "bits" in cfg else "")
    return filters, 0.0, f"{what}band-limited to {low:g}–{high:g} Hz"


def _robot(cfg: Settings, params: Params) -> Built:
    """Phases zeroed per 1024-sample FFT frame: a monotone buzz at the 187.5 Hz hop rate (48 kHz)."""
    filters = ["afftfilt=real='hypot(re,im)':imag='0':win_size=1024:overlap=0.75", "volume=4.5"]
    return filters + _distortion({**cfg, "crush": 0.6} if "bits" in cfg else cfg, 1.0), 0.0, "robot voice"


def _crush(cfg: Settings, params: Params) -> Built:
    mix = _clamp(_param(params, "strength", 1.0))
    bits, samples = float(cfg.get("bits", 4)), float(cfg.get("samples", 1))
    return ([f"acrusher=bits={fmt(bits)}:samples={fmt(samples)}:mode=lin:aa=0:mix={fmt(mix)}"], 0.0,
            f"bit-crushed to {bits:g} bits")


def _muffle(cfg: Settings, params: Params) -> Built:
    cutoff = float(cfg.get("cutoff", 800))
    if "deep_cutoff" in cfg:
        depth = _param(params, "depth", 0.5)
        cutoff = cutoff * (float(cfg["deep_cutoff"]) / cutoff) ** depth
    return [f"lowpass=f={fmt(round(cutoff))}"] * 2, 0.0, f"muffled below {cutoff:.0f} Hz"


def _eq(cfg: Settings, params: Params) -> Built:
    strength = _param(params, "strength", 1.0)
    filters = []
    if "low_cut" in cfg:
        filters.append(f"highpass=f={fmt(float(cfg['low_cut']))}")
    if "bass" in cfg:
        filters.append(f"bass=g={fmt(float(cfg['bass']) * strength)}:f=100")
    if "treble" in cfg:
        filters.append(f"treble=g={fmt(float(cfg['treble']) * strength)}:f=3000")
    if "mid" in cfg:
        filters.append(f"equalizer=f={fmt(float(cfg.get('mid_hz', 3000)))}:t=o:w=1.5"
                       f":g={fmt(float(cfg['mid']) * strength)}")
    return filters, 0.0, "equaliser"


def _vibrato(cfg: Settings, params: Params) -> Built:
    hz = 1.0 + 11.0 * params["rate"][0] if "rate" in params else float(cfg.get("hz", 6))
    depth = _param(params, "amount", float(cfg.get("depth", 0.5)))
    return [f"vibrato=f={fmt(hz)}:d={fmt(_clamp(depth))}"], 0.0, f"vibrato at {hz:.1f} Hz"


def _tremolo(cfg: Settings, params: Params) -> Built:
    hz = float(cfg.get("hz", 8))
    depth = _clamp(float(cfg.get("depth", 0.7)) * _param(params, "strength", 1.0))
    return [f"tremolo=f={fmt(hz)}:d={fmt(depth)}"], 0.0, f"tremolo at {hz:g} Hz"


def _pan(cfg: Settings, params: Params) -> Built:
    amount = _clamp(_param(params, "strength", 1.0))
    hz = float(cfg.get("hz", 0.2))
    return [f"apulsator=hz={fmt(hz)}:amount={fmt(amount)}"], 0.0, "sound circling left and right"


def _widen(cfg: Settings, params: Params) -> Built:
    amount = 1.0 + (float(cfg.get("amount", 2.5)) - 1.0) * _param(params, "strength", 1.0)
    return [f"extrastereo=m={fmt(amount)}"], 0.0, "stereo widened"


def _phaser(cfg: Settings, params: Params) -> Built:
    return [f"aphaser=type=t:speed={fmt(float(cfg.get('speed', 0.5)))}:decay=0.6"], 0.0, "phaser"


def _pitch(cfg: Settings, params: Params) -> Built:
    """Resampled up or down, then time-stretched back: the pitch moves, the duration stays."""
    semitones = float(cfg.get("semitones", 0))
    if "pitch" in params:  # the draft's 音调 scales the effect's own shift, its default giving the preset's
        value, default = params["pitch"]
        semitones *= value / default if default > 0 else value
    semitones = max(-12.0, min(12.0, semitones))
    if abs(semitones) < 0.05:
        return [], 0.0, "pitch unchanged"
    ratio = 2 ** (semitones / 12)
    return ([f"asetrate={{rate*{ratio:.6f}}}", "aresample={rate}", f"atempo={fmt(1 / ratio)}"], 0.0,
            f"pitch {semitones:+.1f} semitones")


_BUILDERS: dict[str, Callable[[Settings, Params], Built]] = {
    "reverb": _reverb, "echo": _echo, "band": _band, "robot": _robot, "crush": _crush, "muffle": _muffle,
    "eq": _eq, "vibrato": _vibrato, "tremolo": _tremolo, "pan": _pan, "widen": _widen, "phaser": _phaser,
    "pitch": _pitch,
}


def _recipe(name: str) -> Settings | None:
    """The settings for an effect name: its table entry, else the first keyword it contains."""
    key = _key(name)
    entry = _EFFECTS.get(key)
    if entry is None:
        entry = next((preset for word, preset in _KEYWORDS if word in key), None)
    if entry is None:
        return None
    if isinstance(entry, str):
        entry = {"like": entry}
    base = _TABLE["presets"].get(entry.get("like"), {})
    return {**base, **{k: v for k, v in entry.items() if k != "like"}}


def _params(mat: Mapping[str, Any]) -> Params:
    """The draft's `audio_adjust_params` by role (``params`` in the table); unknown names are left out."""
    out: Params = {}
    raw = mat.get("audio_adjust_params")
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, Mapping):
            continue
        role = _ROLES.get(_key(str(item.get("name", ""))))
        if role is None:
            continue
        low, high = as_float(item.get("min_value"), 0.0), as_float(item.get("max_value"), 1.0)
        span = high - low if high > low else 1.0
        default = as_float(item.get("default_value"), high)
        value = as_float(item.get("value"), default)
        out[role] = (_clamp((value - low) / span), _clamp((default - low) / span))
    return out


def read_audio_effect(mat: Mapping[str, Any]) -> AudioEffect:
    """The approximation of one `audio_effects` material, or a not-rendered one."""
    name = str(mat.get("name") or mat.get("resource_id") or mat.get("id") or "")
    category = str(mat.get("category_id") or "")
    recipe = _recipe(name) if category != "speech_to_song" else None
    if recipe is None or recipe.get("kind") not in _BUILDERS:
        why = " (speech to song)" if category == "speech_to_song" else ""
        return AudioEffect(name, (), 0, f"{name}{why}: not rendered")
    params = _params(mat)
    filters, tail, description = _BUILDERS[str(recipe["kind"])](recipe, params)
    skipped = [label for role, label in _TABLE["ignored_params"].items()
               if role in params and params[role][0] > 0]
    extra = "".join(f"; {label} not added" for label in skipped)
    return AudioEffect(name, tuple(filters), math.ceil((tail + _SETTLE_S) * 1_000_000) if filters else 0,
                       f"{name}: approximated ({description}{extra})")
