"""Odd or oversized input is a clear 4xx naming the field, never a 500, and never stalls other clients.

Issue 7 items 1 and 2a: explicit nulls, numbers too large for a float, JSON
nested past the parser's stack, bodies over `DRAFTCUT_MAX_BODY_BYTES` (with and
without Content-Length) and item lists far over 500, all against a real server.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import BaseModel
from utils.server_fixtures import API, Server, call, create_draft, draft_content, draft_id

from draftcut import schemas

MiB = 1024 * 1024
DEFAULT_CAP = 8 * MiB
URL = "http://127.0.0.1:1/openapi/capcut-mate/v1/get_draft?draft_id=20990101000000deadbeef"


def _post(api: httpx.Client, name: str, body: Any) -> httpx.Response:
    return api.post(f"{API}/{name}", content=body if isinstance(body, bytes) else json.dumps(body).encode(),
                    headers={"content-type": "application/json"})


def _segments(content: dict[str, Any], ids: list[str]) -> list[dict[str, Any]]:
    by_id = {s["id"]: s for t in content["tracks"] for s in t["segments"]}
    return [by_id[i] for i in ids]


# -- explicit null means "not given" ---------------------------------------------------------------------------------

def _nullable_fields(model: type[BaseModel]) -> list[str]:
    return [name for name, field in model.model_fields.items() if field.default is None]


@pytest.mark.parametrize("model", [schemas.VideoInfo, schemas.AudioInfo, schemas.ImageInfo, schemas.AddVideosRequest],
                         ids=lambda m: m.__name__)
def test_every_field_defaulting_to_none_accepts_null(model: type[BaseModel]) -> None:
    # Introspective, so a nullable field added later is covered too.
    base: dict[str, Any] = {"draft_url": URL, "start": 0, "end": 1_000_000, "video_url": "http://a.b/c.mp4",
                            "audio_url": "http://a.b/c.mp3", "image_url": "http://a.b/c.png",
                            "video_infos": [{"video_url": "http://a.b/c.mp4", "start": 0, "end": 1}]}
    fields = _nullable_fields(model)
    assert fields
    without = model.model_validate(base)
    with_nulls = model.model_validate({**base, **dict.fromkeys(fields)})
    assert with_nulls == without


NULL_CASES = [
    ("add_videos", "video_infos", {"video_url": "video_red_2s.mp4", "duration": None, "width": None, "height": None,
                                   "transition": "叠化", "transition_duration": None, "mask": None}),
    ("add_audios", "audio_infos", {"audio_url": "audio_2s.mp3", "duration": None, "audio_effect": None}),
    ("add_images", "image_infos", {"image_url": "image_blue.png", "width": None, "height": None,
                                   "in_animation": "渐显", "in_animation_duration": None,
                                   "out_animation": "渐隐", "out_animation_duration": None,
                                   "loop_animation": None, "loop_animation_duration": None,
                                   "transition": "叠化", "transition_duration": None}),
]


@pytest.mark.parametrize("form", ["array", "json-string"])
@pytest.mark.parametrize(("endpoint", "field", "item"), NULL_CASES, ids=[c[0] for c in NULL_CASES])
def test_explicit_null_is_not_given(api: httpx.Client, media: Any, endpoint: str, field: str,
                                    item: dict[str, Any], form: str) -> None:
    url_key = next(k for k in item if k.endswith("_url"))
    item = {**item, url_key: media.url(item[url_key]), "start": 0, "end": 1_000_000}
    given = {k: v for k, v in item.items() if v is not None}
    results = []
    for sent in (item, given):
        draft = create_draft(api)
        infos = [sent, {**sent, "start": 1_000_000, "end": 2_000_000}]
        data = call(api, endpoint, {"draft_url": draft, field: json.dumps(infos) if form == "json-string" else infos})
        segments = _segments(draft_content(api, draft), data["segment_ids"])
        results.append([(s["target_timerange"], s["source_timerange"], len(s["extra_material_refs"]))
                        for s in segments])
    assert results[0] == results[1]


# -- numbers too large for a float ----------------------------------------------------------------------------------

BIG = [("add_videos", "video_infos", "end"), ("add_videos", "video_infos", "width"),
       ("add_videos", "video_infos", "duration"), ("add_videos", "video_infos", "transition_duration"),
       ("add_audios", "audio_infos", "fade_in"), ("add_images", "image_infos", "in_animation_duration")]


@pytest.mark.parametrize("number", ["9" * 309, "-" + "9" * 309, "9" * 400 + ".5", "9" * 5000, "1e400"],
                         ids=["309-digits", "negative", "decimal", "5000-digits", "exponent"])
@pytest.mark.parametrize(("endpoint", "field", "name"), BIG, ids=[f"{b[0]}.{b[2]}" for b in BIG])
def test_huge_numeric_string_is_a_400_naming_the_field(api: httpx.Client, endpoint: str, field: str, name: str,
                                                       number: str) -> None:
    kind = field.split("_")[0]
    item = {f"{kind}_url": f"http://a.b/c.{kind}", "start": 0, "end": 1_000_000, name: number}
    for infos in ([item], json.dumps([item])):
        resp = _post(api, endpoint, {"draft_url": URL, field: infos})
        body = resp.json()
        assert resp.status_code == 400, (resp.status_code, body)
        assert body["detail"].startswith(f"{field}[0].{name}: "), body


@pytest.mark.parametrize("number", ["1e400", "9" * 309, "9" * 5000, "NaN"])
def test_huge_number_in_a_json_string_item(api: httpx.Client, number: str) -> None:
    # Inside the JSON-string form the number is a JSON number, not a string.
    text = '[{"video_url": "http://a.b/c.mp4", "start": 0, "end": ' + number + "}]"
    resp = _post(api, "add_videos", {"draft_url": URL, "video_infos": text})
    assert resp.status_code == 400 and resp.json()["detail"].startswith("video_infos"), resp.text


# -- JSON nested past the parser's stack -----------------------------------------------------------------------------

@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.parametrize(("endpoint", "field"), [("add_videos", "video_infos"), ("add_videos", "scene_timelines"),
                                                 ("add_audios", "audio_infos"), ("add_images", "image_infos")])
def test_deeply_nested_json_string_is_a_400_naming_the_field(api: httpx.Client, endpoint: str, field: str,
                                                             depth: int) -> None:
    body: dict[str, Any] = {"draft_url": URL, field: "[" * depth + "]" * depth}
    if field == "scene_timelines":
        body["video_infos"] = [{"video_url": "http://a.b/c.mp4", "start": 0, "end": 1}]
    resp = _post(api, endpoint, body)
    # Within the parser's depth limit the first item is what is wrong; past it, the string.
    assert resp.status_code == 400 and resp.json()["detail"].startswith(field), resp.text


def test_deep_nesting_inside_an_item_is_a_400(api: httpx.Client) -> None:
    junk = "[" * 5_000 + "]" * 5_000
    text = '[{"video_url": "http://a.b/c.mp4", "start": 0, "end": 1, "junk": ' + junk + "}]"
    resp = _post(api, "add_videos", {"draft_url": URL, "video_infos": text})
    assert resp.status_code == 400 and resp.json()["detail"].startswith("video_infos"), resp.text


@pytest.mark.parametrize("depth", [500, 1_000, 100_000])
@pytest.mark.parametrize("where", ["field", "item", "top"])
def test_deeply_nested_raw_body_is_a_400(api: httpx.Client, depth: int, where: str) -> None:
    nest = "[" * depth + "]" * depth
    raw = {"field": '{"draft_url": "x", "video_infos": ' + nest + "}",
           "item": '{"draft_url": "x", "video_infos": [{"video_url": "http://a.b/c.mp4", "start": 0, "end": 1,'
                   ' "junk": ' + nest + "}]}",
           "top": nest}[where]
    resp = _post(api, "add_videos", raw.encode())
    # An ignored key may hold anything JSON can: then the made-up draft_url is what is wrong.
    assert resp.status_code == 400 and resp.json()["code"] in (1001, 2001, 2003), (resp.status_code, resp.text[:300])
    for endpoint in ("create_draft", "save_draft"):  # they ignore unknown keys: only a nested whole body is wrong
        resp = _post(api, endpoint, raw.encode())
        assert resp.status_code < 500 and (where != "top" or resp.status_code == 400), (endpoint, resp.text[:300])


# -- item counts are checked before the items ------------------------------------------------------------------------

@pytest.mark.parametrize("form", ["array", "json-string"])
@pytest.mark.parametrize(("endpoint", "field"), [("add_videos", "video_infos"), ("add_videos", "scene_timelines"),
                                                 ("add_audios", "audio_infos"), ("add_images", "image_infos")])
def test_too_many_items_refused_before_validating_them(api: httpx.Client, endpoint: str, field: str,
                                                       form: str) -> None:
    items = [0] * 200_000  # each would be its own "should be an object" error if items were validated first
    body: dict[str, Any] = {"draft_url": URL, field: json.dumps(items) if form == "json-string" else items}
    if field == "scene_timelines":
        body["video_infos"] = [{"video_url": "http://a.b/c.mp4", "start": 0, "end": 1}]
    started = time.perf_counter()
    resp = _post(api, endpoint, body)
    elapsed = time.perf_counter() - started
    assert resp.status_code == 400, resp.text[:300]
    assert resp.json()["detail"] == f"{field}: should have at most 500 items, not 200000", resp.text[:300]
    assert elapsed < 2.0


def test_500_items_still_accepted_by_validation(api: httpx.Client) -> None:
    items = [{"video_url": "http://a.b/c.mp4", "start": i, "end": i + 1} for i in range(500)]
    resp = _post(api, "add_videos", {"draft_url": URL, "video_infos": items})
    # Validation passes; the made-up draft is what is refused.
    assert resp.status_code in (400, 404) and resp.json()["detail"].startswith("draft_url"), resp.text[:300]


# -- body-size cap ---------------------------------------------------------------------------------------------------

def _padded(size: int) -> bytes:
    """A syntactically valid add_videos body of exactly `size` bytes (padding is JSON whitespace)."""
    head = json.dumps({"draft_url": URL, "video_infos": [{"video_url": "http://a.b/c.mp4", "start": 0, "end": 1}]})
    return head.encode() + b" " * (size - len(head))


def _chunks(body: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for i in range(0, len(body), size):
        yield body[i:i + size]


def _assert_413(resp: httpx.Response) -> None:
    body = resp.json()
    assert resp.status_code == 413 and body["code"] == 413, (resp.status_code, body)
    assert str(DEFAULT_CAP) in body["detail"], body


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_body_over_the_cap_is_413(api: httpx.Client, chunked: bool) -> None:
    body = _padded(DEFAULT_CAP + 1)
    content: Any = _chunks(body) if chunked else body
    resp = api.post(f"{API}/add_videos", content=content, headers={"content-type": "application/json"})
    _assert_413(resp)
    # The connection stays usable and a body at the cap is parsed as usual.
    resp = _post(api, "add_videos", _padded(DEFAULT_CAP))
    assert resp.status_code in (400, 404) and resp.json()["detail"].startswith("draft_url"), resp.text[:300]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_large_body_under_the_cap_answers_like_a_small_one(api: httpx.Client, chunked: bool) -> None:
    # Bodies over the inline-parse threshold go through a worker thread; the answer must not change.
    url = create_draft(api)
    head = json.dumps({"draft_url": url, "video_infos": [{"video_url": "http://a.b/c.mp4", "start": 0, "end": 0}]})
    small = _post(api, "add_videos", head.encode())
    big_body = head.encode() + b" " * (4 * MiB)
    content: Any = _chunks(big_body) if chunked else big_body
    big = api.post(f"{API}/add_videos", content=content, headers={"content-type": "application/json"})
    assert (big.status_code, big.json()) == (small.status_code, small.json())
    assert small.json()["detail"].startswith("video_infos[0]")
    broken = api.post(f"{API}/add_videos", content=big_body[:-1] + b"{", headers={"content-type": "application/json"})
    assert broken.status_code == 400 and broken.json()["detail"].startswith("request body: JSON decode error")


def test_body_over_the_cap_is_413_on_every_route(api: httpx.Client) -> None:
    body = b" " * (DEFAULT_CAP + 1)
    draft = draft_id(create_draft(api))
    for method, path in [("GET", f"{API}/get_draft?draft_id={draft}"), ("POST", f"{API}/create_draft"),
                         ("GET", f"/output/draft/{draft}/draft_content.json"), ("POST", f"{API}/no_such_route")]:
        _assert_413(api.request(method, path, content=body))


def test_body_cap_is_configurable(tmp_path: Any) -> None:
    with Server(tmp_path, env={"DRAFTCUT_MAX_BODY_BYTES": "2048"}) as srv, httpx.Client(base_url=srv.url) as client:
        resp = _post(client, "save_draft", _padded(2049))
        assert resp.status_code == 413 and "2048" in resp.json()["detail"], resp.text
        resp = client.post(f"{API}/save_draft", content=_chunks(_padded(2049), 100),
                           headers={"content-type": "application/json", "accept-language": "en"})
        assert resp.status_code == 413 and resp.json()["message"].startswith("Request body too large"), resp.text
        assert _post(client, "save_draft", _padded(2048)).status_code == 404


SENDER = """
import json, sys, threading, httpx
item = b'{"video_url":"http://example.com/clip.mp4","start":0,"end":1000000},'
items = item * (55 * 1000 * 1000 // len(item))  # about 55 MB, 820k items: what held the loop for 10 s
body = b'{"draft_url":"' + sys.argv[2].encode() + b'","video_infos":[' + items[:-1] + b"]}"
answers = {}

def send(name, content):
    with httpx.Client(base_url=sys.argv[1], timeout=120) as client:
        resp = client.post("/openapi/capcut-mate/v1/add_videos", content=content,
                           headers={"content-type": "application/json"})
        answers[name] = [resp.status_code, resp.json()]

chunks = (body[i:i + 65536] for i in range(0, len(body), 65536))
senders = [threading.Thread(target=send, args=("content-length", body)),
           threading.Thread(target=send, args=("chunked", chunks))]
print("ready", flush=True)
sys.stdin.readline()
for t in senders:
    t.start()
for t in senders:
    t.join()
print(json.dumps(answers), flush=True)
"""


def test_get_draft_stays_fast_while_an_oversize_body_is_refused(server: Server, api: httpx.Client) -> None:
    # The oversize bodies come from another process, as from another client: in this one, their
    # threads would compete with the probe for the GIL and time the test client, not the server.
    draft = draft_id(create_draft(api))
    sender = subprocess.Popen([sys.executable, "-c", SENDER, server.url, URL], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert sender.stdin is not None and sender.stdout is not None
    assert sender.stdout.readline().strip() == "ready"
    latencies: list[float] = []
    with httpx.Client(base_url=server.url, timeout=30) as probe:
        probe.get(f"{API}/get_draft", params={"draft_id": draft})  # connect before the clock starts
        sender.stdin.write("go\n")
        sender.stdin.flush()
        while sender.poll() is None or len(latencies) < 20:
            started = time.perf_counter()
            resp = probe.get(f"{API}/get_draft", params={"draft_id": draft})
            latencies.append(time.perf_counter() - started)
            assert resp.status_code == 200
            time.sleep(0.01)
    answers = json.loads(sender.stdout.read())
    worst = max(latencies)
    print(f"get_draft during oversize bodies: {len(latencies)} calls, worst {worst * 1000:.1f} ms")
    assert worst < 0.2, sorted(latencies)[-5:]
    assert set(answers) == {"content-length", "chunked"}
    for status, body in answers.values():
        assert status == 413 and body["code"] == 413 and str(DEFAULT_CAP) in body["detail"], (status, body)
