"""schemathesis over draftcut's own `/openapi.json`, against a real server: no request may get a 5xx.

The schema is read from the running server, so every operation it publishes is
fuzzed, including ones added later. Each operation runs schemathesis's examples,
coverage (boundary values, nulls, wrong types) and fuzzing phases, with valid and
invalid data, from a fixed seed and a bounded number of examples, so the run is
repeatable and short. Every 5xx is collected and all of them are reported together
when the test ends, grouped by operation and answer.

capcut-mate's own published Coze plugin file (tests/data/capcut_mate_plugin) is
fuzzed against the same server, under the API prefix as Coze calls it: the request
shapes existing Coze workflows were built against, which differ from draftcut's
own schema in places (types, required fields).

Media URLs the fuzzer invents never leave the machine: the server's guard refuses
private addresses (no allow list here), and downloads time out after a second.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import schemathesis
from utils.capcut_plugin import PLUGIN_UNSERVED, RealDraft, plugin_schema, unserved_operations
from utils.server_fixtures import Server

from draftcut.config import API_PREFIX

EXAMPLES_PER_OPERATION = 25
SEED = 20260701

CONFIG = schemathesis.Config.from_dict({
    "seed": SEED,
    "generation": {"mode": "all", "max-examples": EXAMPLES_PER_OPERATION, "no-shrink": True,
                   "deterministic": True, "database": "none"},
    "phases": {"stateful": {"enabled": False}},
})


FUZZ_ENV = {
    "DRAFTCUT_MEDIA_ALLOW_HOSTS": "",  # the guard refuses loopback and private addresses, as deployed
    "DRAFTCUT_MEDIA_TIMEOUT_S": "1",  # an invented host that resolves nowhere fails fast
    "DRAFTCUT_RENDER_WORKERS": "1",
}


@dataclass(frozen=True)
class ServerError:
    operation: str
    status: int
    answer: str
    request: str


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with Server(Path(tmp_path_factory.mktemp("fuzz-server")), env=FUZZ_ENV) as srv:
        yield srv


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@pytest.fixture(scope="module")
def fuzz_schema(fuzz_server: Server) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{fuzz_server.url}/openapi.json", config=CONFIG)


@pytest.fixture
def server_errors() -> Iterator[list[ServerError]]:
    """Every 5xx of the run; reported, all at once, after the last operation."""
    found: list[ServerError] = []
    yield found
    if found:
        groups: dict[tuple[str, int, str], list[ServerError]] = {}
        for error in found:
            groups.setdefault((error.operation, error.status, error.answer), []).append(error)
        lines = [f"{len(found)} requests got a 5xx, {len(groups)} distinct:"]
        for (operation, status, answer), errors in groups.items():
            lines.append(f"- {operation} -> {status} {answer} ({len(errors)}x), e.g.\n    {errors[0].request}")
        pytest.fail("\n".join(lines), pytrace=False)


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    # schemathesis 4.32's lazy schema reads `Node._nodeid`, which pytest 9.2 no longer has.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@pytest.fixture(scope="module")
def real_draft(fuzz_server: Server, http: requests.Session) -> RealDraft:
    return RealDraft(fuzz_server.url, http)


@pytest.fixture(scope="module")
def plugin_file_schema() -> schemathesis.BaseSchema:
    return plugin_schema(CONFIG)


schema = schemathesis.pytest.from_fixture("fuzz_schema")
plugin = schemathesis.pytest.from_fixture("plugin_file_schema")


@schema.parametrize()
def test_no_request_gets_a_server_error(case: schemathesis.Case, fuzz_server: Server, http: requests.Session,
                                        server_errors: list[ServerError]) -> None:
    response = case.call(base_url=fuzz_server.url, session=http, timeout=15)
    if response.status_code >= 500:
        server_errors.append(ServerError(case.operation.label, response.status_code, response.text[:300],
                                         case.as_curl_command()[:1000]))


def test_capcut_mate_plugin_operations_are_served(fuzz_server: Server, http: requests.Session) -> None:
    """A plugin operation the server does not route gets only 404s in the fuzz run; name each one instead."""
    assert unserved_operations(fuzz_server.url, http) == set(PLUGIN_UNSERVED)


@plugin.parametrize()
def test_capcut_mate_plugin_gets_no_server_error(case: schemathesis.Case, fuzz_server: Server,
                                                 http: requests.Session, real_draft: RealDraft,
                                                 server_errors: list[ServerError]) -> None:
    real_draft.apply(case)
    response = case.call(base_url=fuzz_server.url + API_PREFIX, session=http, timeout=15)
    if response.status_code >= 500:
        server_errors.append(ServerError(case.operation.label, response.status_code, response.text[:300],
                                         case.as_curl_command()[:1000]))


def test_the_plugin_fuzz_edited_a_real_draft_and_left_it_readable(real_draft: RealDraft,
                                                                   http: requests.Session) -> None:
    """Runs after the plugin fuzz: half its edits reached the real draft, which still loads."""
    real_draft.assert_edited_and_readable(http)
