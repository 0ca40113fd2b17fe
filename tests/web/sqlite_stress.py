"""One process of the SQLite concurrency tests (tests/web/test_sqlite_concurrency.py).

Run as `python -m tests.web.sqlite_stress ROLE INDEX COUNT` with DATABASE_URL naming a migrated SQLite
file. Every role works through the real code (services, views, importers) and prints one JSON line:
how many operations it did and every error it met, never a traceback.

* `writer`: creates a family account, then COUNT records, each with a measurement (two write
  transactions each, as a form's submission makes them).
* `web`: signs in as the family of `writer` 0 through the Django test client (every middleware, real
  views) and alternates reading a record (which writes an audit row) with recording a measurement.
* `import`: imports the sample directory COUNT times (committed in batches).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import sys
import traceback
from pathlib import Path

AS_OF = dt.date(2026, 11, 21)
PASSWORD = "correct horse battery staple"
SAMPLE_DIRECTORY = (
    Path(__file__).resolve().parents[2] / "src/smanav/directory/sample_data/sample_directory.csv"
)


def _writer(index: int, count: int) -> tuple[int, list[str]]:
    from smanav.accounts.services import user_create
    from smanav.patients.services import assessment_record, patient_create

    user = user_create(username=f"writer{index}", email=f"writer{index}@example.org", password=PASSWORD)
    errors: list[str] = []
    done = 0
    for number in range(count):
        try:
            patient = patient_create(
                author=user,
                display_name=f"Child {index}-{number}",
                document={"birth_date": "2020-03-01", "region": "US"},
                as_of=AS_OF,
            )
            assessment_record(
                author=user,
                patient_id=patient.pk,
                date=dt.date(2026, 11, 1),
                instrument="WEIGHT_KG",
                value=20 + number % 10,
                as_of=AS_OF,
            )
            done += 1
        except Exception as error:  # every error is a finding of the test, reported, never raised
            errors.append(f"{type(error).__name__}: {error}")
    return done, errors


def _web(index: int, count: int) -> tuple[int, list[str]]:
    from django.test import Client

    from smanav.accounts.services import user_create
    from smanav.patients.services import patient_create

    user = user_create(username=f"family{index}", email=f"family{index}@example.org", password=PASSWORD)
    patient = patient_create(
        author=user,
        display_name="Web child",
        document={"birth_date": "2020-03-01", "region": "US"},
        as_of=AS_OF,
    )
    client = Client(raise_request_exception=False)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    errors: list[str] = []
    done = 0
    for number in range(count):
        read = client.get(f"/records/{patient.pk}/")
        if read.status_code != 200:
            errors.append(f"GET record: {read.status_code}")
        written = client.post(
            f"/records/{patient.pk}/assessments/new/",
            {"instrument": "WEIGHT_KG", "date": "2026-11-01", "value": str(20 + number % 10)},
        )
        if written.status_code not in (200, 302):
            errors.append(f"POST measurement: {written.status_code}")
        else:
            done += 1
    return done, errors


def _import(index: int, count: int) -> tuple[int, list[str]]:
    from django.core.management import call_command

    errors: list[str] = []
    done = 0
    for _ in range(count):
        try:
            call_command(
                "import_csv",
                str(SAMPLE_DIRECTORY),
                "--batch-size",
                "5",
                stdout=io.StringIO(),
                stderr=io.StringIO(),
            )
            done += 1
        except Exception as error:
            errors.append(f"{type(error).__name__}: {error}")
    return done, errors


def _setup(index: int, count: int) -> tuple[int, list[str]]:
    """A family with one record and a signed-in session, made before a test takes the lock. Prints the
    record's id and the session's key (as `done` and the one error line are not the place for them)."""
    from django.test import Client

    from smanav.accounts.services import user_create
    from smanav.patients.services import patient_create

    user = user_create(username=f"family{index}", email=f"family{index}@example.org", password=PASSWORD)
    patient = patient_create(
        author=user, display_name="Child", document={"birth_date": "2020-03-01", "region": "US"}, as_of=AS_OF
    )
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    print(json.dumps({"patient_id": patient.pk, "session": client.cookies["sessionid"].value}))
    return 1, []


def _probe(index: int, count: int) -> tuple[int, list[str]]:
    """Ask for each path in PROBE_PATHS (space-separated) with the session in PROBE_SESSION; print each
    answer's status, Retry-After and time taken. `errors` lists every 5xx other than 503."""
    import time

    from django.test import Client

    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = os.environ["PROBE_SESSION"]
    errors: list[str] = []
    answers = []
    # Load the URLs, templates and knowledge base (a first request takes seconds), then wait for the test
    # to take its lock (it creates this file) before asking.
    client.get("/")
    go = os.environ.get("PROBE_GO")
    while go and not os.path.exists(go):
        time.sleep(0.05)
    for path in os.environ["PROBE_PATHS"].split():
        started, wall = time.monotonic(), time.time()
        response = client.get(path)
        answers.append(
            {
                "path": path,
                "status": response.status_code,
                "retry_after": response.get("Retry-After"),
                "body": response.content.decode(errors="replace")[-2000:],
                "seconds": round(time.monotonic() - started, 2),
                "started": wall,
                "ended": time.time(),
            }
        )
        if response.status_code >= 500 and response.status_code != 503:
            errors.append(f"GET {path}: {response.status_code}")
    print(json.dumps({"answers": answers}))
    return len(answers), errors


ROLES = {"writer": _writer, "web": _web, "import": _import, "setup": _setup, "probe": _probe}


def main(argv: list[str]) -> int:
    role, index, count = argv[0], int(argv[1]), int(argv[2])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    try:
        done, errors = ROLES[role](index, count)
    except Exception:
        done, errors = 0, [traceback.format_exc()]
    print(json.dumps({"role": role, "index": index, "done": done, "errors": errors}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
