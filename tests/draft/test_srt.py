"""The pure SRT parser (draftcut.draft.srt): tolerances, errors with cue and line, scale."""

from __future__ import annotations

import pickle
import subprocess
import sys

import pytest

from draftcut.draft.srt import Cue, SrtError, parse_srt

SAMPLE = """1
00:00:01,000 --> 00:00:02,500
你好，世界 🎬

2
00:00:03,000 --> 00:00:05,000
<i>First line</i>
<font color="#ff0000">Second</font> <B>line</B> 😀

3
00:00:04,000 --> 00:00:06,000
{\\an8}Overlapping is fine
"""


def _error(text: str, **kwargs: int) -> SrtError:
    with pytest.raises(SrtError) as info:
        parse_srt(text, **kwargs)
    return info.value


def test_parser_imports_no_io_libraries() -> None:
    code = (
        "import sys, draftcut.draft.srt;"
        "bad = {'av', 'subprocess', 'fastapi', 'httpx', 'sqlite3'} & set(sys.modules); assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_happy_path() -> None:
    assert parse_srt(SAMPLE) == [
        Cue(number=1, start_us=1_000_000, end_us=2_500_000, text="你好，世界 🎬"),
        Cue(number=2, start_us=3_000_000, end_us=5_000_000, text="First line\nSecond line 😀"),
        Cue(number=3, start_us=4_000_000, end_us=6_000_000, text="Overlapping is fine"),
    ]


def test_cues_keep_file_order_and_numbers_as_written() -> None:
    text = "7\n00:00:05,000 --> 00:00:06,000\nlater\n\n3\n00:00:01,000 --> 00:00:02,000\nearlier\n"
    assert [(c.number, c.start_us) for c in parse_srt(text)] == [(7, 5_000_000), (3, 1_000_000)]


def test_tags_and_whitespace_removed() -> None:
    text = (
        "1\n00:00:01,000 --> 00:00:02,000\n"
        "  {\\an8}{\\pos(10,20)}\n <u>a</u>  <s>b</s> \n<font face='x' size=3>c</FONT>\n"
    )
    assert parse_srt(text)[0].text == "a  b\nc"


def test_text_that_only_looks_like_markup_is_kept() -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\n1 < 2 and 3 > 2 {not a tag} <br>\n"
    assert parse_srt(text)[0].text == "1 < 2 and 3 > 2 {not a tag} <br>"


def test_bom() -> None:
    assert parse_srt("\ufeff" + SAMPLE) == parse_srt(SAMPLE)


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_line_ends(newline: str) -> None:
    assert parse_srt(SAMPLE.replace("\n", newline)) == parse_srt(SAMPLE)


def test_extra_blank_lines_and_whitespace_only_lines() -> None:
    text = "\n\n \n1\n00:00:01,000 --> 00:00:02,000\na\n\n\n\t\n  \n2\n00:00:03,000 --> 00:00:04,000\nb\n\n\n"
    assert [c.text for c in parse_srt(text)] == ["a", "b"]


def test_missing_number_line_uses_position() -> None:
    text = (
        "00:00:01,000 --> 00:00:02,000\na\n\n9\n00:00:03,000 --> 00:00:04,000\nb\n\n00:00:05,000 --> 00:00:06,000\nc\n"
    )
    assert [c.number for c in parse_srt(text)] == [1, 9, 3]


@pytest.mark.parametrize(
    ("stamp", "micros"),
    [
        ("00:00:01,000", 1_000_000),
        ("00:00:01.000", 1_000_000),
        ("00:00:01,5", 1_500_000),
        ("00:00:01.50", 1_500_000),
        ("00:00:01,05", 1_050_000),
        ("00:00:01,123", 1_123_000),
        ("0:00:01,000", 1_000_000),
        ("000001:00:00,000", 3_600_000_000),
        ("24:00:00,000", 86_400_000_000),
    ],
)
def test_timestamp_forms(stamp: str, micros: int) -> None:
    cue = parse_srt(f"1\n00:00:00,000 --> {stamp}\nx\n")[0]
    assert cue.end_us == micros


@pytest.mark.parametrize(
    "timing",
    [
        "00:00:01,000 --> 00:00:02,000 X1:10 X2:20 Y1:5 Y2:10",
        "00:00:01,000 --> 00:00:02,000 position:10% align:start",
        "00:00:01,000-->00:00:02,000",
        "00:00:01,000 -->00:00:02,000",
        "00:00:01,000--> 00:00:02,000  ",
        "  00:00:01,000\t-->\t00:00:02,000",
    ],
)
def test_timing_line_forms(timing: str) -> None:
    cue = parse_srt(f"1\n{timing}\nx\n")[0]
    assert (cue.start_us, cue.end_us) == (1_000_000, 2_000_000)


def test_trailing_cue_without_final_newline() -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\na\n\n2\n00:00:03,000 --> 00:00:04,000\nlast line"
    assert parse_srt(text)[-1] == Cue(number=2, start_us=3_000_000, end_us=4_000_000, text="last line")


def test_error_message_shape() -> None:
    err = _error("1\n00:00:00,000 --> 00:00:01,000\na\n\n3\n00:00:02,000 --> 00:00:01,000\nb\n")
    assert isinstance(err, ValueError)
    assert (err.cue, err.line) == (3, 6)
    assert str(err) == "cue 3 (line 6): end time 00:00:01,000 is not after start 00:00:02,000"
    copy = pickle.loads(pickle.dumps(err))
    assert (str(copy), copy.cue, copy.line) == (str(err), 3, 6)


@pytest.mark.parametrize(
    ("text", "cue", "line", "fragment"),
    [
        # a block with no timing line (orphan text, a lone number, a number then text, a "->" typo)
        ("1\n00:00:01,000 --> 00:00:02,000\na\n\nstray text\nmore\n", 2, 5, "no timing line"),
        ("1\n00:00:01,000 --> 00:00:02,000\na\n\n\n5\n", 5, 6, "no timing line"),
        ("4\nhello\n00:00:01,000 --> 00:00:02,000\n", 4, 1, "no timing line"),
        ("1\n00:00:01,000 -> 00:00:02,000\na\n", 1, 1, "no timing line"),
        # a non-numeric number line is not tolerated
        ("Cue one\n00:00:01,000 --> 00:00:02,000\na\n", 1, 1, "expected a cue number"),
        ("1\n00:00:01,000 --> 00:00:02,000\na\n\n#2\n00:00:03,000 --> 00:00:04,000\nb\n", 2, 5, "cue number"),
        # malformed timestamps
        ("1\n00:00:01 --> 00:00:02,000\na\n", 1, 2, "malformed start time '00:00:01'"),
        ("1\n00:00:01,000 --> 00:00:02,0000\na\n", 1, 2, "malformed end time"),
        ("1\n00:00:01,000 --> \na\n", 1, 2, "malformed end time ''"),
        ("1\n00:0:01,000 --> 00:00:02,000\na\n", 1, 2, "malformed start time"),
        ("1\n00:00:01;000 --> 00:00:02,000\na\n", 1, 2, "malformed start time"),
        ("1\n00:00:01,000 --> 00:00:02,000X1:10\na\n", 1, 2, "malformed end time"),
        ("1\n00:00:01,000 --> ００:00:02,000\na\n", 1, 2, "malformed end time"),
        ("1\n-00:00:01,000 --> 00:00:02,000\na\n", 1, 2, "malformed start time"),
        ("1\n00:60:00,000 --> 01:00:00,000\na\n", 1, 2, "minutes must be below 60"),
        ("1\n00:00:00,000 --> 00:00:60,000\na\n", 1, 2, "seconds must be below 60"),
        # above 24 h
        ("1\n24:00:00,001 --> 24:00:01,000\na\n", 1, 2, "start time '24:00:00,001' is beyond 24 hours"),
        ("1\n00:00:00,000 --> 100:00:00,000\na\n", 1, 2, "end time '100:00:00,000' is beyond 24 hours"),
        ("1\n00:00:00,000 --> " + "9" * 5000 + ":00:00,000\na\n", 1, 2, "beyond 24 hours"),
        # end <= start
        ("1\n00:00:02,000 --> 00:00:02,000\na\n", 1, 2, "end time 00:00:02,000 is not after start 00:00:02,000"),
        ("00:00:01,000 --> 00:00:02,000\na\n\n00:00:02,5 --> 00:00:02.4\nb\n", 2, 4, "is not after start"),
        # empty text (none at all, or nothing left once tags are removed)
        ("1\n00:00:01,000 --> 00:00:02,000\n\n2\n00:00:03,000 --> 00:00:04,000\nb\n", 1, 2, "cue has no text"),
        ("1\n00:00:01,000 --> 00:00:02,000\na\n\n8\n00:00:03,000 --> 00:00:04,000", 8, 6, "cue has no text"),
        ("1\n00:00:01,000 --> 00:00:02,000\n<i> </i>\n{\\an8}\n", 1, 2, "cue has no text"),
    ],
)
def test_errors(text: str, cue: int, line: int, fragment: str) -> None:
    err = _error(text)
    assert (err.cue, err.line) == (cue, line), str(err)
    assert fragment in str(err)
    assert str(err).startswith(f"cue {cue} (line {line}): ")


@pytest.mark.parametrize("text", ["", "\ufeff", "\n\n", " \r\n\t\r\n", "\ufeff\r\n\r\n"])
def test_no_cues(text: str) -> None:
    err = _error(text)
    assert (err.cue, err.line) == (None, 1)
    assert str(err) == "line 1: no cues found"


def test_error_lines_count_every_line_end_style() -> None:
    text = "1\r\n00:00:01,000 --> 00:00:02,000\ra\n\r\n\n2\r00:00:03,000 --> 00:00:02,000\r\nb"
    err = _error("\ufeff" + text)
    assert (err.cue, err.line) == (2, 7)


def test_max_cues() -> None:
    text = "".join(f"{i}\n00:00:{i:02d},000 --> 00:00:{i:02d},500\nline {i}\n\n" for i in range(1, 6))
    assert len(parse_srt(text, max_cues=5)) == 5
    err = _error(text, max_cues=4)
    assert (err.cue, err.line) == (5, 17)
    assert "more than 4 cues" in str(err)


def test_max_cues_default_is_10_000() -> None:
    block = "00:00:01,000 --> 00:00:02,000\nx\n\n"
    assert len(parse_srt(block * 10_000)) == 10_000
    err = _error(block * 10_001)
    assert (err.cue, err.line) == (10_001, 30_001)


@pytest.mark.parametrize(
    ("text", "cue", "line"),
    [
        ("1\n00:00:01,000 --> 00:00:02,000\n" + "x" * 10_001 + "\n", 1, 3),
        ("1\n00:00:01,000 --> 00:00:02,000\na\n\n2\n00:00:03,000 --> 00:00:04,000 " + " " * 10_000, 2, 6),
        ("y" * 10_001 + "\n", 1, 1),
        ("1\n00:00:01,000 --> 00:00:02,000\na\n" + " " * 10_001 + "\n", None, 4),
    ],
)
def test_line_too_long(text: str, cue: int | None, line: int) -> None:
    err = _error(text)
    assert (err.cue, err.line) == (cue, line)
    assert "characters long (limit 10,000)" in str(err)


def test_line_of_exactly_10_000_characters_is_fine() -> None:
    assert parse_srt("1\n00:00:01,000 --> 00:00:02,000\n" + "x" * 10_000)[0].text == "x" * 10_000


def test_large_file() -> None:
    blocks = []
    for i in range(5_000):
        start = i * 1_000
        blocks.append(
            f"{i + 1}\r\n{_stamp(start)} --> {_stamp(start + 900)}\r\n<i>字幕 {i}</i>\r\nsecond line 🎉\r\n\r\n"
        )
    cues = parse_srt("".join(blocks))
    assert len(cues) == 5_000
    assert cues[-1] == Cue(number=5_000, start_us=4_999_000_000, end_us=4_999_900_000, text="字幕 4999\nsecond line 🎉")


def _stamp(millis: int) -> str:
    return f"{millis // 3_600_000:02d}:{millis // 60_000 % 60:02d}:{millis // 1_000 % 60:02d},{millis % 1_000:03d}"
