"""API keys (DRAFTCUT_API_KEYS=true): every route refuses a request without one, three ways to send one,
per-key rate limits, and revocation through the CLI while the server runs."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount
from utils.server_fixtures import API, Server, call, draft_id

from draftcut.api.app import create_app
from draftcut.config import Settings

PUBLIC = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/"}
"""The page's own files (`/web/<name>`) are public too; any other `/web/...` path is refused."""


def keys(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`draftcut keys ...` as a user runs it, against the server's data dir."""
    done = subprocess.run([sys.executable, "-m", "draftcut", "keys", *args, "--data-dir", str(data_dir)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done


def new_key(data_dir: Path, *args: str) -> str:
    key = keys(data_dir, "create", *args).stdout.strip()
    assert re.fullmatch(r"dck_[0-9a-f]{8}_[\w-]{32}", key), key
    return key


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    data_dir = tmp_path_factory.mktemp("keys")
    with Server(data_dir, env={"DRAFTCUT_API_KEYS": "true"}) as srv:
        yield srv, new_key(data_dir, "--name", "tests")


@pytest.fixture(scope="module")
def client(guarded: tuple[Server, str]) -> Iterator[httpx.Client]:
    srv, key = guarded
    with httpx.Client(base_url=srv.url, timeout=60, headers={"Authorization": f"Bearer {key}"}) as c:
        yield c


def _requests(tmp_path: Path) -> list[tuple[str, str]]:
    """(method, path) for every route of the app, path parameters filled in; mounts get GET and POST."""
    out: list[tuple[str, str]] = []
    for route in iter_route_contexts(create_app(Settings(data_dir=tmp_path, api_keys=True)).routes):
        path = str(route.path or "")
        if isinstance(route.original_route, Mount):
            out += [("GET", path), ("POST", path + "/")]
        elif path:  # FastAPI's APIRoute, Starlette's Route (such as /mcp), whatever is added later
            path = re.sub(r"\{[^}]+\}", "x", path.replace("{job_id}", "0" * 32))
            out += [(method, path) for method in sorted(getattr(route, "methods", None) or ["GET", "POST"])]
    return out


def test_every_route_refuses_a_request_without_a_key(guarded: tuple[Server, str], tmp_path: Path) -> None:
    srv, _key = guarded
    requests = _requests(tmp_path)
    paths = {p for _, p in requests}
    assert len(paths) > 45 and f"{API}/gen_video" in paths and "/output/renders/" + "0" * 32 + ".mp4" in paths
    refused = 0
    with httpx.Client(base_url=srv.url, timeout=30) as anonymous:
        for method, path in requests:
            if path in PUBLIC:
                assert anonymous.request(method, path).status_code == 200, path
                continue
            for headers in ({}, {"Authorization": "Bearer dck_00000000_nope", "Accept-Language": "en"},
                            {"X-API-Key": "not-a-key"}, {"Authorization": "Basic dXNlcjpwdw=="}):
                resp = anonymous.request(method, path, headers=headers, json={"draft_url": "x"})
                assert resp.status_code == 401, (method, path, resp.status_code, resp.text[:200])
                assert resp.headers["www-authenticate"].startswith("Bearer")
                if method != "HEAD":
                    body = resp.json()
                    assert body["code"] == 1004, body
                    english = headers.get("Accept-Language") == "en"
                    assert body["message"].startswith("Authentication failed(" if english else "认证失败("), body
                refused += 1
        assert anonymous.get("/no/such/route").status_code == 401  # even what would be a 404
    assert refused >= 4 * 45


def test_each_form_of_the_key_is_accepted(guarded: tuple[Server, str]) -> None:
    srv, key = guarded
    with httpx.Client(base_url=srv.url, timeout=60) as c:
        url = call(c, "create_draft", {"width": 320, "height": 240},
                   headers={"Authorization": f"Bearer {key}"})["draft_url"]
        call(c, "save_draft", {"draft_url": url}, headers={"X-API-Key": key})
        # capcut-mate's `apiKey` in gen_video's body: past the guard, the empty draft is gen_video's own 400
        call(c, "gen_video", {"draft_url": url, "apiKey": key}, status=400, code=3021)
        call(c, "gen_video", {"draft_url": url, "apiKey": "dck_00000000_nope"}, status=401, code=1004)
        call(c, "gen_video", {"draft_url": url, "apiKey": ""}, status=401, code=1004)
        call(c, "save_draft", {"draft_url": url, "apiKey": key}, status=401, code=1004)  # only gen_video's body
        files = c.get(url, headers={"X-API-Key": key}).json()["files"]
        content = f"/output/draft/{draft_id(url)}/draft_content.json"
        assert any(f.endswith(content) for f in files)
        assert c.get(content).status_code == 401
        assert c.get(content, headers={"Authorization": f"bearer {key}"}).status_code == 200


def test_rate_limit_per_key(guarded: tuple[Server, str], client: httpx.Client) -> None:
    srv, _key = guarded
    limited = new_key(srv.data_dir, "--name", "limited", "--rate", "3")
    answers = [client.get(f"{API}/gen_video_active_count", headers={"Authorization": f"Bearer {limited}"})
               for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    over = answers[3]
    assert over.json()["code"] == 3030 and 1 <= int(over.headers["retry-after"]) <= 20, over.headers
    assert client.get(f"{API}/gen_video_active_count").status_code == 200  # other keys are not held back


def test_revoked_key_stops_working_at_once(guarded: tuple[Server, str]) -> None:
    srv, _key = guarded
    key = new_key(srv.data_dir, "--name", "short-lived")
    key_id = key.split("_")[1]
    headers = {"X-API-Key": key}
    assert httpx.get(f"{srv.url}{API}/gen_video_active_count", headers=headers).status_code == 200
    listed = keys(srv.data_dir, "list").stdout
    assert key_id in listed and key not in listed and "short-lived" in listed
    assert "revoked" in keys(srv.data_dir, "revoke", key_id).stderr
    resp = httpx.get(f"{srv.url}{API}/gen_video_active_count", headers=headers)
    assert resp.status_code == 401 and resp.json()["code"] == 1004
    assert re.search(rf"{key_id} .* revoked", keys(srv.data_dir, "list").stdout)
    again = subprocess.run([sys.executable, "-m", "draftcut", "keys", "revoke", key_id, "--data-dir",
                            str(srv.data_dir)], capture_output=True, text=True, timeout=60)
    assert again.returncode == 1 and "no active key" in again.stderr
