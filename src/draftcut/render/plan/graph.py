"""Assemble one ffmpeg invocation's inputs and filter graph as text.

Labels are allocated here so that chains can be written independently; the
graph goes to a file passed with ``-/filter_complex`` (argv is capped at
128 KiB per string, and graphs of long drafts are bigger). Side files
(sendcmd scripts, mask images) are collected for the executor to write.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Graph", "MaskRequest"]


@dataclass(frozen=True, slots=True)
class MaskRequest:
    """A mask image the executor must draw before running the job."""

    name: str
    shape: object  # MaskShape; typed loosely to keep this module dependency-free
    width: int
    height: int


@dataclass
class Graph:
    """Inputs (argv fragments), chains, and side files of one job."""

    prefix: str = "j"
    decoder_threads: int = 0
    """Threads per video decoder (0 = ffmpeg's default); 1 when windows already fill the cores."""
    inputs: list[list[str]] = field(default_factory=list)
    chains: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    masks: list[MaskRequest] = field(default_factory=list)
    _count: int = 0

    def label(self, hint: str = "s") -> str:
        self._count += 1
        return f"{hint}{self._count}"

    def add_input(self, args: list[str], path: str, *, decoded_video: bool = False) -> int:
        """Register ``args -i path``; returns the input index."""
        threads = ["-threads", str(self.decoder_threads)] if decoded_video and self.decoder_threads else []
        self.inputs.append([*args, *threads, "-i", path])
        return len(self.inputs) - 1

    def chain(self, sources: list[str], filters: list[str], hint: str = "s") -> str:
        """``[a][b]f1,f2[out]``; returns the out label. Sources are labels or ``i:v`` refs."""
        out = self.label(hint)
        body = ",".join(f for f in filters if f) or "null"
        self.chains.append("".join(f"[{s}]" for s in sources) + body + f"[{out}]")
        return out

    def split(self, label: str, count: int, hint: str = "sp") -> list[str]:
        """``[label]split=count[..]``: `count` labels carrying the same frames (shared, not copied)."""
        outs = [self.label(hint) for _ in range(count)]
        self.chains.append(f"[{label}]split={count}" + "".join(f"[{out}]" for out in outs))
        return outs

    def side_file(self, stem: str, text: str) -> str:
        name = f"{self.prefix}_{stem}{len(self.files)}.txt"
        self.files[name] = text
        return name

    def mask(self, shape: object, width: int, height: int) -> str:
        name = f"{self.prefix}_mask{len(self.masks)}.png"
        self.masks.append(MaskRequest(name, shape, width, height))
        return name

    def argv_inputs(self) -> list[str]:
        return [arg for entry in self.inputs for arg in entry]

    def text(self) -> str:
        return ";\n".join(self.chains) + "\n"
