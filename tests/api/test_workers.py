"""`draftcut serve --workers N`: one listening socket per worker, supervised."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from utils.server_fixtures import API, Server, free_port

from draftcut.workers import reuseport_available

pytestmark = pytest.mark.skipif(not reuseport_available(), reason="SO_REUSEPORT balancing is Linux-only")


def _pid_of_new_connection(url: str) -> str:
    with httpx.Client(base_url=url, timeout=10) as c:
        return c.get(f"{API}/gen_video_active_count").headers["x-draftcut-pid"]


def _pids(proc: subprocess.Popen[bytes]) -> set[int]:
    """The supervisor's worker processes (not multiprocessing's resource tracker)."""
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    return {int(c) for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()}


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_keep_alive_connections_spread_over_workers(tmp_path: Path) -> None:
    with Server(tmp_path, workers=2) as srv:
        clients = [httpx.Client(base_url=srv.url, timeout=10) for _ in range(40)]
        try:
            pids = [c.get(f"{API}/gen_video_active_count").headers["x-draftcut-pid"] for c in clients]
            # each keeps its connection: the same worker answers again
            assert [c.get(f"{API}/gen_video_active_count").headers["x-draftcut-pid"] for c in clients] == pids
        finally:
            for c in clients:
                c.close()
    counts = Counter(pids)
    assert len(counts) == 2 and max(counts.values()) <= 32  # uvicorn's shared socket gave one worker 45 of 50


def test_a_killed_worker_is_replaced(tmp_path: Path) -> None:
    with Server(tmp_path, workers=2) as srv:
        assert srv.proc is not None
        before = _pids(srv.proc)
        assert len(before) == 2
        victim = before.pop()
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            now = _pids(srv.proc)
            if len(now) == 2 and victim not in now:
                break
            time.sleep(0.1)
        assert len(now) == 2 and victim not in now
        seen = {_pid_of_new_connection(srv.url) for _ in range(30)}
        assert str(victim) not in seen


def test_workers_die_with_a_killed_supervisor(tmp_path: Path) -> None:
    srv = Server(tmp_path, workers=2).start()
    assert srv.proc is not None
    workers = _pids(srv.proc)
    srv.stop(kill=True)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in workers):
        time.sleep(0.1)
    assert not any(Path(f"/proc/{p}").exists() for p in workers)
    assert not _port_open(srv.port)


def test_sigterm_stops_everything_cleanly(tmp_path: Path) -> None:
    srv = Server(tmp_path, workers=2).start()
    assert srv.proc is not None
    workers = _pids(srv.proc)
    srv.proc.send_signal(signal.SIGTERM)
    assert srv.proc.wait(timeout=30) == 0
    assert not any(Path(f"/proc/{p}").exists() for p in workers)


def test_a_port_in_use_fails_at_once(tmp_path: Path) -> None:
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        proc = subprocess.run([sys.executable, "-m", "draftcut", "serve", "--port", str(port), "--workers", "2",
                               "--data-dir", str(tmp_path)], capture_output=True, timeout=60)
    assert proc.returncode != 0
    assert b"Address already in use" in proc.stderr
