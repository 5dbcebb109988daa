"""Turn per-job ffmpeg progress into one 0–100 figure for the caller.

Each job reports how far its output has got (``out_time_us``); its share of
the total is its weight (video windows by frames, audio and the final join
much lighter). Reports are thread-safe, never go backwards, and are
throttled to steps of `step` percent.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

__all__ = ["ProgressCallback", "ProgressTracker"]

ProgressCallback = Callable[[float, str], None]


class ProgressTracker:
    def __init__(self, callback: ProgressCallback | None, jobs: Iterable[tuple[str, float, int]],
                 step: float = 0.5) -> None:
        self._callback = callback
        self._jobs = {name: (weight, max(1, duration)) for name, weight, duration in jobs}
        self._total = sum(w for w, _ in self._jobs.values()) or 1.0
        self._done: dict[str, float] = {}
        self._lock = threading.Lock()
        self._last = -1.0
        self._step = step

    def update(self, name: str, out_time_us: int, phase: str) -> None:
        weight, duration = self._jobs.get(name, (0.0, 1))
        with self._lock:
            self._done[name] = max(self._done.get(name, 0.0), min(1.0, out_time_us / duration) * weight)
            self._emit(phase)

    def finish(self, name: str, phase: str) -> None:
        self.update(name, self._jobs.get(name, (0.0, 1))[1], phase)

    def percent(self) -> float:
        return min(100.0, 100.0 * sum(self._done.values()) / self._total)

    def _emit(self, phase: str, force: bool = False) -> None:
        value = self.percent()
        if self._callback is None or (value - self._last < self._step and not force and value < 100.0):
            return
        if value <= self._last and not force:
            return
        self._last = max(value, self._last)
        self._callback(round(self._last, 2), phase)

    def start(self, phase: str) -> None:
        with self._lock:
            if self._callback is not None and self._last < 0:
                self._last = 0.0
                self._callback(0.0, phase)
