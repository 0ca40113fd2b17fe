"""A real `manage.py db_worker` whose nightly refresh stops half-way through its first range: the refresh
commits records 5 at a time, and after the first 5 the worker notes it in a file and sleeps, so that a
test can kill it (SIGKILL) with part of a range written and the rest not.

    python tests/web/slow_refresh_worker.py MARKER_FILE [db_worker options]

Started by tests/web/test_nightly_batches.py with the test database in DATABASE_URL.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from smanav.patients.services import summaries

    marker = Path(sys.argv[1])
    commit_chunk = summaries._refresh_chunk

    def first_chunk_then_sleep(patient_ids: Sequence[int], *, as_of: object) -> int:
        written = commit_chunk(patient_ids, as_of=as_of)  # type: ignore[arg-type]
        if not marker.exists():
            marker.write_text(" ".join(str(pk) for pk in patient_ids), encoding="utf-8")
            time.sleep(120)
        return written

    summaries.SUMMARY_CHUNK_SIZE = 5
    summaries._refresh_chunk = first_chunk_then_sleep
    call_command("db_worker", *sys.argv[2:])


if __name__ == "__main__":
    main()
