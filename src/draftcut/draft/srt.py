"""A pure SubRip (.srt) parser: text in, cues out; no I/O, no third-party code.

Tolerates what real files contain (BOM, any line ends, stray blank lines, a
missing number line, dot or comma before 1-3 millisecond digits, WebVTT
position settings after the end time) and rejects the rest with an SrtError
that names the cue and the 1-based input line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["MAX_LINE_CHARS", "MAX_TIME_US", "Cue", "SrtError", "parse_srt"]

MAX_LINE_CHARS = 10_000
MAX_TIME_US = 24 * 3600 * 1_000_000  # 24:00:00,000 is allowed; anything later is not

_NEWLINE = re.compile(r"\r\n|\r|\n")
_NUMBER = re.compile(r"[0-9]{1,18}", re.ASCII)
_TIMESTAMP = re.compile(r"([0-9]+):([0-9]{2}):([0-9]{2})[,.]([0-9]{1,3})", re.ASCII)
# SubRip formatting (<i>, </b>, <font color="...">, any case) and ASS override blocks ({\an8}, {\pos(1,2)}).
_TAGS = re.compile(r"</?(?:i|b|u|s|font)(?:\s[^>]*)?>|\{\\[^{}]*\}", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Cue:
    number: int  # as written, or the 1-based position when the block has no number line
    start_us: int
    end_us: int
    text: str  # lines joined with "\n", tags removed, surrounding whitespace stripped


class SrtError(ValueError):
    """A file that is not usable SubRip; `cue` is the cue's number (None outside any cue), `line` is 1-based."""

    def __init__(self, message: str, *, cue: int | None, line: int) -> None:
        self.message = message
        self.cue = cue
        self.line = line
        where = f"cue {cue} (line {line})" if cue is not None else f"line {line}"
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_error, (self.message, self.cue, self.line))


def _rebuild_error(message: str, cue: int | None, line: int) -> SrtError:
    return SrtError(message, cue=cue, line=line)


def parse_srt(text: str, *, max_cues: int = 10_000) -> list[Cue]:
    """Every cue of an SRT document, in file order (overlaps allowed, nothing sorted)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = _NEWLINE.split(text)
    cues: list[Cue] = []
    block_start = -1  # 0-based index of the current block's first line, -1 between blocks
    for index, line in enumerate(lines):
        if line.strip():
            if block_start < 0:
                block_start = index
            continue
        if len(line) > MAX_LINE_CHARS:
            raise SrtError(_too_long(line), cue=None, line=index + 1)
        if block_start >= 0:
            _add_cue(cues, lines, block_start, index, max_cues)
            block_start = -1
    if block_start >= 0:
        _add_cue(cues, lines, block_start, len(lines), max_cues)
    if not cues:
        raise SrtError("no cues found", cue=None, line=1)
    return cues


def _add_cue(cues: list[Cue], lines: list[str], first: int, stop: int, max_cues: int) -> None:
    """Parse lines[first:stop] (one block, no blank lines) and append it to `cues`."""
    position = len(cues) + 1
    head = lines[first].strip()
    number_match = _NUMBER.fullmatch(head)
    number = int(head) if number_match else position
    for index in range(first, stop):
        if len(lines[index]) > MAX_LINE_CHARS:
            raise SrtError(_too_long(lines[index]), cue=number, line=index + 1)

    if "-->" in head:  # no number line: the timing line opens the block (number is the position)
        timing = first
    elif first + 1 < stop and "-->" in lines[first + 1]:
        if not number_match:
            raise SrtError(f"expected a cue number or a timing line, got {_show(head)}", cue=number, line=first + 1)
        timing = first + 1
    else:
        raise SrtError("block has no timing line (start --> end)", cue=number, line=first + 1)

    start_us, end_us = _parse_timing(lines[timing], cue=number, line=timing + 1)
    cleaned = (_TAGS.sub("", lines[index]).strip() for index in range(timing + 1, stop))
    body = "\n".join(part for part in cleaned if part)
    if not body:
        raise SrtError("cue has no text", cue=number, line=timing + 1)
    if len(cues) >= max_cues:
        raise SrtError(f"more than {max_cues} cues", cue=number, line=first + 1)
    cues.append(Cue(number=number, start_us=start_us, end_us=end_us, text=body))


def _parse_timing(text: str, *, cue: int, line: int) -> tuple[int, int]:
    left, _, right = text.partition("-->")
    rest = right.split(maxsplit=1)  # whatever follows the end time (WebVTT settings) is ignored
    start_us = _parse_timestamp(left.strip(), "start", cue=cue, line=line)
    end_us = _parse_timestamp(rest[0] if rest else "", "end", cue=cue, line=line)
    if end_us <= start_us:
        raise SrtError(f"end time {_format(end_us)} is not after start {_format(start_us)}", cue=cue, line=line)
    return start_us, end_us


def _parse_timestamp(token: str, which: str, *, cue: int, line: int) -> int:
    match = _TIMESTAMP.fullmatch(token)
    if match is None:
        raise SrtError(f"malformed {which} time {_show(token)} (expected HH:MM:SS,mmm)", cue=cue, line=line)
    hours_text, minutes_text, seconds_text, millis_text = match.groups()
    minutes, seconds = int(minutes_text), int(seconds_text)
    if minutes >= 60 or seconds >= 60:
        unit = "minutes" if minutes >= 60 else "seconds"
        raise SrtError(f"malformed {which} time {_show(token)}: {unit} must be below 60", cue=cue, line=line)
    hours_text = hours_text.lstrip("0") or "0"
    hours = int(hours_text) if len(hours_text) <= 3 else 10**3  # no int() of a 10,000-digit string
    micros = ((hours * 60 + minutes) * 60 + seconds) * 1_000_000 + int(millis_text.ljust(3, "0")) * 1_000
    if micros > MAX_TIME_US:
        raise SrtError(f"{which} time {_show(token)} is beyond 24 hours", cue=cue, line=line)
    return micros


def _format(micros: int) -> str:
    millis = micros // 1_000
    return f"{millis // 3_600_000:02d}:{millis // 60_000 % 60:02d}:{millis // 1_000 % 60:02d},{millis % 1_000:03d}"


def _too_long(text: str) -> str:
    return f"line is {len(text):,} characters long (limit {MAX_LINE_CHARS:,})"


def _show(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")
