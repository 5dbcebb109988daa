"""The web page at `/`, end to end in a real browser: Debian's Chromium driven by Playwright.

Every check goes through the page as a person uses it (clicks, drags, typing)
against a real server, and every edit is checked through the API: what the
page shows is not taken as proof that the draft changed.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from PIL import Image
from utils.server_fixtures import API, Server, call, create_draft, draft_id

CHROMIUM = "/usr/bin/chromium"
SEC = 1_000_000
FRAME = SEC // 30 + 1
"""One frame at 30 fps, the drafts' rate: how far a dragged time may land from the exact one."""

if TYPE_CHECKING:
    from playwright.sync_api import Browser, FloatRect, Page
try:
    from playwright.sync_api import expect
except ImportError:  # reported by the `browser` fixture, as a failure rather than a skip
    expect = None  # type: ignore[assignment]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium; missing, every test here fails and says how to install it (never a skip)."""
    if expect is None:
        pytest.fail("playwright is not installed: pip install -e '.[test]'")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium with `apt-get install -y chromium` "
                    "(scripts/test does it where it can)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, errors


def build_draft(api: httpx.Client, media: Any) -> tuple[str, dict[str, str]]:
    """320×180: a red clip 0–1 s and a blue one 1–2 s on one track, a caption 0–2 s."""
    url = create_draft(api, 320, 180)
    videos = call(api, "add_videos", {"draft_url": url, "video_infos": json.dumps([
        {"video_url": media.url("video_red_2s.mp4"), "start": 0, "end": SEC},
        {"video_url": media.url("video_blue_3s_silent.mp4"), "start": SEC, "end": 2 * SEC}])})
    caption = call(api, "add_captions", {"draft_url": url, "captions": json.dumps(
        [{"start": 0, "end": 2 * SEC, "text": "hello page"}])})
    red, blue = videos["segment_ids"]
    return url, {"red": red, "blue": blue, "caption": caption["segment_ids"][0]}


def segments(api: httpx.Client, url: str) -> dict[str, dict[str, Any]]:
    timeline = call(api, "get_timeline", {"draft_url": url})
    return {s["id"]: s for t in timeline["tracks"] for s in t["segments"]}


def open_draft(page: Page, base: str, url: str) -> None:
    page.goto(f"{base}/#{draft_id(url)}")
    expect(page.locator(".segment")).to_have_count(3)
    wait_preview(page)


def wait_preview(page: Page, at: float | None = None) -> None:
    """Until the preview <img> shows a decoded frame (of time `at`, when given)."""
    want = "null" if at is None else json.dumps(format(at, "g"))  # as JS writes the number
    page.wait_for_function(f"""() => {{ const img = document.getElementById('preview');
        return img.complete && img.naturalWidth > 0 && ({want} === null || img.dataset.at === {want}); }}""")


def box(page: Page, segment_id: str) -> FloatRect:
    found = page.locator(f'.segment[data-id="{segment_id}"]').bounding_box()
    assert found is not None
    return found


def shot(page: Page, path: Path) -> Path:
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000, path.stat().st_size
    with Image.open(path) as img:
        assert img.width >= 1000 and len(img.convert("L").getcolors(1 << 20) or []) > 16  # not a blank page
    return path


def mean_rgb(png: bytes) -> tuple[float, ...]:
    with Image.open(io.BytesIO(png)) as img:
        return tuple(img.convert("RGB").resize((1, 1), Image.Resampling.BOX).getpixel((0, 0)))  # type: ignore[arg-type]


def shown_rgb(page: Page) -> list[float]:
    """The mean colour of the frame the preview <img> shows, as the browser decoded it."""
    rgb: list[float] = page.evaluate("""() => {
        const img = document.getElementById('preview');
        const canvas = Object.assign(document.createElement('canvas'), {width: 1, height: 1});
        const ctx = canvas.getContext('2d');
        ctx.drawImage(img, 0, 0, 1, 1);
        return Array.from(ctx.getImageData(0, 0, 1, 1).data.slice(0, 3)); }""")
    return rgb


def test_list_drafts_pages_and_the_page_files(server: Server, api: httpx.Client) -> None:
    """No browser: list_drafts' paging and order, and only the page's own files are served."""
    older, newer = create_draft(api, 320, 180), create_draft(api, 640, 360)
    first = call_get(api, "list_drafts", page=1, page_size=2)
    assert [d["draft_id"] for d in first["drafts"]] == [draft_id(newer), draft_id(older)]
    assert first["total"] >= 2 and (first["page"], first["page_size"]) == (1, 2)
    assert first["drafts"][0]["segments"] == 0 and first["drafts"][0]["modified"] >= first["drafts"][0]["created"]
    call(api, "save_draft", {"draft_url": older})  # touched: the most recently changed now
    assert call_get(api, "list_drafts", page_size=1)["drafts"][0]["draft_id"] == draft_id(older)
    beyond = call_get(api, "list_drafts", page=10_000, page_size=200)
    assert beyond["drafts"] == [] and beyond["total"] == first["total"]
    for bad in ({"page": 0}, {"page_size": 201}, {"page": "x"}):
        assert api.get(f"{API}/list_drafts", params=bad).status_code == 400, bad

    page = api.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "web/app.js" in page.text and "content-security-policy" in page.headers
    assert api.get("/web/app.js").headers["content-type"].startswith("text/javascript")
    assert api.get("/web/style.css").headers["content-type"].startswith("text/css")
    for path in ("/web/..%2Fapi%2Fweb.py", "/web/%2e%2e/__init__.py", "/web/web.py", "/web/"):
        assert api.get(path).status_code == 404, path
    assert "/" not in api.get("/openapi.json").json()["paths"]  # a page, not an API operation


def call_get(client: httpx.Client, name: str, **params: Any) -> dict[str, Any]:
    resp = client.get(f"{API}/{name}", params=params)
    data: dict[str, Any] = resp.json()
    assert resp.status_code == 200 and data["code"] == 0, data
    return data


def test_the_page_lists_drafts_and_draws_a_draft(page: Page, server: Server, api: httpx.Client, media: Any,
                                                 tmp_path: Path) -> None:
    url, ids = build_draft(api, media)
    listed = httpx.get(f"{server.url}{API}/list_drafts", params={"page_size": 200}).json()
    assert listed["code"] == 0 and listed["total"] >= 1
    mine = next(d for d in listed["drafts"] if d["draft_id"] == draft_id(url))
    assert (mine["width"], mine["height"], mine["duration"], mine["segments"], mine["app"]) == \
        (320, 180, 2 * SEC, 3, "jianying")
    assert listed["drafts"][0]["draft_id"] == draft_id(url)  # most recently changed first

    previews: list[str] = []
    page.on("request", lambda r: previews.append(r.url) if "/preview?" in r.url else None)
    page.goto(server.url + "/")
    row = page.locator("tr.draft-row", has=page.get_by_role("link", name=draft_id(url)))
    expect(row).to_contain_text("320×180")
    expect(row.locator(".segment-count")).to_have_text("3")
    shot(page, tmp_path / "list.png")

    row.get_by_role("link").click()
    expect(page.locator(".segment")).to_have_count(3)
    expect(page.locator(".track-row")).to_have_count(3)  # the app's empty main track, the clips, the caption
    expect(page.locator(f'.segment[data-id="{ids["red"]}"]')).to_contain_text("0:00.00–0:01.00")
    expect(page.locator(f'.segment[data-id="{ids["blue"]}"]')).to_contain_text("0:01.00–0:02.00")
    expect(page.locator(f'.segment[data-id="{ids["caption"]}"]')).to_contain_text("hello page")
    expect(page.locator(".tick").first).to_have_text("0:00.00")
    wait_preview(page, 0.0)
    assert page.evaluate("document.getElementById('preview').naturalWidth") > 0
    css_width = page.evaluate("document.getElementById('preview').clientWidth")
    assert f"width={min(720, -(-css_width // 2) * 2)}" in previews[0], previews  # device pixel ratio 1
    red, blue = box(page, ids["red"]), box(page, ids["blue"])
    assert abs(red["width"] - blue["width"]) < 2 and abs(red["x"] + red["width"] - blue["x"]) < 2
    shot(page, tmp_path / "timeline.png")

    zoomed = page.locator(f'.segment[data-id="{ids["red"]}"]')
    page.get_by_role("button", name="Zoom in").click()
    assert zoomed.bounding_box()["width"] > red["width"] * 1.4  # type: ignore[index]


def test_scrubbing_shows_the_frame_at_the_playhead_one_request_at_a_time(
        page: Page, server: Server, api: httpx.Client, media: Any) -> None:
    url, ids = build_draft(api, media)
    frames: dict[str, str] = {}
    """`at` → URL of every preview request that got an answer."""
    in_flight = {"now": 0, "most": 0}

    def started(request: Any) -> None:
        if "/preview?" in request.url:
            in_flight["now"] += 1
            in_flight["most"] = max(in_flight["most"], in_flight["now"])

    def finished(request: Any) -> None:
        if "/preview?" in request.url:
            in_flight["now"] -= 1
            frames[httpx.URL(request.url).params["at"]] = request.url

    page.on("request", started)
    page.on("requestfinished", finished)
    page.on("requestfailed", finished)
    open_draft(page, server.url, url)
    red = box(page, ids["red"])
    ruler = page.locator("#ruler").bounding_box()
    assert ruler is not None
    y = ruler["y"] + ruler["height"] / 2

    def x(seconds: float) -> float:
        return red["x"] + seconds * red["width"]

    page.mouse.click(x(0.5), y)
    wait_preview(page, 0.5)
    r, g, b = shown_rgb(page)
    assert r > 150 and b < 80, (r, g, b)  # the red clip (under a caption)
    page.mouse.click(x(1.5), y)
    wait_preview(page, 1.5)
    r, g, b = shown_rgb(page)
    assert b > 150 and r < 80, (r, g, b)  # the blue clip
    pngs = [httpx.get(frames[at]).content for at in ("0.5", "1.5")]
    assert pngs[0][:8] == b"\x89PNG\r\n\x1a\n" and pngs[0] != pngs[1]
    assert mean_rgb(pngs[0])[0] > 150 and mean_rgb(pngs[1])[2] > 150

    # A fast drag along the ruler: many positions, never two requests at once, the last one wins.
    asked = len(frames)
    page.mouse.move(x(0.1), y)
    page.mouse.down()
    for i in range(40):
        page.mouse.move(x(0.1 + i * 0.04), y)
    page.mouse.move(x(1.8), y)
    page.mouse.up()
    wait_preview(page, 1.8)
    page.wait_for_timeout(300)
    assert in_flight["most"] == 1
    assert len(frames) - asked < 40  # intermediate positions were dropped
    expect(page.locator("#time-display")).to_have_text("0:01.80")

    before = len(frames)
    page.mouse.click(x(0.5), y)  # cached: no new request
    wait_preview(page, 0.5)
    assert len(frames) == before
    page.locator("#timeline").focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#time-display")).to_have_text("0:00.53")


def test_caption_details_and_text_edit(page: Page, server: Server, api: httpx.Client, media: Any,
                                       tmp_path: Path) -> None:
    url, ids = build_draft(api, media)
    open_draft(page, server.url, url)
    page.locator(f'.segment[data-id="{ids["caption"]}"]').click()
    details = page.locator("#details-list")
    expect(details).to_contain_text("text")
    expect(details).to_contain_text(ids["caption"])
    expect(details).to_contain_text("hello page")
    expect(page.get_by_label("Caption text", exact=True)).to_have_value("hello page")
    shot(page, tmp_path / "details.png")

    page.get_by_label("Caption text", exact=True).fill("changed in the page")
    page.get_by_role("button", name="Save the caption text").click()
    expect(page.locator("#banner")).to_contain_text("Changed the caption's text")
    expect(page.locator(f'.segment[data-id="{ids["caption"]}"]')).to_contain_text("changed in the page")
    assert segments(api, url)[ids["caption"]]["text"] == "changed in the page"

    # a clip selected: its media facts, and no text box
    page.locator(f'.segment[data-id="{ids["blue"]}"]').click()
    expect(details).to_contain_text("video")
    expect(page.get_by_label("Caption text", exact=True)).to_be_hidden()


def drag(page: Page, x0: float, y: float, dx: float, said: str) -> None:
    """Drag with the mouse, then wait for the page to say `said` (it does once it has redrawn the draft)."""
    page.evaluate("document.getElementById('banner-text').textContent = ''")
    page.mouse.move(x0, y)
    page.mouse.down()
    for i in range(1, 6):
        page.mouse.move(x0 + dx * i / 5, y)
    page.mouse.up()
    expect(page.locator("#banner-text")).to_contain_text(said)
    expect(page.locator("#timeline")).to_have_attribute("aria-busy", "false")


def test_dragging_moves_and_trims_and_a_refusal_is_shown(page: Page, server: Server, api: httpx.Client,
                                                         media: Any) -> None:
    url, ids = build_draft(api, media)
    open_draft(page, server.url, url)
    red, blue = box(page, ids["red"]), box(page, ids["blue"])
    px_per_s = red["width"]
    centre_y = blue["y"] + blue["height"] / 2

    drag(page, blue["x"] + blue["width"] / 2, centre_y, 0.5 * px_per_s, "Moved the segment")  # 1 s → 1.5 s
    moved = segments(api, url)[ids["blue"]]
    assert abs(moved["start"] - 1.5 * SEC) <= FRAME and moved["duration"] == SEC, moved

    red_right = red["x"] + red["width"] - 2  # the right trim handle
    drag(page, red_right, centre_y, -0.25 * px_per_s, "Trimmed the segment")
    trimmed = segments(api, url)[ids["red"]]
    assert trimmed["start"] == 0 and abs(trimmed["duration"] - 0.75 * SEC) <= FRAME, trimmed

    blue = box(page, ids["blue"])
    # the left handle: a later start, later in the media
    drag(page, blue["x"] + 2, centre_y, 0.25 * px_per_s, "Trimmed the segment")
    head = segments(api, url)[ids["blue"]]
    assert abs(head["start"] - 1.75 * SEC) <= FRAME and abs(head["source_start"] - 0.25 * SEC) <= FRAME, head
    assert head["start"] + head["duration"] == moved["start"] + moved["duration"], head

    red = box(page, ids["red"])
    drag(page, red["x"] + red["width"] / 2, centre_y, 1.2 * px_per_s, "refused (code 3004)")  # onto the blue clip
    expect(page.locator("#banner")).to_contain_text("overlap")
    assert segments(api, url)[ids["red"]]["start"] == 0
    expect(page.locator(f'.segment[data-id="{ids["red"]}"]')).to_contain_text("0:00.00–")  # snapped back


def test_deleting_a_segment(page: Page, server: Server, api: httpx.Client, media: Any) -> None:
    url, ids = build_draft(api, media)
    open_draft(page, server.url, url)
    page.locator(f'.segment[data-id="{ids["red"]}"]').click()
    page.get_by_role("button", name="Delete the selected segment").click()
    expect(page.locator(".segment")).to_have_count(2)
    assert ids["red"] not in segments(api, url) and ids["blue"] in segments(api, url)
    expect(page.locator("#details-empty")).to_be_visible()


def test_render_button_plays_the_video(page: Page, server: Server, api: httpx.Client, media: Any,
                                       tmp_path: Path) -> None:
    url, _ids = build_draft(api, media)
    statuses: list[str] = []
    page.on("request", lambda r: statuses.append(r.url) if r.url.endswith("/gen_video_status") else None)
    open_draft(page, server.url, url)
    page.get_by_role("button", name="Render the draft to MP4").click()
    expect(page.locator("#render-progress")).to_be_visible()
    page.wait_for_function("() => { const v = document.getElementById('render-video');"
                           " return v.src && (v.readyState >= 1 || v.duration > 0); }", timeout=120_000)
    expect(page.locator("#render-status")).to_contain_text("Rendered")
    assert page.evaluate("document.getElementById('render-progress').value") == 100
    assert page.evaluate("document.getElementById('render-video').duration") == pytest.approx(2.0, abs=0.2)
    src = page.evaluate("document.getElementById('render-video').src")
    assert "/output/renders/" in src and httpx.get(src).status_code == 200
    assert statuses  # progress came from polling gen_video_status
    shot(page, tmp_path / "rendered.png")


def test_clear_messages_for_empty_unknown_and_unreachable(page: Page, server: Server, api: httpx.Client,
                                                          tmp_path: Path) -> None:
    empty = create_draft(api, 320, 180)
    page.goto(f"{server.url}/?draft={draft_id(empty)}")
    expect(page.locator("#draft-message")).to_contain_text("This draft is empty")
    expect(page.get_by_role("button", name="Render the draft to MP4")).to_be_disabled()
    shot(page, tmp_path / "empty.png")

    page.goto(f"{server.url}/#20000101000000deadbeef")
    expect(page.locator("#draft-message")).to_contain_text("was not found or cannot be read (code 2001)")
    expect(page.locator(".segment")).to_have_count(0)
    page.goto(f"{server.url}/#not-a-draft")
    expect(page.locator("#draft-message")).to_contain_text("code 2001")

    page.route("**/openapi/capcut-mate/v1/**", lambda route: route.abort())
    page.goto(f"{server.url}/")
    expect(page.locator("#banner")).to_contain_text("Cannot reach the draftcut server")
    expect(page.get_by_role("button", name="Retry")).to_be_visible()
    page.unroute("**/openapi/capcut-mate/v1/**")
    page.get_by_role("button", name="Retry").click()
    expect(page.locator("#banner")).to_be_hidden()
    expect(page.locator("#list-total")).to_contain_text("draft")


def test_with_api_keys_the_page_asks_for_one(page: Page, tmp_path: Path, media: Any) -> None:
    data_dir = tmp_path / "keys-data"
    with Server(data_dir, env={"DRAFTCUT_API_KEYS": "true"}) as srv:
        done = subprocess.run([sys.executable, "-m", "draftcut", "keys", "create", "--name", "web",
                               "--data-dir", str(data_dir)], capture_output=True, text=True, timeout=60, check=True)
        key = done.stdout.strip()
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=srv.url, timeout=60, headers=headers) as client:
            url, ids = build_draft(client, media)
        for path in ("/", "/web/app.js", "/web/style.css"):
            assert httpx.get(srv.url + path).status_code == 200, path
        assert httpx.get(f"{srv.url}/web/secret").status_code == 401  # not a page file: guarded like the rest
        assert httpx.get(f"{srv.url}{API}/list_drafts").status_code == 401

        page.goto(srv.url + "/")
        dialog = page.get_by_role("dialog")
        expect(dialog).to_contain_text("requires an API key")
        page.locator("#key-input").fill(key)
        page.get_by_role("button", name="Save key").click()
        expect(page.get_by_role("link", name=draft_id(url))).to_be_visible()
        assert page.evaluate("localStorage.getItem('draftcut.apiKey')") == key

        page.goto(f"{srv.url}/#{draft_id(url)}")  # the stored key: no question this time
        expect(page.locator(".segment")).to_have_count(3)
        wait_preview(page)
        expect(dialog).to_be_hidden()
        page.locator(f'.segment[data-id="{ids["caption"]}"]').click()
        page.get_by_label("Caption text", exact=True).fill("keyed edit")
        page.get_by_role("button", name="Save the caption text").click()
        expect(page.locator(f'.segment[data-id="{ids["caption"]}"]')).to_contain_text("keyed edit")

        page.evaluate("localStorage.setItem('draftcut.apiKey', 'dck_00000000_wrong')")
        page.reload()
        expect(dialog).to_contain_text("refused the saved key")
    shutil.rmtree(data_dir, ignore_errors=True)
