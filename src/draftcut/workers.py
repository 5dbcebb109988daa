"""Several server processes on one port, each with its own listening socket (Linux).

uvicorn's `--workers` shares one listening socket: whichever process wakes
first accepts every connection waiting, so a burst of clients lands mostly
on one process (45 of 50 keep-alive connections in the edit benchmark),
which then queues them while the others idle. With `SO_REUSEPORT` each
worker listens on its own socket and the kernel spreads new connections
over them evenly by hashing. This module is the small supervisor that does
that: spawn the workers, restart one that dies, stop them all on SIGINT or
SIGTERM, and take them down with it if it is killed (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from typing import Any

__all__ = ["reuseport_available", "serve_workers"]

log = logging.getLogger("draftcut.workers")

RESTART_WINDOW_S = 60.0
MAX_RESTARTS = 5
"""A worker that dies this often within the window stops the server instead of flapping."""
STOP_GRACE_S = 20.0
_PR_SET_PDEATHSIG = 1


def reuseport_available() -> bool:
    """Linux balances SO_REUSEPORT listeners; BSD and macOS give every connection to the last one."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _socket(host: str, port: int, *, listen: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    if listen:
        sock.listen(2048)
    return sock


def _die_with(parent: int) -> None:
    """Have the kernel SIGTERM this process when the supervisor dies, even by SIGKILL."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # it died before prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)


def _worker(config: dict[str, Any], parent: int) -> None:
    import uvicorn

    _die_with(parent)
    sock = _socket(config["host"], config["port"], listen=True)
    uvicorn.Server(uvicorn.Config(**config)).run(sockets=[sock])


def serve_workers(config: dict[str, Any], workers: int) -> int:
    """Run `workers` uvicorn servers built from `config` (uvicorn.Config keywords); returns an exit code."""
    # Hold the port (bound, never listening, so it receives nothing): a port in use fails here, once.
    placeholder = _socket(config["host"], config["port"], listen=False)
    spawn = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> BaseProcess:
        proc = spawn.Process(target=_worker, args=(config, os.getpid()), name="draftcut-worker")
        proc.start()
        return proc

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    previous: dict[int, Callable[..., Any] | int | None] = {
        s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    procs = [start() for _ in range(workers)]
    deaths: list[float] = []
    code = 0
    try:
        while not stopping:
            time.sleep(0.2)
            for i, proc in enumerate(procs):
                if proc.is_alive() or stopping:
                    continue
                now = time.monotonic()
                deaths = [t for t in deaths if now - t < RESTART_WINDOW_S] + [now]
                if len(deaths) > MAX_RESTARTS:
                    log.error("workers keep dying (last exit code %s); stopping", proc.exitcode)
                    stopping, code = True, 1
                    break
                log.warning("worker %s exited with code %s; starting another", proc.pid, proc.exitcode)
                procs[i] = start()
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()  # SIGTERM: uvicorn finishes requests in flight
        deadline = time.monotonic() + STOP_GRACE_S
        for proc in procs:
            proc.join(max(0.0, deadline - time.monotonic()))
            if proc.is_alive():
                proc.kill()
                proc.join()
        placeholder.close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return code
