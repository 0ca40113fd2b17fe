"""The background workers that are alive: each beats its row every few seconds while it runs.

django-tasks' database backend marks a claimed job RUNNING and nothing more; if its worker dies (killed,
out of memory, the machine lost) the job would stay RUNNING for ever. A worker whose heartbeat is older
than the lease is taken for dead, and its job is queued again (`services.lost_jobs_recover`, ADR 0023).
"""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return (
            f"worker {self.worker_id} on {self.hostname} (pid {self.pid}), last beat {self.beat_at:%H:%M:%S}"
        )
