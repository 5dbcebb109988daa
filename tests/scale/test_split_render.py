"""One render split across Celery workers (jobs/split_render.py), all real processes on loopback.

One API server (broker set) and `draftcut worker` subprocesses sharing the data dir (embedded SQLite + local
blobs, the "shared storage"), with `DRAFTCUT_RENDER_SPLIT_MIN_S` low and `DRAFTCUT_RENDER_SPLIT_WINDOW_S` 1:
a 4 s draft is four video windows and a sound part. Who ran which part is read from the workers' logs
("render job <id>: part <n> (<name>) runs on <node>/<pid>").
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import av
import httpx
import numpy as np
import pytest
from utils.celery_workers import Worker
from utils.redis_server import RedisServer
from utils.render_jobs import wait_render
from utils.server_fixtures import Server, call, create_draft, draft_id

SECONDS = 4.0
WINDOW_S = 1.0
PART_STALE_S = 15  # draftcut.jobs.split_render.PART_STALE_S
RENDER_TIMEOUT_S = 600
"""So high that Redis's visibility timeout cannot be what brings a killed worker's part back: the part's
stale heartbeat must."""


class Cluster:
    def __init__(self, server: Server, worker_env: dict[str, str], logs: Path) -> None:
        self.server, self.worker_env, self.logs = server, worker_env, logs
        self._n = 0

    def worker(self, **env: str) -> Worker:
        self._n += 1
        return Worker({**self.worker_env, **env}, self.logs / f"worker-{self._n}.log")

    def query(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        with sqlite3.connect(self.server.data_dir / "draftcut.sqlite3", timeout=30) as conn:
            conn.row_factory = sqlite3.Row
            return [dict(r) for r in conn.execute(sql, args).fetchall()]

    def job(self, job_id: str) -> dict[str, Any]:
        rows = self.query("SELECT * FROM jobs WHERE id = ?", job_id)
        assert rows, job_id
        return rows[0]

    def leftovers(self) -> list[str]:
        """Intermediate objects of split renders still in the blob store."""
        parts = self.server.data_dir / "blobs" / "parts"
        return sorted(str(p.relative_to(parts)) for p in parts.rglob("*")) if parts.exists() else []


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    data = tmp_path_factory.mktemp("split-data")
    with RedisServer(tmp_path_factory.mktemp("split-redis")) as redis:
        env = {"DRAFTCUT_BROKER_URL": redis.url, "DRAFTCUT_RENDER_TIMEOUT_S": str(RENDER_TIMEOUT_S)}
        with Server(data, env=env) as server:
            worker_env = {k: v for k, v in os.environ.items() if not k.startswith("DRAFTCUT_")}
            worker_env.update({"DRAFTCUT_MEDIA_ALLOW_HOSTS": "127.0.0.1,localhost", **env,
                               "DRAFTCUT_DATA_DIR": str(data), "DRAFTCUT_PUBLIC_URL": server.url,
                               "DRAFTCUT_RENDER_SPLIT_MIN_S": "2", "DRAFTCUT_RENDER_SPLIT_WINDOW_S": str(WINDOW_S)})
            yield Cluster(server, worker_env, data)


@pytest.fixture(scope="module")
def client(cluster: Cluster) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=cluster.server.url, timeout=60) as c:
        yield c


def _draft(client: httpx.Client, media: Any, seconds: float = SECONDS) -> str:
    """320×240: a moving pattern (different in every window), then the red clip with its tone."""
    url = create_draft(client, 320, 240)
    cut = int((seconds - 1) * 1_000_000)
    call(client, "add_videos", {"draft_url": url, "video_infos": json.dumps([
        {"video_url": media.url("pattern_5s.mp4"), "start": 0, "end": cut},
        {"video_url": media.url("video_red_2s.mp4"), "start": cut, "end": int(seconds * 1_000_000)}])})
    return url


def _slow_ffmpeg(tmp: Path, delay_s: float) -> str:
    import imageio_ffmpeg

    script = tmp / f"slow-ffmpeg-{delay_s}"
    script.write_text(f"#!/bin/sh\nsleep {delay_s}\nexec {imageio_ffmpeg.get_ffmpeg_exe()} \"$@\"\n")
    script.chmod(0o755)
    return str(script)


def _frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def _reference(cluster: Cluster, url: str, out: Path) -> Path:
    """The draft rendered by `render()` in this one process, with the same windows (x264 encodes each window
    on its own: other cuts would give other, equally valid, bytes)."""
    from draftcut.config import Settings
    from draftcut.jobs.tasks import open_worker_stores
    from draftcut.render import DEFAULT_SPEC, render

    _, service = open_worker_stores(Settings(data_dir=cluster.server.data_dir))
    folder = service.materialize_listing(service.store.listing(draft_id(url)), out.parent / out.stem / draft_id(url))
    return render(folder, out, spec=replace(DEFAULT_SPEC, window_s=WINDOW_S)).output


def _video(client: httpx.Client, status: dict[str, Any], out: Path) -> Path:
    assert status["status"] == "completed", status
    video = httpx.get(status["video_url"], timeout=30)
    assert video.status_code == 200
    out.write_bytes(video.content)
    return out


def _assert_same_frames(got: Path, want: Path) -> None:
    a, b = _frames(got), _frames(want)
    assert len(a) == len(b) == round(SECONDS * 30), (len(a), len(b))
    assert a[0].shape == (240, 320, 3)
    different = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if not np.array_equal(x, y)]
    assert not different, f"frames {different} differ from render()'s"
    assert not np.array_equal(a[0], a[45])  # the pattern moves: a wrong window order would show


def test_two_workers_split_one_render(cluster: Cluster, client: httpx.Client, media: Any, tmp_path: Path) -> None:
    url = _draft(client, media)
    slow = _slow_ffmpeg(tmp_path, 1.5)  # parts long enough for the helper to get some, progress to be seen
    with cluster.worker(DRAFTCUT_FFMPEG=slow) as a, cluster.worker(DRAFTCUT_FFMPEG=slow) as b:
        task = call(client, "gen_video", {"draft_url": url})["task_id"]
        seen: list[int] = []
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            status = call(client, "gen_video_status", {"draft_url": url})
            seen.append(int(status["progress"]))
            if status["status"] in ("completed", "failed"):
                break
            time.sleep(0.1)
        status = wait_render(client, url)
        got = _video(client, status, tmp_path / "split.mp4")
        job = cluster.job(task)
        coordinator, helper = (a, b) if job["worker"].startswith(a.node) else (b, a)
        assert job["worker"].startswith(coordinator.node) and job["attempts"] == 1, job
        time.sleep(0.5)
        mine, theirs = coordinator.parts(task), helper.parts(task)
    assert mine and theirs, (coordinator.text()[-3000:], helper.text()[-3000:])
    assert sorted(mine + theirs) == list(range(5)), (mine, theirs)  # 4 windows + sound, each once
    assert f"render job {task}: 5 parts (4 video windows) for any worker, attempt 1" in coordinator.text()
    # progress counted the parts done on both workers: it rose through values between start and end
    middle = [p for p in seen if 2 < p < 99]
    assert seen == sorted(seen) and len(set(middle)) >= 3, seen
    _assert_same_frames(got, _reference(cluster, url, tmp_path / "reference.mp4"))
    assert cluster.leftovers() == [] and cluster.query("SELECT * FROM job_parts") == []


def test_two_split_jobs_on_two_single_slot_workers_both_finish(cluster: Cluster, client: httpx.Client,
                                                                media: Any) -> None:
    urls = [_draft(client, media), _draft(client, media)]
    with cluster.worker(), cluster.worker():
        ids = [call(client, "gen_video", {"draft_url": u})["task_id"] for u in urls]
        for url in urls:
            assert wait_render(client, url, timeout=180)["status"] == "completed"
    assert {cluster.job(i)["attempts"] for i in ids} == {1}
    assert cluster.leftovers() == [] and cluster.query("SELECT * FROM job_parts") == []


def test_a_short_job_is_not_split(cluster: Cluster, client: httpx.Client, media: Any) -> None:
    url = _draft(client, media, seconds=1.5)  # under DRAFTCUT_RENDER_SPLIT_MIN_S (2 s)
    with cluster.worker() as worker:
        task = call(client, "gen_video", {"draft_url": url})["task_id"]
        assert wait_render(client, url)["status"] == "completed"
        time.sleep(0.5)
        assert f"render job {task} claimed" in worker.text() and not worker.parts(task)
        assert f"render job {task}: " not in worker.text()


def test_a_worker_killed_mid_part_loses_nothing(cluster: Cluster, client: httpx.Client, media: Any,
                                                tmp_path: Path) -> None:
    url = _draft(client, media)
    slow = _slow_ffmpeg(tmp_path, 2.5)
    with cluster.worker(DRAFTCUT_FFMPEG=slow) as a, cluster.worker(DRAFTCUT_FFMPEG=slow) as b:
        task = call(client, "gen_video", {"draft_url": url})["task_id"]
        deadline = time.monotonic() + 60
        held: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            job = cluster.job(task)
            if job["worker"]:
                helper_node = (b if job["worker"].startswith(a.node) else a).node
                held = cluster.query("SELECT * FROM job_parts WHERE job_id = ? AND status = 'running' AND"
                                     " worker LIKE ?", task, helper_node + "%")
                if held:
                    break
            time.sleep(0.05)
        assert held, cluster.query("SELECT * FROM job_parts")
        coordinator, victim = (a, b) if job["worker"].startswith(a.node) else (b, a)
        lost = held[0]["idx"]
        time.sleep(1)  # inside the part (its ffmpeg starts 2.5 s late)
        assert cluster.query("SELECT status FROM job_parts WHERE job_id = ? AND idx = ?", task, lost) == [
            {"status": "running"}]
        victim.kill()
        killed_at = time.monotonic()
        status = wait_render(client, url, timeout=PART_STALE_S + 120)
        took = time.monotonic() - killed_at
        got = _video(client, status, tmp_path / "split.mp4")
        job = cluster.job(task)
        time.sleep(0.5)
        assert job["attempts"] == 1 and job["worker"].startswith(coordinator.node), job  # the job was not retried
        assert lost in coordinator.parts(task) and lost in victim.parts(task)  # the part was
        assert sorted(set(coordinator.parts(task) + victim.parts(task))) == list(range(5))
        assert took < PART_STALE_S + 60, took  # by the part's heartbeat, not Redis's visibility timeout (670 s)
        assert coordinator.text().count(f"render job {task} completed") == 1
        assert f"render job {task} completed" not in victim.text()
    renders = sorted(p.name for p in (cluster.server.data_dir / "blobs" / "renders").glob(f"{task}*"))
    assert renders == [f"{task}.mp4"]
    _assert_same_frames(got, _reference(cluster, url, tmp_path / "reference.mp4"))
    assert cluster.leftovers() == [] and cluster.query("SELECT * FROM job_parts") == []
