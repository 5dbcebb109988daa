"""Every error code draftcut can return keeps capcut-mate's meaning (issue 7 §6).

Table-driven: the reference's §1.3 table (tests/data/capcut_mate_error_codes.json)
against every class of draftcut's error tree. A code capcut-mate has must carry
capcut-mate's message for it, word for word (the message *is* the meaning a
client sees); a condition capcut-mate does not have must use a code of
draftcut's own (3000 and up, or the HTTP status for transport-level refusals,
as capcut-mate reports non-200 answers) and be listed in the README.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import draftcut.errors as errors_module
from draftcut.errors import DraftcutError

ROOT = Path(__file__).resolve().parents[1]
TABLE: dict[int, dict[str, Any]] = {
    row["code"]: row
    for row in json.loads((Path(__file__).parent / "data" / "capcut_mate_error_codes.json").read_text("utf-8"))["codes"]
}
HTTP_STATUS_CODES = {413}


def _tree() -> list[type[DraftcutError]]:
    found: list[type[DraftcutError]] = [DraftcutError]
    for cls in found:
        found.extend(sub for sub in cls.__subclasses__() if sub not in found)
    return found


ERRORS = _tree()


def test_codes_are_defined_only_in_the_error_module() -> None:
    """Subclasses elsewhere (e.g. the renderer's `Cancelled`) inherit their code and message."""
    public = {getattr(errors_module, name) for name in errors_module.__all__}
    assert public <= set(ERRORS)
    for cls in set(ERRORS) - public:
        own = {"code", "status", "zh", "en"} & set(vars(cls))
        assert not own, f"{cls.__module__}.{cls.__name__} defines {sorted(own)} outside draftcut.errors"


@pytest.mark.parametrize("cls", ERRORS, ids=lambda c: c.__name__)
def test_code_keeps_capcut_mates_meaning(cls: type[DraftcutError]) -> None:
    row = TABLE.get(cls.code)
    if row is None:
        assert cls.code >= 3000 or cls.code in HTTP_STATUS_CODES, (
            f"{cls.__name__}: {cls.code} is inside capcut-mate's ranges but not one of its codes")
        return
    assert cls.zh == row["zh"] or row["zh"] is None, f"{cls.__name__} {cls.code} means {row['name']}"
    assert cls.en == row["en"] or row["en"] is None, f"{cls.__name__} {cls.code} means {row['name']}"


def test_own_codes_are_not_shared_between_meanings() -> None:
    by_code: dict[int, list[type[DraftcutError]]] = {}
    for cls in ERRORS:
        if cls.code not in TABLE:
            by_code.setdefault(cls.code, []).append(cls)
    for code, classes in by_code.items():
        roots = [c for c in classes if not any(issubclass(c, other) and c is not other for other in classes)]
        assert len(roots) == 1, f"code {code} is used by unrelated errors {[c.__name__ for c in classes]}"


def test_own_codes_are_listed_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("### Error codes", 1)[1].split("\n## ", 1)[0]
    listed = {int(code) for code in re.findall(r"^\| `(\d+)` \|", section, re.M)}
    own = {cls.code for cls in ERRORS if cls.code not in TABLE}
    assert own <= listed, f"not in the README: {sorted(own - listed)}"
    assert listed <= own | HTTP_STATUS_CODES, f"listed but never returned: {sorted(listed - own)}"


@pytest.mark.parametrize("code", [2029, 2032, 2006])
def test_codes_capcut_mate_reserves_for_other_failures_are_not_reused(code: int) -> None:
    """The two collisions issue 7 found, and the overlap code that used to mean "video add failed"."""
    users = [cls.__name__ for cls in ERRORS if cls.code == code]
    meaning = TABLE[code]["name"]
    expected = {2032: ["JobError"]}.get(code, [])
    assert users == expected, f"{code} is {meaning} in capcut-mate, used by {users}"
