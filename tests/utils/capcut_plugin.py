"""capcut-mate's published Coze plugin file in the fuzz runs (tests/api/test_fuzz.py, tests/scale/test_scale_fuzz.py).

`RealDraft` points half of the fuzzer's generated requests at a real draft,
so they get past the draft look-up: a schema carries no real `draft_url`, and
without it every generated edit stops at "draft not found" and the handlers
behind it are never fuzzed. Every other case keeps the invented URL, so the
look-up's own error paths stay covered. gen_video keeps its invented URL
always: a fuzzed draft may hold hours of timeline, and rendering it would
only load the machine.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import requests
import schemathesis
import yaml

from draftcut.config import API_PREFIX

__all__ = ["PLUGIN_FILE", "PLUGIN_UNSERVED", "RealDraft", "plugin_schema", "unserved_operations"]

PLUGIN_FILE = Path(__file__).parents[1] / "data" / "capcut_mate_plugin" / "openapi.yaml"
PLUGIN_OPERATIONS = 34
PLUGIN_UNSERVED: dict[str, str] = {}
"""Operations of the plugin file draftcut does not serve, each with the reason. Empty: draftcut serves all
34. A plugin operation the server stops serving (or a new one in a refreshed file) would only get 404s
from the fuzzer, which pass; `unserved_operations` lets a test fail on it instead."""

_SKIPPED = ("/gen_video",)


def plugin_schema(config: schemathesis.Config) -> schemathesis.BaseSchema:
    schema = schemathesis.openapi.from_path(str(PLUGIN_FILE), config=config)
    return schema.exclude(path=sorted(PLUGIN_UNSERVED)) if PLUGIN_UNSERVED else schema


def unserved_operations(server_url: str, http: requests.Session) -> set[str]:
    """The plugin file's paths the server does not route (under the API prefix, every method)."""
    published = yaml.safe_load(PLUGIN_FILE.read_text(encoding="utf-8"))["paths"]
    assert len(published) == PLUGIN_OPERATIONS, sorted(published)
    served = http.get(f"{server_url}/openapi.json", timeout=15).json()["paths"]
    return {path for path, operations in published.items()
            if not set(operations) <= set(served.get(API_PREFIX + path, {}))}


class RealDraft:
    """A draft on the fuzzed server; substitutes its `draft_url` in alternate request bodies that have one."""

    def __init__(self, server_url: str, http: requests.Session) -> None:
        answer = http.post(f"{server_url}{API_PREFIX}/create_draft", json={"width": 320, "height": 240},
                           timeout=15).json()
        self.server_url, self.draft_url = server_url, str(answer["draft_url"])
        self._turn = itertools.count()
        self.used = 0

    def apply(self, case: Any) -> None:
        body = case.body
        if not isinstance(body, dict) or "draft_url" not in body:
            return
        if case.operation.path.endswith(_SKIPPED) or next(self._turn) % 2:
            return
        body["draft_url"] = self.draft_url
        self.used += 1

    def assert_edited_and_readable(self, http: requests.Session) -> None:
        """After the fuzz: some edits reached the draft, and it still loads."""
        assert self.used > 0
        draft_id = self.draft_url.split("=")[-1]
        answer = http.get(f"{self.server_url}{API_PREFIX}/get_draft", params={"draft_id": draft_id}, timeout=15)
        assert answer.status_code == 200 and answer.json()["code"] == 0, answer.text[:300]
