"""`draftcut serve` on PostgreSQL (`DRAFTCUT_DATABASE_URL`): drafts outlive the process, two API processes
edit one draft without losing an edit, `draftcut keys` writes where the server reads, and a database outage
is a 503 with Retry-After that heals by itself once PostgreSQL is back."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psycopg
from utils.pg_server import PgServer, pg_server, pg_url  # noqa: F401  (fixtures)
from utils.server_fixtures import API, Server, draft_id


def _env(url: str, **extra: str) -> dict[str, str]:
    return {"DRAFTCUT_DATABASE_URL": url, "DRAFTCUT_RENDER_ENABLED": "false", **extra}


def _add(client: httpx.Client, url: str, media: Any, i: int) -> dict[str, Any]:
    kind, span = i % 3, {"start": i * 1000, "end": i * 1000 + 500_000}
    if kind == 0:
        name, body = "add_videos", {"video_infos": json.dumps([{"video_url": media.url("video_red_2s.mp4"), **span}])}
    elif kind == 1:
        name, body = "add_audios", {"audio_infos": json.dumps([{"audio_url": media.url("audio_2s.mp3"), **span}])}
    else:
        name, body = "add_images", {"image_infos": json.dumps([{"image_url": media.url("image_blue.png"), **span}])}
    resp = client.post(f"{API}/{name}", json={"draft_url": url, **body})
    assert resp.status_code == 200 and resp.json()["code"] == 0, resp.text
    return {**resp.json(), "pid": resp.headers.get("x-draftcut-pid")}


def _version(pg_url: str, did: str) -> int:  # noqa: F811
    with psycopg.connect(pg_url) as conn:
        row = conn.execute("SELECT version FROM drafts WHERE id = %s", (did,)).fetchone()
    assert row is not None
    return int(row[0])


def _keys(pg_url: str, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:  # noqa: F811
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRAFTCUT_")} | _env(pg_url)
    return subprocess.run([sys.executable, "-m", "draftcut", "keys", *args, "--data-dir", str(data_dir)],
                          env=env, capture_output=True, text=True, timeout=60, check=True)


def test_a_draft_lives_in_postgres_across_a_restart(tmp_path: Path, pg_url: str, media: Any) -> None:  # noqa: F811
    key = _keys(pg_url, tmp_path, "create", "--name", "ci").stdout.strip()
    assert "ci" in _keys(pg_url, tmp_path, "list").stdout
    env = _env(pg_url, DRAFTCUT_API_KEYS="true")
    headers = {"authorization": f"Bearer {key}"}
    with Server(tmp_path, env=env) as srv, httpx.Client(base_url=srv.url, timeout=30, headers=headers) as c:
        assert httpx.post(f"{srv.url}{API}/create_draft", json={}).status_code == 401  # the key is needed ...
        url = c.post(f"{API}/create_draft", json={"width": 320, "height": 240}).json()["draft_url"]  # ... and known
        added = _add(c, url, media, 0)
        files = c.get(f"{API}/get_draft", params={"draft_id": draft_id(url)}).json()["files"]
    assert not (tmp_path / "draftcut.sqlite3").exists()  # nothing went to the embedded SQLite file
    with Server(tmp_path, env=env) as srv, httpx.Client(base_url=srv.url, timeout=30, headers=headers) as c:
        again = c.get(f"{API}/get_draft", params={"draft_id": draft_id(url)}).json()
        content = c.get(f"/output/draft/{draft_id(url)}/draft_content.json").json()
    assert again["code"] == 0 and [f.rsplit("/", 1)[1] for f in again["files"]] == \
        [f.rsplit("/", 1)[1] for f in files]
    assert set(added["segment_ids"]) <= {s["id"] for t in content["tracks"] for s in t["segments"]}
    assert _version(pg_url, draft_id(url)) == 2


def test_two_api_processes_edit_one_draft_and_keep_every_edit(tmp_path: Path, pg_url: str,  # noqa: F811
                                                              media: Any) -> None:
    env = _env(pg_url)
    with Server(tmp_path, env=env) as a, Server(tmp_path, env=env) as b:
        url = httpx.post(f"{a.url}{API}/create_draft", json={"width": 320, "height": 240}).json()["draft_url"]
        with httpx.Client(base_url=a.url, timeout=30) as ca, httpx.Client(base_url=b.url, timeout=30) as cb:
            _add(ca, url, media, 0)  # media in the shared blob folder and index: the edits below only edit
            _add(cb, url, media, 1)
            _add(cb, url, media, 2)

            def edit(i: int) -> dict[str, Any]:
                with httpx.Client(base_url=(a if i % 2 else b).url, timeout=60) as own:
                    return _add(own, url, media, i)

            with ThreadPoolExecutor(max_workers=12) as pool:
                results = list(pool.map(edit, range(3, 39)))
            content = ca.get(f"/output/draft/{draft_id(url)}/draft_content.json").json()
    segments = sorted(s["id"] for t in content["tracks"] for s in t["segments"])
    assert {sid for r in results for sid in r["segment_ids"]} <= set(segments)
    assert len(segments) == len(set(segments)) == 39  # every add landed exactly once
    assert len({r["pid"] for r in results}) == 2
    assert _version(pg_url, draft_id(url)) == 1 + 39  # one version per edit, none lost


@contextlib.contextmanager
def _outage(pg_server: PgServer) -> Iterator[None]:  # noqa: F811
    pg_server.stop()
    try:
        yield
    finally:
        pg_server.start()


def test_an_outage_is_a_503_with_retry_after_and_heals_without_a_restart(
        tmp_path: Path, pg_url: str, pg_server: PgServer) -> None:  # noqa: F811
    env = _env(pg_url, DRAFTCUT_DATABASE_TIMEOUT_S="1")
    with Server(tmp_path, env=env) as srv, httpx.Client(base_url=srv.url, timeout=60) as c:
        url = c.post(f"{API}/create_draft", json={}).json()["draft_url"]
        with _outage(pg_server):
            for resp in (c.post(f"{API}/create_draft", json={}),
                         c.get(f"{API}/get_draft", params={"draft_id": draft_id(url)})):
                assert resp.status_code == 503, resp.text
                assert resp.json()["code"] == 3050 and int(resp.headers["retry-after"]) >= 1
        resp = c.get(f"{API}/get_draft", params={"draft_id": draft_id(url)})  # the very next request
        assert resp.status_code == 200 and resp.json()["code"] == 0, resp.text
        created = c.post(f"{API}/create_draft", json={})
        assert created.status_code == 200 and created.json()["code"] == 0


def test_requests_waiting_on_a_database_outage_do_not_stall_the_others(
        tmp_path: Path, pg_url: str, pg_server: PgServer) -> None:  # noqa: F811
    """get_draft reads one row; while PostgreSQL is down that read waits out the pool's timeout, in a thread."""
    env = _env(pg_url, DRAFTCUT_DATABASE_TIMEOUT_S="3")
    with Server(tmp_path, env=env) as srv, httpx.Client(base_url=srv.url, timeout=60) as c:
        url = c.post(f"{API}/create_draft", json={}).json()["draft_url"]
        with _outage(pg_server):
            with ThreadPoolExecutor(4) as pool:
                waiting = [pool.submit(c.get, f"{API}/get_draft", params={"draft_id": draft_id(url)})
                           for _ in range(3)]
                time.sleep(0.3)  # they are now waiting on the database
                lags = []
                for _ in range(5):
                    t0 = time.monotonic()
                    assert c.get("/openapi.json").status_code == 200
                    lags.append(time.monotonic() - t0)
                answers = [f.result() for f in waiting]
    assert all(a.status_code == 503 and a.json()["code"] == 3050 for a in answers), [a.text for a in answers]
    assert max(lags) < 1.0, lags  # inline, each read held the event loop for the 3 s timeout


def test_serve_with_the_database_down_says_so_in_one_line(tmp_path: Path) -> None:
    """A wrong URL or a stopped PostgreSQL is the operator's to fix: one clear line and exit 1, not a traceback."""
    from utils.server_fixtures import free_port

    closed = f"postgresql://draftcut@127.0.0.1:{free_port()}/draftcut"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRAFTCUT_")} | _env(closed)
    proc = subprocess.run([sys.executable, "-m", "draftcut", "serve", "--port", str(free_port()),
                           "--data-dir", str(tmp_path)], env=env, capture_output=True, text=True, timeout=90)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert "cannot start" in proc.stderr and "PostgreSQL at" in proc.stderr and "DRAFTCUT_DATABASE_URL" in proc.stderr
