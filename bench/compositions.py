"""The render benchmark's compositions, built only through draftcut's HTTP API.

Each composition is a function that makes the capcut-mate calls a workflow
would make (create_draft, add_videos, add_audios, add_images, add_captions,
add_keyframes), with the `*_infos` arrays sent as JSON strings as Coze and n8n
send them. Nothing here writes draft JSON: a draft built by hand hid the
empty-track bug of issue 7 item 3, so the benchmark measures what users get.

Compositions that need an endpoint the server does not list in its
`/openapi.json` are skipped (see `Composition.needs`), never faked.

Times scale with `Geometry.duration` (20 s by default) and sizes with
`Geometry.scale`, so a smoke run can use a tiny, short version of the same
timeline. The media are synthetic (ffmpeg lavfi sources) and generated once
per size and duration under `bench/out/media/`.
"""

from __future__ import annotations

import json
import math
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import imageio_ffmpeg

__all__ = [
    "API",
    "COMPOSITIONS",
    "FPS",
    "Api",
    "ApiError",
    "ClipSpec",
    "Composition",
    "Geometry",
    "MediaUrls",
    "build_scale",
    "content_floor_cmd",
    "decode_raw",
    "floor_cmd",
    "make_media",
    "transition_clips",
    "us",
]

API = "/openapi/capcut-mate/v1"
FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
FPS = 30
"""create_draft's template is 30 fps; the floors encode at the same rate."""
PORTRAIT, LANDSCAPE = (1080, 1920), (1920, 1080)


def us(seconds: float) -> int:
    """Seconds → the API's microseconds."""
    return round(seconds * 1_000_000)


def even(x: float) -> int:
    """x264 with yuv420p needs even sizes."""
    return max(2, 2 * round(x / 2))


# ------------------------------------------------------------------------------------------------ geometry


@dataclass(frozen=True)
class Geometry:
    """Size scale and timeline length of one benchmark run."""

    scale: float = 1.0
    duration: float = 20.0

    def canvas(self, portrait: bool) -> tuple[int, int]:
        w, h = PORTRAIT if portrait else LANDSCAPE
        return even(w * self.scale), even(h * self.scale)

    @property
    def tag(self) -> str:
        """Folder name of the media generated for this geometry."""
        return f"s{self.scale:g}_d{self.duration:g}"

    @property
    def clip_seconds(self) -> float:
        """Source clip length: the longest segment (half the timeline) plus room for transitions."""
        return math.ceil(self.duration / 2 + 1.5)


# ------------------------------------------------------------------------------------------------ media


def _run_ff(args: list[str]) -> None:
    subprocess.run([FFMPEG, "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


_ENC = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p", "-g", "60",
        "-c:a", "aac", "-b:a", "128k", "-shortest"]


def _clip(size: tuple[int, int], seconds: float, source: str, tone: int, vf: str | None = None) -> list[str]:
    w, h = size
    args = ["-f", "lavfi", "-i", f"{source}=s={w}x{h}:r={FPS}:d={seconds:g}",
            "-f", "lavfi", "-i", f"sine=f={tone}:sample_rate=48000:d={seconds:g}"]
    return [*args, *(["-vf", vf] if vf else []), *_ENC]


def _still(size: tuple[int, int], source: str, codec: list[str], vf: str | None = None) -> list[str]:
    w, h = size
    return ["-f", "lavfi", "-i", f"{source}=s={w}x{h}:r=1:d=1", *(["-vf", vf] if vf else []),
            "-frames:v", "1", *codec]


_PNG = ["-c:v", "png", "-pix_fmt", "rgba"]
_JPEG = ["-c:v", "mjpeg", "-pix_fmt", "yuvj420p", "-q:v", "3"]
# RGBA pictures: a hard-edged disc (a logo) and a soft radial fade (a sticker), so the overlays blend alpha.
_DISC = "format=rgba,geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='255*lt(hypot(X-W/2,Y-H/2),W/2-2)'"
_SOFT = "format=rgba,geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='clip(255*(1.2-hypot(X-W/2,Y-H/2)/(W/2)),0,255)'"
_MOVING_BOX = "drawbox=x='mod(t*{v},iw)':y=ih/3:w=iw/8:h=iw/8:color=white@1:t=fill"


def make_media(root: Path, geo: Geometry) -> dict[str, Path]:
    """Every file the compositions and the scale run use, generated once per geometry."""
    folder = root / geo.tag
    folder.mkdir(parents=True, exist_ok=True)
    s, secs = geo.scale, geo.clip_seconds

    def size(w: int, h: int) -> tuple[int, int]:
        return even(w * s), even(h * s)

    land, port = size(*LANDSCAPE), size(*PORTRAIT)
    box = _MOVING_BOX.format(v=round(400 * s))
    specs: dict[str, list[str]] = {
        # phone-style sources: moving test patterns with their own tone
        "land_a.mp4": _clip(land, secs, "testsrc2", 440),
        "land_b.mp4": _clip(land, secs, "smptehdbars", 880, box),
        "land_c.mp4": _clip(land, secs, "testsrc2", 660, "hue=h=120"),
        "land_d.mp4": _clip(land, secs, "testsrc2", 330, "negate"),
        "port_a.mp4": _clip(port, secs, "testsrc2", 494, "hue=h=240"),
        "port_b.mp4": _clip(port, secs, "smptehdbars", 587, box),
        "port_c.mp4": _clip(port, secs, "testsrc2", 698),
        "port_d.mp4": _clip(port, secs, "testsrc2", 392, "hue=h=60"),
        "small_0.mp4": _clip(size(960, 540), 10, "testsrc2", 550),
        "small_1.mp4": _clip(size(960, 540), 10, "testsrc2", 523, "hue=h=90"),
        "small_2.mp4": _clip(size(960, 540), 10, "smptehdbars", 622, box),
        "small_3.mp4": _clip(size(960, 540), 10, "testsrc2", 740, "negate"),
        # pictures: JPEG photos (full-range YUV), RGBA PNGs with alpha
        "photo_land.jpg": _still(size(1600, 1200), "testsrc2", _JPEG, "hue=h=30"),
        "photo_port.jpg": _still(size(1200, 1600), "smptehdbars", _JPEG),
        # generated pictures at the canvas's 9:16, as image models deliver them (one smaller, upscaled)
        "gen_a.jpg": _still(size(1080, 1920), "testsrc2", _JPEG, "hue=h=150"),
        "gen_b.jpg": _still(size(1080, 1920), "smptehdbars", _JPEG),
        "gen_c.jpg": _still(size(720, 1280), "testsrc", _JPEG),
        "logo.png": _still(size(600, 600), "testsrc", _PNG, _DISC),
        "sticker.png": _still(size(800, 800), "testsrc2", _PNG, _SOFT),
        "pip.png": _still(size(1000, 1000), "testsrc", _PNG),
        "badge.jpg": _still(size(400, 400), "testsrc2", _JPEG, "hue=h=200"),
        # sound: stereo background music longer than the timeline, a short mono "voice" at 44.1 kHz
        "bgm.m4a": ["-f", "lavfi", "-i", "aevalsrc='0.3*sin(2*PI*220*t)+0.2*sin(2*PI*277*t)+0.2*sin(2*PI*330*t)'"
                    f":s=48000:d={max(geo.duration, 25) + 3:g}:c=stereo", "-c:a", "aac", "-b:a", "128k"],
        "voice.m4a": ["-f", "lavfi", "-i", "aevalsrc='0.5*sin(2*PI*300*t)*(0.6+0.4*sin(2*PI*5*t))':s=44100:d=2",
                      "-c:a", "aac", "-b:a", "96k"],
    }
    out: dict[str, Path] = {}
    for name, args in specs.items():
        path = folder / name
        if not path.exists():
            part = path.with_name(f".{name}.part{path.suffix}")
            _run_ff([*args, str(part)])
            part.rename(path)
        out[name] = path
    return out


# ------------------------------------------------------------------------------------------------ API client


class ApiError(RuntimeError):
    """A capcut-mate call answered with a non-zero `code`."""


MediaUrls = Callable[[str], str]
"""Media file name → its URL on the loopback media server."""
Builder = Callable[["Api", MediaUrls, Geometry], str]
"""Builds one composition through the API; returns its draft_url."""


class Api:
    """The capcut-mate calls a workflow makes, with `*_infos` sent as JSON strings."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.warnings: list[str] = []
        """Names the server ignored (the `warnings` of responses), so a run can say what it did not build."""
        self._endpoints: set[str] | None = None

    @property
    def endpoints(self) -> set[str]:
        """Endpoint names listed in the server's /openapi.json (`add_videos`, …)."""
        if self._endpoints is None:
            paths = self.client.get("/openapi.json").raise_for_status().json()["paths"]
            self._endpoints = {p.removeprefix(f"{API}/") for p in paths if p.startswith(f"{API}/")}
        return self._endpoints

    def call(self, name: str, body: dict[str, Any]) -> dict[str, Any]:
        resp = self.client.post(f"{API}/{name}", json=body)
        try:
            data: dict[str, Any] = resp.json()
        except ValueError:
            raise ApiError(f"{name}: HTTP {resp.status_code} {resp.text[:300]}") from None
        if resp.status_code != 200 or data.get("code") != 0:
            raise ApiError(f"{name}: HTTP {resp.status_code} {json.dumps(data, ensure_ascii=False)[:600]}")
        for warning in data.get("warnings") or []:
            self.warnings.append(f"{name}: {json.dumps(warning, ensure_ascii=False)}")
        return data

    def create_draft(self, width: int, height: int) -> str:
        return str(self.call("create_draft", {"width": width, "height": height})["draft_url"])

    def _infos(self, name: str, field: str, draft_url: str, items: list[dict[str, Any]],
               **extra: Any) -> dict[str, Any]:
        return self.call(name, {"draft_url": draft_url, field: json.dumps(items, ensure_ascii=False), **extra})

    def add_videos(self, draft_url: str, items: list[dict[str, Any]], **placement: Any) -> dict[str, Any]:
        return self._infos("add_videos", "video_infos", draft_url, items, **placement)

    def add_audios(self, draft_url: str, items: list[dict[str, Any]]) -> dict[str, Any]:
        return self._infos("add_audios", "audio_infos", draft_url, items)

    def add_images(self, draft_url: str, items: list[dict[str, Any]], **placement: Any) -> dict[str, Any]:
        return self._infos("add_images", "image_infos", draft_url, items, **placement)

    def add_captions(self, draft_url: str, items: list[dict[str, Any]], **style: Any) -> dict[str, Any]:
        """capcut-mate-api.md §3.5: `captions` is a JSON string, styles are top-level fields."""
        return self._infos("add_captions", "captions", draft_url, items, **style)

    def add_keyframes(self, draft_url: str, items: list[dict[str, Any]]) -> dict[str, Any]:
        """capcut-mate-api.md §3.9: items `{segment_id, property, offset (µs from segment start), value}`."""
        return self._infos("add_keyframes", "keyframes", draft_url, items)


# ------------------------------------------------------------------------------------------------ compositions


@dataclass(frozen=True)
class ClipSpec:
    """One main-track clip: file, timeline span (s) and the transition into the next clip."""

    file: str
    start: float
    end: float
    transition: str | None = None
    transition_s: float = 0.0


def transition_clips(geo: Geometry, portrait: bool) -> list[ClipSpec]:
    """Five clips of a fifth of the timeline each, joined by four transitions of different kinds.

    Every name is in the transitions catalog and maps to its own xfade kind in
    render/_transition_table.py; one clip per composition has the other
    orientation, so the fit/letterbox path is timed too.
    """
    if portrait:
        files = ["port_a.mp4", "land_b.mp4", "port_c.mp4", "port_d.mp4", "port_b.mp4"]
        names = ["叠化", "向右擦除", "推近", "向左"]  # fade, wiperight, zoomin, slideleft
    else:
        files = ["land_a.mp4", "land_b.mp4", "port_c.mp4", "land_c.mp4", "land_d.mp4"]
        names = ["闪黑", "向上擦除", "圆形遮罩", "向右"]  # fadeblack, wipeup, circleopen, slideright
    step = geo.duration / len(files)
    t = round(max(0.1, min(0.8, step / 3)), 3)  # the API takes 0.1–2.5 s
    return [ClipSpec(f, i * step, (i + 1) * step, names[i] if i < len(names) else None, t)
            for i, f in enumerate(files)]


def _video_items(clips: list[ClipSpec], url: MediaUrls, volume: float = 1.0) -> list[dict[str, Any]]:
    items = []
    for c in clips:
        item: dict[str, Any] = {"video_url": url(c.file), "start": us(c.start), "end": us(c.end), "volume": volume}
        if c.transition:
            item.update(transition=c.transition, transition_duration=us(c.transition_s))
        items.append(item)
    return items


def _cuts(files: list[str], geo: Geometry) -> list[ClipSpec]:
    step = geo.duration / len(files)
    return [ClipSpec(f, i * step, (i + 1) * step) for i, f in enumerate(files)]


def build_transitions(portrait: bool) -> Builder:
    def build(api: Api, url: MediaUrls, geo: Geometry) -> str:
        draft = api.create_draft(*geo.canvas(portrait))
        api.add_videos(draft, _video_items(transition_clips(geo, portrait), url))
        return draft
    return build


def build_overlays(api: Api, url: MediaUrls, geo: Geometry) -> str:
    """Two portrait clips under four pictures, each with its own placement, intro and outro.

    add_images applies one placement (scale, transform, alpha) to every item of
    a call, so each differently placed picture is its own call, as a workflow
    would do it; the pictures overlap in time (up to three at once).
    """
    d = geo.duration
    w, h = geo.canvas(True)
    draft = api.create_draft(w, h)
    api.add_videos(draft, _video_items(_cuts(["port_b.mp4", "port_c.mp4"], geo), url))

    def picture(file: str, start: float, end: float, intro: str, outro: str, anim_s: float,
                **placement: Any) -> None:
        item = {"image_url": url(file), "start": us(start), "end": us(end),
                "in_animation": intro, "in_animation_duration": us(anim_s),
                "out_animation": outro, "out_animation_duration": us(anim_s)}
        api.add_images(draft, [item], **placement)

    a = min(1.0, d / 20)
    # transform_x/y in capcut-mate's unit: value / canvas size = Jianying's half-canvas offset, +y up
    picture("logo.png", 0.025 * d, 0.975 * d, "渐显", "渐隐", a,
            scale_x=0.35, scale_y=0.35, alpha=0.9, transform_x=0.6 * w, transform_y=0.75 * h)
    picture("photo_land.jpg", 0.1 * d, 0.45 * d, "放大", "缩小", a,
            scale_x=0.7, scale_y=0.7, transform_y=0.4 * h)
    picture("photo_port.jpg", 0.35 * d, 0.7 * d, "向上滑动", "向下滑动", a,
            scale_x=0.45, scale_y=0.45, alpha=0.85, transform_y=-0.4 * h)
    picture("sticker.png", 0.6 * d, 0.95 * d, "旋转", "轻微放大", a,
            scale_x=0.5, scale_y=0.5, transform_x=-0.5 * w, transform_y=-0.1 * h)
    return draft


def build_music(api: Api, url: MediaUrls, geo: Geometry) -> str:
    """Four landscape clips (their own tones at volume 0.8), faded background music, three voice stings."""
    d = geo.duration
    draft = api.create_draft(*geo.canvas(False))
    api.add_videos(draft, _video_items(_cuts(["land_a.mp4", "land_b.mp4", "land_c.mp4", "land_d.mp4"], geo),
                                       url, volume=0.8))
    api.add_audios(draft, [{"audio_url": url("bgm.m4a"), "start": 0, "end": us(d), "volume": 0.5,
                            "fade_in": us(min(1.5, 0.1 * d)), "fade_out": us(min(2.5, 0.15 * d))}])
    sting = min(1.5, 0.1 * d)
    api.add_audios(draft, [{"audio_url": url("voice.m4a"), "start": us(t * d), "end": us(t * d + sting),
                            "volume": 1.2} for t in (0.2, 0.5, 0.75)])
    return draft


def _ramp(segment: dict[str, Any], prop: str, a: float, b: float) -> list[dict[str, Any]]:
    """Two add_keyframes items: `prop` goes from `a` at the segment's start to `b` at its end."""
    length = segment["end"] - segment["start"]
    return [{"segment_id": segment["id"], "property": prop, "offset": 0, "value": a},
            {"segment_id": segment["id"], "property": prop, "offset": length, "value": b}]


def build_slideshow(api: Api, url: MediaUrls, geo: Geometry) -> str:
    """Five 9:16 pictures, each slowly zooming in or out (two also pan), dissolves between, music.

    The commonest short an AI workflow makes: pictures an image model made at
    the canvas's shape, a Ken Burns move on each, a soundtrack.
    """
    d = geo.duration
    draft = api.create_draft(*geo.canvas(True))
    photos = ["gen_a.jpg", "gen_b.jpg", "gen_c.jpg", "gen_a.jpg", "gen_b.jpg"]
    part = d / len(photos)
    fade = {"transition": "叠化", "transition_duration": us(min(0.5, part / 4))}
    segs = api.add_images(draft, [{"image_url": url(p), "start": us(i * part), "end": us((i + 1) * part),
                                   **(fade if i < len(photos) - 1 else {})}
                                  for i, p in enumerate(photos)])["segment_infos"]
    frames: list[dict[str, Any]] = []
    for i, seg in enumerate(segs):
        frames += _ramp(seg, "UNIFORM_SCALE", *((1.0, 1.25) if i % 2 == 0 else (1.25, 1.15)))
        if i % 2 == 1:  # pan inside the zoom: at 1.15× or more there is room to move by 0.1 either way
            frames += _ramp(seg, "KFTypePositionX", -0.1, 0.1)
    api.add_keyframes(draft, frames)
    api.add_audios(draft, [{"audio_url": url("bgm.m4a"), "start": 0, "end": us(d), "volume": 0.6}])
    return draft


_LINES: list[tuple[str, str | None]] = [
    ("今天带你看看这座城市", "城市"), ("First stop: the old harbour", None), ("这里的咖啡真的很好喝", "咖啡"),
    ("Then we walk up the hill", None), ("日落的时候风景最美", "日落|风景"), ("Don't forget the night market", None),
    ("夜市里有很多小吃", "小吃"), ("Ten minutes by metro", None), ("记得关注我们的频道", "关注"),
    ("See you next time!", "next"),
]


def build_captions(api: Api, url: MediaUrls, geo: Geometry) -> str:
    """Three portrait clips, ten subtitles with keyword highlights, two animated titles (§3.5 shapes)."""
    d = geo.duration
    w, h = geo.canvas(True)
    draft = api.create_draft(w, h)
    api.add_videos(draft, _video_items(_cuts(["port_a.mp4", "port_c.mp4", "port_d.mp4"], geo), url))
    step = d / len(_LINES)
    subtitles = []
    for i, (text, keyword) in enumerate(_LINES):
        item: dict[str, Any] = {"start": us(i * step), "end": us((i + 1) * step), "text": text}
        if keyword:
            item.update(keyword=keyword, keyword_color="#ffd400")
        subtitles.append(item)
    api.add_captions(draft, subtitles, text_color="#ffffff", border_color="#000000", font_size=10,
                     alignment=1, transform_y=-0.56 * h)
    a = min(0.6, d / 30)
    titles = [{"start": 0, "end": us(0.3 * d), "text": "城市漫步 City walk",
               "in_animation": "向下滑动", "in_animation_duration": us(a),
               "out_animation": "渐隐", "out_animation_duration": us(a)},
              {"start": us(0.55 * d), "end": us(0.85 * d), "text": "Part 2 · 夜市",
               "in_animation": "放大", "in_animation_duration": us(a),
               "out_animation": "向上滑动", "out_animation_duration": us(a)}]
    api.add_captions(draft, titles, text_color="#ffe08a", font_size=16, bold=True, has_shadow=True,
                     transform_y=0.6 * h)
    return draft


def build_keyframes(api: Api, url: MediaUrls, geo: Geometry) -> str:
    """Four landscape clips with keyframed zooms (Ken Burns) and pans, plus a zooming, turning picture (§3.9)."""
    d = geo.duration
    w, h = geo.canvas(False)
    draft = api.create_draft(w, h)
    clips = _cuts(["land_a.mp4", "land_c.mp4", "land_b.mp4", "land_d.mp4"], geo)
    segs = api.add_videos(draft, _video_items(clips, url))["segment_infos"]
    pic = api.add_images(draft, [{"image_url": url("photo_land.jpg"), "start": us(0.3 * d), "end": us(0.7 * d)}],
                         scale_x=0.4, scale_y=0.4, transform_x=0.5 * w)["segment_infos"][0]
    frames: list[dict[str, Any]] = []
    for i, seg in enumerate(segs):
        frames += _ramp(seg, "UNIFORM_SCALE", *((1.0, 1.3) if i % 2 == 0 else (1.3, 1.0)))
        if i % 2 == 1:  # |value| <= 1: normalised (half-canvas units)
            frames += _ramp(seg, "KFTypePositionX", -0.1, 0.1)
    for prop, a, b in (("UNIFORM_SCALE", 0.3, 0.5), ("KFTypeRotation", 0.0, 15.0), ("KFTypeAlpha", 1.0, 0.6)):
        frames += _ramp(pic, prop, a, b)
    api.add_keyframes(draft, frames)
    return draft


@dataclass(frozen=True)
class Composition:
    name: str
    portrait: bool
    contents: str
    """What is in it, for the results table."""
    build: Builder
    needs: tuple[str, ...] = ()
    """Endpoints beyond create_draft/add_videos/add_audios/add_images; skipped while the server lacks one."""

    def canvas(self, geo: Geometry) -> tuple[int, int]:
        return geo.canvas(self.portrait)


COMPOSITIONS: tuple[Composition, ...] = (
    Composition("portrait", True, "5 clips (one landscape, letterboxed) joined by 叠化 dissolve, 向右擦除 wipe, "
                "推近 zoom, 向左 slide; clips' own sound", build_transitions(True)),
    Composition("landscape", False, "5 clips (one portrait, pillarboxed) joined by 闪黑 dip-to-black, 向上擦除 wipe, "
                "圆形遮罩 circle, 向右 slide; clips' own sound", build_transitions(False)),
    Composition("overlays", True, "2 clips under 4 pictures (RGBA PNG logo at alpha 0.9, 2 JPEG photos, soft-alpha "
                "PNG sticker; up to 3 at once), each scaled/placed with an intro and outro "
                "(渐显/渐隐, 放大/缩小, 向上滑动/向下滑动, 旋转/轻微放大)", build_overlays),
    Composition("music", False, "4 hard-cut clips at volume 0.8 + background music (volume 0.5, fade in/out) + "
                "3 mono 44.1 kHz voice stings at volume 1.2", build_music),
    Composition("captions", True, "3 clips + 10 outlined subtitles (keyword highlights) + 2 animated titles "
                "(add_captions)", build_captions, ("add_captions",)),
    Composition("keyframes", False, "4 clips with keyframed zooms 1.0↔1.3 (two also pan) + a picture with scale, "
                "rotation and alpha keyframes (add_keyframes)", build_keyframes, ("add_keyframes",)),
    Composition("slideshow", True, "5 JPEG pictures at 9:16 (one 720×1280), three zooming in 1.0→1.25, "
                "two out 1.25→1.15 while panning ±0.1; 叠化 between; music (add_images, add_keyframes)",
                build_slideshow, ("add_keyframes",)),
)


# ------------------------------------------------------------------------------------------------ scale run


def build_scale(api: Api, url: MediaUrls, segments: int, size: tuple[int, int]) -> tuple[str, str]:
    """`segments` segments through the API, 500 items per call (the API's limit).

    Half are 0.4 s video cuts (cycling four 960x540 files; the API has no
    source offset, so every cut starts at its file's beginning), a quarter
    0.8 s picture-in-picture photos, a quarter 0.8 s captions, plus music.
    Without add_captions the last quarter are 0.8 s JPEG badges instead (the
    second string says which). Each call makes its own track, as with
    capcut-mate: 1,000 cuts are two tracks of 500.
    """
    step = 0.4
    draft = api.create_draft(*size)
    n_main, n_pip = segments // 2, segments // 4
    n_rest = segments - n_main - n_pip

    def batches(items: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
        return [items[i:i + 500] for i in range(0, len(items), 500)]

    cuts = [{"video_url": url(f"small_{i % 4}.mp4"), "start": us(i * step), "end": us((i + 1) * step)}
            for i in range(n_main)]
    for batch in batches(cuts):
        api.add_videos(draft, batch)
    pips = [{"image_url": url("pip.png"), "start": us(i * 2 * step), "end": us((i + 1) * 2 * step)}
            for i in range(n_pip)]
    for batch in batches(pips):
        api.add_images(draft, batch, scale_x=0.3, scale_y=0.3, transform_x=0.5 * size[0],
                       transform_y=0.5 * size[1])
    if "add_captions" in api.endpoints:
        rest_kind = "captions"
        caps = [{"start": us(i * 2 * step), "end": us((i + 1) * 2 * step), "text": f"caption {i}"}
                for i in range(n_rest)]
        for batch in batches(caps):
            api.add_captions(draft, batch, border_color="#000000", transform_y=-0.6 * size[1])
    else:
        rest_kind = "JPEG badges (add_captions not available yet)"
        badges = [{"image_url": url("badge.jpg"), "start": us(i * 2 * step), "end": us((i + 1) * 2 * step)}
                  for i in range(n_rest)]
        for batch in batches(badges):
            api.add_images(draft, batch, scale_x=0.5, scale_y=0.5, transform_y=-0.6 * size[1])
    api.add_audios(draft, [{"audio_url": url("bgm.m4a"), "start": 0, "end": us(min(n_main * step, 25)),
                            "volume": 0.5}])
    return draft, rest_kind


# ------------------------------------------------------------------------------------------------ floor


_ENCODE = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
           "-c:a", "aac", "-b:a", "192k", "-ar", "48000", "-ac", "2", "-movflags", "+faststart"]
"""The renderer's output settings (RenderSpec defaults), shared by both floors."""


def floor_cmd(width: int, height: int, duration: float, out: Path) -> list[str]:
    """Encode-only floor: generate and encode the same canvas, length and rate with the renderer's settings.

    Mirrors render/_plan.py: libx264 veryfast crf 23 yuv420p (RenderSpec
    defaults), AAC 192k at 48 kHz stereo, +faststart. testsrc2 is a moving
    pattern, so x264 has real work; nothing is decoded or composited.
    """
    return [FFMPEG, "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", f"testsrc2=s={width}x{height}:r={FPS}:d={duration:g}",
            "-f", "lavfi", "-i", f"sine=f=440:sample_rate=48000:d={duration:g}",
            *_ENCODE, "-t", f"{duration:g}", str(out)]


def decode_raw(video: Path, folder: Path) -> tuple[Path, Path]:
    """Decode a rendered video to raw yuv420p frames and PCM (untimed set-up of the content floor)."""
    frames, sound = folder / f"{video.stem}.yuv", folder / f"{video.stem}.wav"
    _run_ff(["-i", str(video), "-map", "0:v", "-f", "rawvideo", "-pix_fmt", "yuv420p", str(frames),
             "-map", "0:a", "-f", "wav", str(sound)])
    return frames, sound


def content_floor_cmd(width: int, height: int, frames: Path, sound: Path, out: Path) -> list[str]:
    """Content floor: encode the composition's own output pictures and sound, already decoded, as the renderer does.

    testsrc2 costs x264 less than most footage (a zooming or panning picture
    moves every pixel), so the testsrc2 floor mixes the content's encoding
    cost into the renderer's overhead. This floor encodes exactly the frames
    draftcut produced, read raw from memory: what remains above it is what
    rendering adds (decoding the sources, compositing, the start-up).
    """
    return [FFMPEG, "-hide_banner", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{width}x{height}", "-r", str(FPS), "-i", str(frames),
            "-i", str(sound), *_ENCODE, str(out)]
