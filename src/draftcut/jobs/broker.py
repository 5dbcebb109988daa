"""gen_video's side of the Celery queue (`DRAFTCUT_BROKER_URL`): hand a stored job's id to the render workers.

Celery and its Redis client are imported only when a broker is configured:
the embedded default loads neither.
"""

from __future__ import annotations

from draftcut.config import Settings
from draftcut.errors import BackendUnavailable

__all__ = ["RenderQueue"]


class RenderQueue:
    """Publishes render tasks; a broker that does not answer is `BackendUnavailable` (503, Retry-After)."""

    def __init__(self, settings: Settings) -> None:
        from draftcut.jobs.celery_app import make_celery

        self.app = make_celery(settings)

    def send(self, job_id: str) -> None:
        """Queue the render of `job_id` (blocking: call it from a thread). Each call opens or reuses a pooled
        connection, so once Redis is back the next call goes through: nothing dead is kept."""
        from kombu.exceptions import OperationalError
        from redis.exceptions import RedisError

        from draftcut.jobs.celery_app import RENDER_TASK

        try:
            self.app.send_task(RENDER_TASK, args=[job_id])
        except (OperationalError, RedisError, OSError) as exc:
            raise BackendUnavailable(f"the render queue (Redis) did not answer: {type(exc).__name__}: {exc}"[:300],
                                     retry_after=2) from None

    def close(self) -> None:
        self.app.close()
