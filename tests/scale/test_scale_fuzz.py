"""Hostile input on the distributed setup: schemathesis against a server on PostgreSQL + S3 + a Redis broker.

The embedded default is fuzzed by tests/api/test_fuzz.py (25 examples per operation). Here the same kind of
run, shorter, goes through the other backends, where a 5xx could come from a driver error that SQLite and a
folder never raise: over the server's own `/openapi.json`, and over the Coze plugin file that
`draftcut coze-openapi` writes in capcut-mate's plugin shape (what Coze workflows call), and over
capcut-mate's own published plugin file (tests/data/capcut_mate_plugin: the request shapes existing Coze
workflows were built against). No request may get a 5xx other than 503 (`BackendUnavailable` says a backend
did not answer, and none is down here, so even that would be reported).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import schemathesis
from utils.capcut_plugin import PLUGIN_UNSERVED, RealDraft, plugin_schema, unserved_operations
from utils.pg_server import PgServer, pg_server, pg_url  # noqa: F401  (fixtures)
from utils.redis_server import RedisServer
from utils.s3_server import S3Server
from utils.server_fixtures import Server

from draftcut.config import API_PREFIX

EXAMPLES_PER_OPERATION = 5
SEED = 20261202
CONFIG = schemathesis.Config.from_dict({
    "seed": SEED,
    "generation": {"mode": "all", "max-examples": EXAMPLES_PER_OPERATION, "no-shrink": True,
                   "deterministic": True, "database": "none"},
    "phases": {"stateful": {"enabled": False}},
})


@pytest.fixture(scope="module")
def scale_server(tmp_path_factory: pytest.TempPathFactory, s3_server: S3Server, pg_url: str,  # noqa: F811
                 ) -> Iterator[Server]:
    with RedisServer(tmp_path_factory.mktemp("fuzz-redis")) as redis:
        env = s3_server.env(DRAFTCUT_S3_PREFIX="fuzz/", DRAFTCUT_DATABASE_URL=pg_url,
                            DRAFTCUT_BROKER_URL=redis.url, DRAFTCUT_MEDIA_ALLOW_HOSTS="",
                            DRAFTCUT_MEDIA_TIMEOUT_S="1")
        with Server(tmp_path_factory.mktemp("fuzz-scale"), env=env) as srv:
            yield srv


@pytest.fixture(scope="module")
def coze_file(tmp_path_factory: pytest.TempPathFactory, scale_server: Server) -> Path:
    out = tmp_path_factory.mktemp("coze") / "openapi.yaml"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRAFTCUT_")}
    subprocess.run([str(Path(sys.executable).with_name("draftcut")), "coze-openapi", "--server-url",
                    scale_server.url, "-o", str(out)], check=True, env=env, timeout=120)
    return out


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    # schemathesis 4.32's lazy schema reads `Node._nodeid`, which pytest 9.2 no longer has (as in test_fuzz.py).
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@pytest.fixture(scope="module")
def own_schema(scale_server: Server) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{scale_server.url}/openapi.json", config=CONFIG)


@pytest.fixture(scope="module")
def coze_schema(coze_file: Path) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_path(str(coze_file), config=CONFIG)


@pytest.fixture(scope="module")
def real_draft(scale_server: Server, http: requests.Session) -> RealDraft:
    return RealDraft(scale_server.url, http)


@pytest.fixture(scope="module")
def plugin_file_schema() -> schemathesis.BaseSchema:
    return plugin_schema(CONFIG)


own = schemathesis.pytest.from_fixture("own_schema")
coze = schemathesis.pytest.from_fixture("coze_schema")
plugin = schemathesis.pytest.from_fixture("plugin_file_schema")


def _check(case: schemathesis.Case, base_url: str, http: requests.Session) -> None:
    response = case.call(base_url=base_url, session=http, timeout=15)
    assert response.status_code < 500, (f"{case.operation.label} -> {response.status_code} {response.text[:300]}\n"
                                        f"{case.as_curl_command()[:800]}")


@own.parametrize()
def test_own_openapi_on_postgresql_s3_and_redis(case: schemathesis.Case, scale_server: Server,
                                                 http: requests.Session) -> None:
    _check(case, scale_server.url, http)


@coze.parametrize()
def test_coze_plugin_schema_on_postgresql_s3_and_redis(case: schemathesis.Case, scale_server: Server,
                                                        http: requests.Session) -> None:
    _check(case, scale_server.url + API_PREFIX, http)


def test_capcut_mate_plugin_operations_are_served(scale_server: Server, http: requests.Session) -> None:
    """A plugin operation the server does not route gets only 404s in the fuzz run; name each one instead."""
    assert unserved_operations(scale_server.url, http) == set(PLUGIN_UNSERVED)


@plugin.parametrize()
def test_capcut_mate_plugin_schema_on_postgresql_s3_and_redis(case: schemathesis.Case, scale_server: Server,
                                                               http: requests.Session, real_draft: RealDraft) -> None:
    real_draft.apply(case)
    _check(case, scale_server.url + API_PREFIX, http)


def test_the_plugin_fuzz_edited_a_real_draft_and_left_it_readable(real_draft: RealDraft,
                                                                   http: requests.Session) -> None:
    """Runs after the plugin fuzz: half its edits reached the real draft, which still loads."""
    real_draft.assert_edited_and_readable(http)
