"""A pre-started ffmpeg for the next small preview: process start-up off the request's path.

Starting ffmpeg (exec of a large static binary, library set-up) was about a
third of a 360 px preview once the frames were decoded already. ffmpeg reads
a ``-/filter_complex`` file while it parses its command line, before it opens
any input; started with that file being a FIFO, it waits there, set up,
until a graph arrives. So a `Spares` keeps one such process ready in a
folder of its own. The next preview writes its side files into that folder
and its graph into the FIFO, the process runs at once and writes the PNG to
its stdout, and a new spare is started in the background for the preview
after.

Its command line was fixed before the preview was planned, so the preview's
inputs must be in the graph: ``movie`` sources reading the raw pictures
``_warm_inputs`` wrote (`movie_graph`). A preview with an input that cannot be
one (a seek ffmpeg must do itself, a caption-state list) runs the ordinary way.

The server holds the FIFO open too: ffmpeg's read then waits for data rather
than for a writer, and if the server dies its end closes, ffmpeg reads an
empty graph and exits; a waiting spare never outlives the process that
started it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from draftcut.errors import RenderFailed
from draftcut.render.run.ffmpeg import BASE_FLAGS

__all__ = ["OUT_LABEL", "Spare", "Spares", "movie_graph"]

OUT_LABEL = "preview_out"
_FIFO = "graph.fifo"
_ARGS = ("-filter_threads", "1", "-filter_complex_threads", "1", "-/filter_complex", _FIFO,
         "-map", f"[{OUT_LABEL}]", "-frames:v", "1", "-c:v", "png", "-compression_level", "1", "-threads", "1",
         "-f", "image2pipe", "pipe:1")
"""One thread: at preview sizes, starting threads costs more than they save. PNG level 1: deflating a
small frame hard costs more than the bytes it saves on a local link."""
_RUN_TIMEOUT_S = 120.0
_SEND_TIMEOUT_S = 5.0
"""A spare that has not read its graph by then is dropped (the preview runs ffmpeg itself)."""
_INPUT = re.compile(r"\[(\d+):v\]")


def _unread(fd: int) -> int:
    """Bytes written to the pipe and not read yet."""
    buf = bytearray(4)
    fcntl.ioctl(fd, termios.FIONREAD, buf)
    return int.from_bytes(buf, sys.byteorder)


def movie_graph(graph: str, sources: Sequence[str], out_label: str) -> str:
    """`graph` reading input k from ``sources[k]`` (a movie source chain) and ending in `OUT_LABEL`."""
    head = "".join(f"{source}[pin{k}];\n" for k, source in enumerate(sources))
    body = _INPUT.sub(lambda m: f"[pin{m.group(1)}]", graph)
    return head + body.replace(f"[{out_label}]", f"[{OUT_LABEL}]")


@dataclass
class Spare:
    """A started ffmpeg waiting for its graph, its folder (its working directory), our end of its FIFO."""

    proc: subprocess.Popen[bytes]
    folder: Path
    fifo: int
    """Open read-write (so opening never waits), non-blocking; -1 once the graph is sent."""

    def run(self, graph: str) -> bytes | None:
        """The PNG the process makes of `graph`; None when it is gone (the caller runs ffmpeg itself)."""
        if not self._send(graph.encode("utf-8")):
            return None
        try:
            out, err = self.proc.communicate(timeout=_RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
        if self.proc.returncode != 0 or not out:
            raise RenderFailed(cmd=[*_ARGS], returncode=self.proc.returncode or -1,
                               stderr_tail=err.decode("utf-8", "replace")[-4000:])
        return out

    def _send(self, data: bytes) -> bool:
        """Write the graph and, once ffmpeg has read it, close our end (its end of file).

        Closing while the bytes still sit in the pipe would drop them if ffmpeg
        has not opened the FIFO yet (a spare started a moment ago): it would
        then wait for a writer for ever. False if ffmpeg is gone or stuck.
        """
        view = memoryview(data)
        deadline = time.monotonic() + _SEND_TIMEOUT_S
        while view or _unread(self.fifo):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                return False
            try:
                if view:
                    view = view[os.write(self.fifo, view):]
                    continue
            except BlockingIOError:  # a graph larger than the pipe: ffmpeg is reading it
                pass
            time.sleep(0.0005)
        os.close(self.fifo)
        self.fifo = -1
        return True

    def discard(self) -> None:
        """Stop the process if it still waits, and remove its folder."""
        if self.fifo >= 0:
            os.close(self.fifo)
            self.fifo = -1
        if self.proc.poll() is None:
            self.proc.kill()
        with contextlib.suppress(Exception):
            self.proc.communicate(timeout=5)
        shutil.rmtree(self.folder, ignore_errors=True)


class Spares:
    """At most one spare ffmpeg ready under `root`; taking it starts the next one in the background."""

    def __init__(self, exe: str, root: Path) -> None:
        self.exe = exe
        self.root = root
        self._ready: Spare | None = None
        self._starting = False
        self._closed = False
        self._lock = threading.Lock()

    def take(self) -> Spare | None:
        """The ready spare (None if there is none yet: this preview runs ffmpeg itself)."""
        with self._lock:
            spare, self._ready = self._ready, None
            start = not self._closed and not self._starting
            self._starting = self._starting or start
        if start:
            threading.Thread(target=self._start, name="draftcut-spare-ffmpeg", daemon=True).start()
        if spare is not None and spare.proc.poll() is not None:
            spare.discard()
            return None
        return spare

    def _start(self) -> None:
        spare: Spare | None = None
        folder: Path | None = None
        fifo = -1
        try:
            folder = Path(tempfile.mkdtemp(prefix="spare-", dir=self.root))
            os.mkfifo(folder / _FIFO)
            fifo = os.open(folder / _FIFO, os.O_RDWR | os.O_NONBLOCK)  # not inherited (PEP 446)
            proc = subprocess.Popen([self.exe, *BASE_FLAGS, *_ARGS], cwd=folder, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            spare = Spare(proc, folder, fifo)
        except OSError:  # no spare this time: previews run ffmpeg themselves
            if fifo >= 0:
                os.close(fifo)
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
        finally:
            with self._lock:
                self._starting = False
                if spare is not None and not self._closed and self._ready is None:
                    self._ready, spare = spare, None
        if spare is not None:
            spare.discard()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            spare, self._ready = self._ready, None
        if spare is not None:
            spare.discard()
