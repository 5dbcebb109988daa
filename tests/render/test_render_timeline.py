"""Parsing drafts into a Timeline: layering, hidden/muted tracks, refs, unsupported features, paths."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from drafts import PLACEHOLDER, SEC, Draft, clip, kf

from draftcut.errors import EmptyDraft, RenderError
from draftcut.render import load_timeline

REFERENCE = Path(__file__).parent / "data" / "minimal_draft_content.json"


def _media(tmp_path: Path, name: str = "x.mp4") -> Path:
    path = tmp_path / "src" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not really media")  # parsing never opens media
    return path


def _load(draft: Draft, tmp_path: Path, **kw: object):  # type: ignore[no-untyped-def]
    return load_timeline(draft.save(tmp_path / "d"), **kw)  # type: ignore[arg-type]


def test_layers_follow_render_index_then_track(tmp_path: Path) -> None:
    d = Draft()
    f = _media(tmp_path)
    top, bottom = d.track("video"), d.track("video")
    d.video(top, f, 0, SEC, size=(320, 240))["render_index"] = 5
    d.video(bottom, f, 0, SEC, size=(320, 240))["render_index"] = 1
    tl = _load(d, tmp_path)
    assert sorted(c.z for c in tl.visuals) == [(1, 1), (5, 0)]
    assert tl.base_track == 0


def test_hidden_and_muted_tracks(tmp_path: Path) -> None:
    d = Draft()
    f = _media(tmp_path)
    d.video(d.track("video", attribute=2), f, 0, SEC, size=(320, 240))  # hidden: skipped
    d.video(d.track("video", attribute=1), f, 0, SEC, size=(320, 240))  # own sound muted
    d.audio(d.track("audio", attribute=1), f, 0, SEC)  # muted audio track
    d.audio(d.track("audio"), f, 0, SEC)
    tl = _load(d, tmp_path)
    assert [c.track for c in tl.visuals] == [1]
    assert tl.base_track == 1
    assert [(a.from_video, a.start) for a in tl.audios] == [(False, 0)]


def test_empty_main_track_is_not_the_bottom_track(tmp_path: Path) -> None:
    """create_draft's empty main track (and an empty hidden one) draw nothing: the clips' track is the base."""
    d = Draft()
    f = _media(tmp_path)
    d.track("video")  # the app's main track, empty as capcut-mate leaves it
    d.track("video", attribute=2)
    clips = d.track("video")
    d.video(clips, f, 0, SEC, size=(320, 240), refs=[d.canvas("canvas_color", color="#FF0000FF")])
    d.video(d.track("video"), f, 0, SEC, size=(320, 240), refs=[d.canvas("canvas_color", color="#00FF00FF")])
    tl = _load(d, tmp_path)
    assert tl.base_track == 2
    assert [(c.track, c.background is not None) for c in tl.visuals] == [(2, True), (3, False)]


def test_refs_become_model_values(tmp_path: Path) -> None:
    d = Draft()
    f = _media(tmp_path)
    v = d.track("video")
    refs = [d.transition("闪黑", 400_000), d.mask("circle", "圆形", centerX=0.2, feather=0.3, invert=True),
            d.canvas("canvas_blur", blur=0.375), d.animations(("in", "渐显", 0, 500_000))]
    seg = d.video(v, f, 0, 2 * SEC, size=(320, 240), speed=2.0, refs=refs,
                  clip=clip(x=0.1, y=-0.2, scale=(1.5, 0.5), rotation=30, alpha=0.7, flip_h=True))
    seg["uniform_scale"]["on"] = False
    d.video(v, f, 2 * SEC, SEC, size=(320, 240))
    c = _load(d, tmp_path).visuals[0]
    assert c.transition is not None and (c.transition.kind, c.transition.duration) == ("fadeblack", 400_000)
    assert c.mask is not None and (c.mask.shape, c.mask.center_x, c.mask.invert) == ("circle", 0.2, True)
    assert c.background is not None and (c.background.kind, c.background.blur) == ("blur", 0.375)
    assert [a.name for a in c.animations] == ["渐显"]
    assert c.speed == 2.0
    t = c.transform
    assert (t.x, t.y, t.scale_x, t.scale_y, t.rotation, t.alpha, t.flip_h) == (0.1, -0.2, 1.5, 0.5, 30, 0.7, True)


def test_uniform_scale_uses_x_for_both(tmp_path: Path) -> None:
    d = Draft()
    f = _media(tmp_path)
    d.video(d.track("video"), f, 0, SEC, size=(320, 240), clip=clip(scale=(2.0, 0.5)),
            keyframes=[kf("KFTypeScaleX", (0, 1.0), (SEC, 2.0))])
    c = _load(d, tmp_path).visuals[0]
    assert c.transform.scale_y == 2.0
    assert c.keyframes["scale_y"] == ((0, 1.0), (SEC, 2.0))


def test_unsupported_features_are_listed_with_segment_ids(tmp_path: Path) -> None:
    d = Draft()
    f = _media(tmp_path)
    v = d.track("video")
    filt = d.effect("effects", type="filter", name="清晰")
    fx = d.effect("video_effects", type="video_effect", name="星火")
    a = d.video(v, f, 0, SEC, size=(320, 240), refs=[filt, fx, d.transition("冰雪结晶", 500_000),
                                                      d.animations(("in", "钟摆", 0, 500_000))],
                keyframes=[kf("KFTypeBrightness", (0, 0.0), (SEC, 1.0))])
    d.video(v, f, SEC, SEC, size=(320, 240))
    sticker_track = d.track("sticker")
    sticker_track["segments"].append({"id": "stk1", "material_id": "nope",
                                      "target_timerange": {"start": 0, "duration": SEC}})
    tl = _load(d, tmp_path)
    found = {(u.segment_id, u.feature) for u in tl.unsupported}
    for feature in ("filter", "video effect", "transition", "animation", "keyframes"):
        assert (a["id"], feature) in found, feature
    assert ("stk1", "sticker") in found


def test_unknown_fields_and_junk_values_are_ignored(tmp_path: Path) -> None:
    d = Draft()
    f = _media(tmp_path)
    seg = d.video(d.track("video"), f, 0, SEC, size=(320, 240))
    seg.update({"brand_new_field": {"a": [1, 2]}, "volume": "loud", "clip": {"alpha": None, "scale": 3}})
    d.data.update({"something_new": True, "keyframes": None})
    d.data["materials"]["future_array"] = [{"id": "q"}, 7, None]
    d.data["tracks"].append({"type": "hologram", "segments": [{"id": "h1"}]})
    tl = _load(d, tmp_path)
    assert len(tl.visuals) == 1 and tl.visuals[0].transform.alpha == 1.0


def test_empty_draft(tmp_path: Path) -> None:
    d = Draft()
    d.track("video")
    with pytest.raises(EmptyDraft):
        _load(d, tmp_path)


def test_draft_info_json_is_read_when_content_is_absent(tmp_path: Path) -> None:
    d = Draft()
    d.video(d.track("video"), _media(tmp_path), 0, SEC, size=(320, 240))
    folder = d.save(tmp_path / "mac")
    (folder / "draft_content.json").rename(folder / "draft_info.json")
    assert len(load_timeline(folder).visuals) == 1


def test_encrypted_content_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "enc"
    folder.mkdir()
    (folder / "draft_content.json").write_text("QUJDREVGR0g=" * 10)
    with pytest.raises(RenderError, match="plain JSON"):
        load_timeline(folder)


# --- media resolution (security) -----------------------------------------------------------


def _one_video(path_value: str) -> dict:  # type: ignore[type-arg]
    d = Draft()
    d.video(d.track("video"), Path("/nonexistent/x.mp4"), 0, SEC, size=(320, 240))
    d.data["materials"]["videos"][0]["path"] = path_value
    return d.data


def _folder_with_media(tmp_path: Path, name: str = "20260101000000abcdef12") -> Path:
    folder = tmp_path / name
    (folder / "assets" / "videos").mkdir(parents=True)
    (folder / "assets" / "videos" / "a.mp4").write_bytes(b"x")
    return folder


def _write(folder: Path, data: dict) -> Path:  # type: ignore[type-arg]
    (folder / "draft_content.json").write_text(json.dumps(data))
    return folder


def test_draft_id_path_maps_into_folder(tmp_path: Path) -> None:
    folder = _folder_with_media(tmp_path)
    data = _one_video(f"/app/output/draft/{folder.name}/assets/videos/a.mp4")
    tl = load_timeline(_write(folder, data))
    assert tl.visuals[0].media == (folder / "assets/videos/a.mp4").resolve()


def test_placeholder_and_windows_separators(tmp_path: Path) -> None:
    folder = _folder_with_media(tmp_path)
    tl = load_timeline(_write(folder, _one_video(f"{PLACEHOLDER}\\assets\\videos\\a.mp4")))
    assert tl.visuals[0].media == (folder / "assets/videos/a.mp4").resolve()


@pytest.mark.parametrize("path_value", [
    f"{PLACEHOLDER}/../secret.mp4",
    "/app/output/draft/{id}/../secret.mp4",
    "../secret.mp4",
    "/etc/passwd",
    "http://example.com/a.mp4",
])
def test_paths_outside_the_folder_are_refused(tmp_path: Path, path_value: str) -> None:
    folder = _folder_with_media(tmp_path)
    (tmp_path / "secret.mp4").write_bytes(b"x")
    with pytest.raises(RenderError, match="material"):
        load_timeline(_write(folder, _one_video(path_value.replace("{id}", folder.name))))


def test_symlink_escape_is_refused(tmp_path: Path) -> None:
    folder = _folder_with_media(tmp_path)
    (tmp_path / "secret.mp4").write_bytes(b"x")
    os.symlink(tmp_path / "secret.mp4", folder / "assets" / "videos" / "link.mp4")
    with pytest.raises(RenderError, match="escapes"):
        load_timeline(_write(folder, _one_video(f"{PLACEHOLDER}/assets/videos/link.mp4")))


def test_missing_media_names_the_material(tmp_path: Path) -> None:
    folder = _folder_with_media(tmp_path)
    data = _one_video(f"{PLACEHOLDER}/assets/videos/missing.mp4")
    mid = data["materials"]["videos"][0]["id"]
    with pytest.raises(RenderError, match=mid) as info:
        load_timeline(_write(folder, data))
    assert getattr(info.value, "material_id", None) == mid


def test_outside_paths_need_permission_or_a_hook(tmp_path: Path) -> None:
    folder = _folder_with_media(tmp_path)
    outside = tmp_path / "elsewhere.mp4"
    outside.write_bytes(b"x")
    _write(folder, _one_video(str(outside)))
    assert load_timeline(folder, allow_outside_paths=True).visuals[0].media == outside.resolve()
    hooked = load_timeline(folder, resolve_media=lambda m: folder / "assets/videos/a.mp4")
    assert hooked.visuals[0].media == (folder / "assets/videos/a.mp4").resolve()
    _write(folder, _one_video("https://cdn.example/a.mp4"))
    with pytest.raises(RenderError):
        load_timeline(folder, allow_outside_paths=True)


def test_reference_minimal_draft_parses(tmp_path: Path) -> None:
    folder = tmp_path / "min"
    (folder / "Resources/local").mkdir(parents=True)
    for name in ("video.mp4", "audio.mp3"):
        (folder / "Resources/local" / name).write_bytes(b"x")
    (folder / "draft_content.json").write_text(REFERENCE.read_text(encoding="utf-8"), encoding="utf-8")
    tl = load_timeline(folder)
    assert (tl.width, tl.height, tl.fps, tl.duration) == (1080, 1920, 30.0, 5 * SEC)
    assert [c.kind for c in tl.visuals] == ["video", "text"]
    assert sorted(a.volume for a in tl.audios) == [0.6, 1.0]
