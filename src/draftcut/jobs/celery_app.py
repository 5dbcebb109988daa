"""The Celery application of render jobs (`DRAFTCUT_BROKER_URL`): its settings, and `draftcut worker`.

Only the job id travels on the queue; the job itself lives in the JobStore,
so gen_video_status, the render cache and callbacks read the same record
whichever process renders it. Delivery is at least once, and the JobStore's
`claim_job` makes the render happen once:

- `task_acks_late` + `task_reject_on_worker_lost`: a message is acknowledged
  only once its task returned, so a worker killed mid-render (kill -9, a lost
  machine) leaves it unacknowledged in Redis, and Redis hands it to another
  worker after the visibility timeout;
- the visibility timeout is above the render timeout plus the heartbeat's
  staleness limit: a render still running is never handed out again, and by
  the time a dead worker's message comes back its job's heartbeat is stale,
  so the new worker takes the job over at once (`jobs/tasks.py`);
- `worker_prefetch_multiplier` 1: a worker holds no more messages than it has
  free slots, so queued jobs go to whichever worker is free.

This module imports Celery: only the broker setup and `draftcut worker` load it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from celery import Celery

from draftcut.config import Settings
from draftcut.errors import BackendUnavailable
from draftcut.jobs.execute import STALE_AFTER_S

__all__ = ["PART_TASK", "QUEUE", "REAP_EVERY_S", "RENDER_TASK", "make_celery", "requeue_dead_jobs", "run_worker",
           "visibility_timeout"]

log = logging.getLogger("draftcut.jobs")

RENDER_TASK = "draftcut.render"
PART_TASK = "draftcut.render_part"
"""A helper of a render split across workers (jobs/split_render.py): args job id and attempt."""
QUEUE = "draftcut.render"
RESTORE_INTERVAL_S = 5
"""How often a worker looks for unacknowledged messages past the visibility timeout (kombu's default is 100 s)."""


REAP_EVERY_S = STALE_AFTER_S / 2
"""How often a worker looks for jobs whose worker stopped beating (`requeue_dead_jobs`)."""


def requeue_dead_jobs(app: Celery, settings: Settings, *, every_s: float = REAP_EVERY_S) -> None:
    """Send again the jobs whose worker died, so they run within about `STALE_AFTER_S` + `every_s`.

    Acks-late alone hands a dead worker's message to another worker only after
    Redis's visibility timeout, which must exceed the longest render (an hour
    by default). A job's heartbeat says much sooner that its worker is gone:
    every worker process sends the ids of jobs `processing` with a heartbeat
    older than `STALE_AFTER_S` to the queue again, and `claim_job` lets exactly
    one worker take each over (the other copies find it held and are dropped
    when it finishes). Runs for the worker's life; a backend that does not
    answer is logged and tried again next round.
    """
    from draftcut.store.backends import open_stores

    stores = None
    while True:
        time.sleep(every_s)
        try:
            stores = stores or open_stores(settings)
            for job_id in stores.jobs.stale_ids(time.time() - STALE_AFTER_S):
                log.warning("render job %s: its worker stopped beating; queued again", job_id)
                app.send_task(RENDER_TASK, args=[job_id])
        except (BackendUnavailable, OSError) as exc:
            log.warning("looking for dead workers' jobs failed (%s); trying again in %.0fs", exc, every_s)
        except Exception:  # a reaper's bug must not end the worker; the visibility timeout stays the last resort
            log.exception("looking for dead workers' jobs failed")


def visibility_timeout(settings: Settings) -> float:
    """Seconds before Redis hands an unacknowledged render message to another worker."""
    return settings.render_timeout_s + STALE_AFTER_S + 10


def make_celery(settings: Settings) -> Celery:
    """The app for `settings.broker_url`, with the render task registered (it runs only in workers)."""
    app = Celery("draftcut", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_default_queue=QUEUE,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        broker_transport_options={
            "visibility_timeout": visibility_timeout(settings),
            "unacked_restore_interval": RESTORE_INTERVAL_S,
            "unacked_restore_throttle": 1,
            "socket_connect_timeout": 3,
            "socket_timeout": 10,
        },
        # gen_video waits about a second for Redis, then answers 503 (BackendUnavailable)
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.3, "interval_max": 0.5},
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,  # a worker waits for Redis as long as it takes
        worker_hijack_root_logger=True,
    )
    from draftcut.jobs.tasks import register

    register(app, settings)
    return app


def run_worker(settings: Settings, *, concurrency: int, loglevel: str) -> int:
    """`draftcut worker`: a Celery worker in this process, with `concurrency` render processes.

    Beside it runs `requeue_dead_jobs` in a thread of this (parent) process.
    """
    app = make_celery(settings)
    threading.Thread(target=requeue_dead_jobs, args=(app, settings), name="draftcut-reaper", daemon=True).start()
    argv: list[Any] = ["worker", f"--concurrency={concurrency}", f"--loglevel={loglevel}", "-Q", QUEUE,
                       f"--hostname=draftcut.{os.getpid()}@%h", "--without-gossip", "--without-mingle"]
    app.worker_main(argv)
    return 0
