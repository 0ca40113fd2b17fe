"""A worker's heartbeat: a thread that notes every few seconds that the worker is alive, and every
lease looks for jobs whose worker died (`services.lost_jobs_recover`)."""

from __future__ import annotations

import datetime as dt
import logging
import threading

from django.conf import settings
from django.db import Error, close_old_connections, connections

from smanav.jobs import services

logger = logging.getLogger("smanav.jobs")


class Heartbeat:
    def __init__(self, *, worker_id: str, started_at: dt.datetime) -> None:
        self.worker_id = worker_id
        self.started_at = started_at
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{worker_id[:8]}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=settings.SMANAV_WORKER_HEARTBEAT_SECONDS * 2)

    def _run(self) -> None:
        # This thread has its own database connection (Django's connections are per thread).
        every = settings.SMANAV_WORKER_HEARTBEAT_SECONDS
        beats_per_sweep = max(1, round(settings.SMANAV_WORKER_LEASE_SECONDS / every))
        beat = 0
        try:
            while not self._stop.wait(every):
                beat += 1
                try:
                    # A connection broken by a database restart is replaced rather than used again.
                    close_old_connections()
                    services.worker_beat(worker_id=self.worker_id, started_at=self.started_at)
                    if beat % beats_per_sweep == 0:
                        services.lost_jobs_recover()
                except Error:
                    # A busy or restarting database: the next beat tries again. Missing a few beats is
                    # harmless as long as the lease is several beats long.
                    logger.warning("Worker %s: heartbeat failed, trying again", self.worker_id, exc_info=True)
        finally:
            connections.close_all()
