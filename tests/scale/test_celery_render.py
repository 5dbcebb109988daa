"""Render jobs on Celery + Redis (`DRAFTCUT_BROKER_URL`) and `draftcut worker`, all real processes on loopback.

One API server (the broker set) and `draftcut worker` subprocesses with the same settings share the data
dir (embedded SQLite + local blobs): enough to prove the queue. Which worker ran a job is read from the job
store's `worker` column (`<celery node>/<pid>`, the node naming the `draftcut worker` process's pid).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import httpx
import pytest
from utils.celery_workers import Worker
from utils.redis_server import RedisServer
from utils.render_jobs import small_draft, wait_render
from utils.server_fixtures import API, Server, call

RENDER_TIMEOUT_S = 600
"""So high that Redis's visibility timeout (this + 70 s) cannot be what recovers a killed worker's job
within the test: the surviving worker's reaper must (jobs/celery_app.py `requeue_dead_jobs`)."""
STALE_AFTER_S = 60  # draftcut.jobs.execute.STALE_AFTER_S
REAP_EVERY_S = 30  # draftcut.jobs.celery_app.REAP_EVERY_S


class Cluster:
    def __init__(self, server: Server, redis: RedisServer, worker_env: dict[str, str], logs: Path) -> None:
        self.server, self.redis, self.worker_env, self.logs = server, redis, worker_env, logs
        self._n = 0

    def worker(self, **env: str) -> Worker:
        self._n += 1
        return Worker({**self.worker_env, **env}, self.logs / f"worker-{self._n}.log")

    def job(self, job_id: str) -> dict[str, Any]:
        """The job's row in the shared job store."""
        with sqlite3.connect(self.server.data_dir / "draftcut.sqlite3", timeout=30) as conn:
            conn.row_factory = sqlite3.Row
            row = conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        assert row is not None, job_id
        return dict(row)


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, redis: RedisServer) -> Iterator[Cluster]:
    data = tmp_path_factory.mktemp("scale-data")
    env = {"DRAFTCUT_BROKER_URL": redis.url, "DRAFTCUT_RENDER_TIMEOUT_S": str(RENDER_TIMEOUT_S)}
    with Server(data, env=env) as server:
        # what the API process reads (Server: the environment without DRAFTCUT_*, then its env, --data-dir,
        # --port), for the workers: they must reach the same stores and hand out the same public URLs
        worker_env = {k: v for k, v in os.environ.items() if not k.startswith("DRAFTCUT_")}
        worker_env.update({"DRAFTCUT_MEDIA_ALLOW_HOSTS": "127.0.0.1,localhost", **env,
                           "DRAFTCUT_DATA_DIR": str(data), "DRAFTCUT_PUBLIC_URL": server.url})
        yield Cluster(server, redis, worker_env, data)


@pytest.fixture(scope="module")
def client(cluster: Cluster) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=cluster.server.url, timeout=60) as c:
        yield c


def _check_video(status: dict[str, Any], tmp_path: Path, seconds: float) -> None:
    assert status["status"] == "completed", status
    video = httpx.get(status["video_url"], timeout=30)
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    out = tmp_path / f"{status['task_id']}.mp4"
    out.write_bytes(video.content)
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (320, 240)
        assert abs(float(container.duration) / av.time_base - seconds) < 0.2
        frame = next(container.decode(video=0)).to_ndarray(format="rgb24")
    r, g, b = frame[120, 160].astype(int)
    assert r > 180 and g < 80 and b < 80  # the red clip


def _slow_ffmpeg(tmp: Path, delay_s: float) -> str:
    """An ffmpeg that starts `delay_s` late: a render long enough to be killed mid-way."""
    import imageio_ffmpeg

    script = tmp / "slow-ffmpeg"
    script.write_text(f"#!/bin/sh\nsleep {delay_s}\nexec {imageio_ffmpeg.get_ffmpeg_exe()} \"$@\"\n")
    script.chmod(0o755)
    return str(script)


def test_worker_command_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRAFTCUT_")}
    helped = subprocess.run([sys.executable, "-m", "draftcut", "worker", "--help"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert helped.returncode == 0 and "--concurrency" in helped.stdout and "--loglevel" in helped.stdout
    bare = subprocess.run([sys.executable, "-m", "draftcut", "worker"], env={**env, "DRAFTCUT_DATA_DIR": str(tmp_path)},
                          capture_output=True, text=True, timeout=60)
    assert bare.returncode == 2 and "DRAFTCUT_BROKER_URL" in bare.stderr, bare


def test_embedded_default_imports_no_celery() -> None:
    code = ("import sys; from draftcut.api.app import create_app; from draftcut.cli import _parser; _parser(); "
            "create_app(); assert not {'celery', 'kombu', 'redis'} & set(sys.modules), sorted(sys.modules)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRAFTCUT_")}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]


def test_one_worker_renders_a_draft(cluster: Cluster, client: httpx.Client, media: Any, tmp_path: Path) -> None:
    url = small_draft(client, media)
    with cluster.worker() as worker:
        submitted = call(client, "gen_video", {"draft_url": url})
        status = wait_render(client, url)
        _check_video(status, tmp_path, 1.0)
        job = cluster.job(submitted["task_id"])
        assert job["worker"].startswith(worker.node) and job["attempts"] == 1, job
    # the API itself renders nothing: with no worker, a job stays pending
    pending = small_draft(client, media)
    queued = call(client, "gen_video", {"draft_url": pending})
    time.sleep(2)
    assert call(client, "gen_video_status", {"draft_url": pending})["status"] == "pending"
    with cluster.worker() as worker:  # ... until a worker comes: the message waited in Redis
        assert wait_render(client, pending)["status"] == "completed"
        assert cluster.job(queued["task_id"])["worker"].startswith(worker.node)


def test_jobs_are_spread_over_two_workers(cluster: Cluster, client: httpx.Client, media: Any) -> None:
    urls = [small_draft(client, media) for _ in range(4)]
    with cluster.worker() as first, cluster.worker() as second:
        ids = [call(client, "gen_video", {"draft_url": u})["task_id"] for u in urls]
        for url in urls:
            assert wait_render(client, url)["status"] == "completed"
        jobs = [cluster.job(i) for i in ids]
    assert all(j["attempts"] == 1 for j in jobs)
    nodes = {j["worker"].split("@")[0] + "@" for j in jobs}
    assert nodes == {first.node, second.node}, [j["worker"] for j in jobs]
    for worker in (first, second):
        assert worker.text().count("claimed by") == sum(j["worker"].startswith(worker.node) for j in jobs)


def test_a_worker_killed_mid_render_loses_nothing(cluster: Cluster, client: httpx.Client, media: Any,
                                                  tmp_path: Path) -> None:
    url = small_draft(client, media, seconds=2.0)
    slow = _slow_ffmpeg(tmp_path, 2.5)
    with cluster.worker(DRAFTCUT_FFMPEG=slow) as a, cluster.worker(DRAFTCUT_FFMPEG=slow) as b:
        task = call(client, "gen_video", {"draft_url": url})["task_id"]
        deadline = time.monotonic() + 30
        while (job := cluster.job(task))["status"] != "processing" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert job["status"] == "processing" and job["attempts"] == 1, job
        victim, survivor = (a, b) if job["worker"].startswith(a.node) else (b, a)
        assert job["worker"].startswith(victim.node), job
        time.sleep(1)  # inside the render (each ffmpeg starts 2.5 s late)
        assert cluster.job(task)["status"] == "processing"
        victim.kill()
        # the job's heartbeat goes stale; the survivor's reaper queues it again (Redis would wait 670 s)
        status = wait_render(client, url, timeout=STALE_AFTER_S + REAP_EVERY_S + 60)
        _check_video(status, tmp_path, 2.0)
        job = cluster.job(task)
        assert job["attempts"] == 2 and job["worker"].startswith(survivor.node), job
        assert status["task_id"] == task and status["attempts"] == 2
        time.sleep(1)
        assert survivor.text().count(f"render job {task} completed") == 1
        assert f"render job {task}: its worker stopped beating; queued again" in survivor.text()
        assert f"render job {task} completed" not in victim.text()
        assert victim.text().count(f"render job {task} claimed") == 1
    renders = sorted(p.name for p in (cluster.server.data_dir / "blobs" / "renders").glob(f"{task}*"))
    assert renders == [f"{task}.mp4"]


def test_redis_down_is_a_503_and_recovers_without_restart(cluster: Cluster, client: httpx.Client,
                                                          media: Any, tmp_path: Path) -> None:
    url = small_draft(client, media)
    with cluster.worker():
        cluster.redis.stop()
        try:
            resp = client.post(f"{API}/gen_video", json={"draft_url": url})
            data = resp.json()
            assert resp.status_code == 503 and data["code"] == 3050, data
            assert int(resp.headers["retry-after"]) >= 1
            # the job that could not be queued is not left pending: it says why, and takes no queue slot
            status = call(client, "gen_video_status", {"draft_url": url})
            assert status["status"] == "failed" and status["error_status"] == 503, status
        finally:
            cluster.redis.start()
        submitted = call(client, "gen_video", {"draft_url": url})
        assert submitted["status"] == "pending"
        status = wait_render(client, url, timeout=120)
        _check_video(status, tmp_path, 1.0)
        assert status["task_id"] == submitted["task_id"]
