"""`draftcut coze-openapi`: a valid OpenAPI 3 file, in capcut-mate's plugin shape, covering every endpoint."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml
from openapi_spec_validator import validate

from draftcut.api.app import create_app
from draftcut.config import API_PREFIX, Settings


def test_coze_plugin_file(tmp_path: Path) -> None:
    out = tmp_path / "openapi.yaml"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRAFTCUT_")}
    subprocess.run([str(Path(sys.executable).with_name("draftcut")), "coze-openapi",
                    "--server-url", "https://cut.example.com/", "-o", str(out)],
                   check=True, env=env, cwd=tmp_path, timeout=120)
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    validate(doc)

    assert doc["openapi"].startswith("3.0")
    assert doc["servers"] == [{"url": f"https://cut.example.com{API_PREFIX}"}]
    openapi = create_app(Settings(data_dir=tmp_path / "data")).openapi()
    posts = [p.removeprefix(API_PREFIX) for p, item in openapi["paths"].items()
             if p.startswith(API_PREFIX + "/") and "post" in item and "/import_draft" not in p]
    assert "/add_videos" in posts and "/get_timeline" in posts
    for path in posts:
        op = doc["paths"][path]["post"]
        assert op["operationId"] == path.lstrip("/")
        assert op["summary"].strip() and op["description"].strip(), path
        body = op["requestBody"]["content"]["application/json"]["schema"]
        assert body["type"] == "object" and "$ref" not in str(body), path
        assert all(p.get("description") for p in body.get("properties", {}).values()), path
        response = op["responses"]["200"]["content"]["application/json"]["schema"]["properties"]
        assert response["code"]["type"] == "integer" and response["message"]["type"] == "string"

    add_videos = doc["paths"]["/add_videos"]["post"]
    body = add_videos["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["video_infos"]["type"] == "string"  # capcut-mate's JSON-string field
    assert "video_url" in body["properties"]["video_infos"]["description"]
    assert set(body["required"]) >= {"draft_url", "video_infos"}
    assert body["properties"]["scene_timelines"]["type"] == "array"  # a real array there, as in capcut-mate
    created = doc["paths"]["/create_draft"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert created["properties"]["draft_url"]["type"] == "string"
    assert "/preview" not in doc["paths"]  # a PNG: not a Coze tool
    # a zip upload and a zip download are for people and scripts, not Coze nodes
    assert "/import_draft" not in doc["paths"] and "/export_draft" not in doc["paths"]
