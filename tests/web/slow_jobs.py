"""A job for the lease tests: slow on its first run, quick when run again, and leaving files that say
which happened. Imported by the worker processes the tests start (as `tests.web.slow_jobs`)."""

from __future__ import annotations

import time
from pathlib import Path

from django_tasks import task


@task()
def slow_once(*, folder: str, seconds: float) -> str:
    started, done = Path(folder) / "started", Path(folder) / "done"
    if not started.exists():
        started.write_text("first run", encoding="utf-8")
        time.sleep(seconds)
    done.write_text("finished", encoding="utf-8")
    return "finished"
