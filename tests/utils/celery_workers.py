"""`draftcut worker` processes for the scale-out tests: started, read, stopped and killed like a real node."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["Worker"]


class Worker:
    """`python -m draftcut worker` in its own process group, so kill -9 takes its render processes too."""

    def __init__(self, env: dict[str, str], log: Path, concurrency: int = 1) -> None:
        self.env, self.log, self.concurrency = env, log, concurrency
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def node(self) -> str:
        assert self.proc
        return f"draftcut.{self.proc.pid}@"

    def start(self, timeout: float = 60) -> Worker:
        cmd = [sys.executable, "-m", "draftcut", "worker", "--concurrency", str(self.concurrency), "--loglevel", "info"]
        self.proc = subprocess.Popen(cmd, env=self.env, stdout=open(self.log, "ab"), stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited: {self.text()[-3000:]}")
            if " ready." in self.text():
                return self
            time.sleep(0.1)
        raise RuntimeError(f"worker did not start: {self.text()[-3000:]}")

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def parts(self, job_id: str) -> list[int]:
        """The parts of a split render's job this worker started, in order (jobs/split_render.py's log)."""
        return [int(m) for m in re.findall(rf"render job {job_id}: part (\d+) \(", self.text())]

    def kill(self) -> None:
        """kill -9 of the worker and its render processes: a machine lost mid-render."""
        assert self.proc
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()  # Celery's warm shutdown: running tasks finish, then it exits
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)

    def __enter__(self) -> Worker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
