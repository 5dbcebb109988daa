"""Drafts survive restarts and crashes; four server processes edit one draft safely."""

from __future__ import annotations

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from utils.edits import add_one as _add
from utils.edits import kill_mid_edits
from utils.server_fixtures import API, Server


def test_drafts_survive_restart_and_stay_editable(tmp_path: Path, media: Any) -> None:
    with Server(tmp_path) as srv:
        url = httpx.post(f"{srv.url}{API}/create_draft", json={}).json()["draft_url"]
        with httpx.Client(base_url=srv.url, timeout=30) as c:
            first = _add(c, url, media, 0)
    with Server(tmp_path) as srv:  # a new process on the same data dir
        with httpx.Client(base_url=srv.url, timeout=30) as c:
            second = _add(c, url, media, 1)
            assert c.post(f"{API}/save_draft", json={"draft_url": url}).json()["code"] == 0
            files = c.get(f"{API}/get_draft", params={"draft_id": url.rsplit('=', 1)[1]}).json()["files"]
            content = httpx.get(files[0]).json()
    seg_ids = {s["id"] for t in content["tracks"] for s in t["segments"]}
    assert set(first["segment_ids"]) | set(second["segment_ids"]) <= seg_ids


def test_fifty_concurrent_edits_from_four_processes(tmp_path: Path, media: Any) -> None:
    with Server(tmp_path, workers=4) as srv, httpx.Client(base_url=srv.url, timeout=60,
                                                          limits=httpx.Limits(max_connections=60)) as c:
        url = c.post(f"{API}/create_draft", json={}).json()["draft_url"]
        def fresh_connection(i: int) -> dict[str, Any]:
            # one connection per call, so the kernel spreads them over the worker processes
            with httpx.Client(base_url=srv.url, timeout=60) as own:
                return _add(own, url, media, i)

        with ThreadPoolExecutor(max_workers=50) as pool:
            results = list(pool.map(fresh_connection, range(50)))
        did = url.rsplit("=", 1)[1]
        content = c.get(f"/output/draft/{did}/draft_content.json").json()
    assert all(r["code"] == 0 for r in results)
    segments = [s["id"] for t in content["tracks"] for s in t["segments"]]
    expected = [sid for r in results for sid in r["segment_ids"]]
    assert len(expected) == 50 and sorted(segments) == sorted(expected)  # each edit landed exactly once
    assert len({r["track_id"] for r in results}) == 50
    assert len({r["pid"] for r in results}) > 1  # more than one process served the edits


def test_killed_server_keeps_last_committed_version(tmp_path: Path, media: Any) -> None:
    url, done = kill_mid_edits(Server(tmp_path, workers=2).start(), media)
    with Server(tmp_path) as srv2, httpx.Client(base_url=srv2.url, timeout=30) as c2:
        did = url.rsplit("=", 1)[1]
        content = c2.get(f"/output/draft/{did}/draft_content.json").json()
        after = _add(c2, url, media, 99)
    seg_ids = {s["id"] for t in content["tracks"] for s in t["segments"]}
    assert {sid for r in done for sid in r["segment_ids"]} <= seg_ids  # every acknowledged edit is there
    assert all(t["segments"] for t in content["tracks"] if t["name"] != "main_track")  # no half-made tracks
    assert after["code"] == 0


def test_edit_waits_out_a_long_foreign_write_while_the_server_keeps_answering(tmp_path: Path, media: Any) -> None:
    """An edit that cannot get the write turn waits off the event loop; other calls are still served."""
    with Server(tmp_path) as srv, httpx.Client(base_url=srv.url, timeout=30) as c:
        url = c.post(f"{API}/create_draft", json={}).json()["draft_url"]
        _add(c, url, media, 0)  # media now cached
        script = ("import fcntl, sys, time\n"
                  "f = open(sys.argv[1], 'a+b'); fcntl.flock(f, fcntl.LOCK_EX)\n"
                  "print('held', flush=True); time.sleep(1.5)\n")
        holder = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "draftcut.sqlite3.writelock")],
                                  stdout=subprocess.PIPE)
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == b"held"
            t0 = time.monotonic()
            with ThreadPoolExecutor(max_workers=1) as pool:
                edit = pool.submit(_add, httpx.Client(base_url=srv.url, timeout=30), url, media, 1)
                time.sleep(0.4)
                assert not edit.done()  # still waiting for the write turn...
                t_get = time.monotonic()
                files = c.get(f"{API}/get_draft", params={"draft_id": url.rsplit('=', 1)[1]})
                get_took = time.monotonic() - t_get
                result = edit.result()
            waited = time.monotonic() - t0
        finally:
            holder.wait()
    assert files.status_code == 200 and get_took < 0.5  # ...while reads are answered
    assert result["code"] == 0 and waited >= 1.0  # and it landed once the turn was free
