"""Run one ffmpeg job: argv list, quiet flags, progress from ``-progress pipe:1``, cancel.

stdout carries the machine-readable progress blocks (``out_time_us=…``),
stderr goes to a file so a chatty ffmpeg can never block on a full pipe;
its tail is attached to `RenderFailed`. A cancel event or a failure in a
sibling job terminates the process.
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

from draftcut.errors import RenderError, RenderFailed

__all__ = ["BASE_FLAGS", "Cancelled", "run_ffmpeg"]

BASE_FLAGS = ["-hide_banner", "-nostats", "-loglevel", "error", "-y"]
_PROGRESS_FLAGS = ["-progress", "pipe:1", "-stats_period", "0.25"]
_TAIL_CHARS = 4000
_KILL_GRACE_S = 3.0


class Cancelled(RenderError):
    """Raised inside the runner when the render was cancelled (re-raised as RenderError)."""


def _stopped(stop: Sequence[threading.Event]) -> bool:
    return any(event.is_set() for event in stop)


def _watch(proc: subprocess.Popen[str], stop: Sequence[threading.Event], done: threading.Event) -> None:
    """Terminate `proc` as soon as any `stop` event is set, unless it finished first."""
    while not done.wait(0.1):
        if _stopped(stop):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(_KILL_GRACE_S)
                except subprocess.TimeoutExpired:
                    proc.kill()
            return


def _read_progress(proc: subprocess.Popen[str], on_time: Callable[[int], None] | None) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        key, _, value = line.strip().partition("=")
        if key == "out_time_us" and on_time is not None and value.lstrip("-").isdigit():
            on_time(max(0, int(value)))


def _tail(handle: IO[bytes]) -> str:
    handle.seek(0)
    return handle.read().decode("utf-8", "replace")[-_TAIL_CHARS:]


def run_ffmpeg(exe: str, args: list[str], *, cwd: Path, on_time: Callable[[int], None] | None = None,
               stop: Sequence[threading.Event] = ()) -> None:
    """Run ``exe BASE_FLAGS -progress … args`` in `cwd`; raise RenderFailed on a non-zero exit."""
    cmd = [exe, *BASE_FLAGS, *_PROGRESS_FLAGS, *args]
    done = threading.Event()
    with tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=err, text=True, encoding="utf-8", errors="replace")
        except OSError as exc:
            raise RenderFailed(f"cannot start ffmpeg ({exe}): {exc}", cmd=cmd) from exc
        if stop:
            threading.Thread(target=_watch, args=(proc, stop, done), daemon=True).start()
        try:
            _read_progress(proc, on_time)
            code = proc.wait()
        finally:
            done.set()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if _stopped(stop):
            raise Cancelled("render cancelled")
        if code != 0:
            raise RenderFailed(cmd=cmd, returncode=code, stderr_tail=_tail(err))
