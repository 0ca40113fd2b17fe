"""Web benchmark: the clinic worklist, the patient page and the evaluation API at registry scale.

    .venv/bin/python benchmarks/web.py                           # 10,000 patients, SQLite and PostgreSQL
    .venv/bin/python benchmarks/web.py --patients 1000 --databases sqlite          # a quick look

For each database, in a fresh process: create the database, migrate, seed one clinic with N patients
(20 assessments each, so 200,000 at N = 10,000; a quarter declining on HFMSE; treatments), build the
worklist summaries, then time requests through Django's test client (the whole stack except the
network: middleware, sessions, two-factor check, access chokepoint, audit write, core, templates):

* worklist: `/clinic/` with random sorts and filters (a `page=` alone now shows the first page: deep
  pages are measured by `--lists`, ADR 0028); then the same a day later, when every
  summary is a day old and the page says so (its refresh job queued by the first of those requests);
* patient page: `/records/<id>/` of random patients (evaluation, plan, monitoring tables);
* evaluation API: `GET /api/v1/patients/<id>/evaluation` with a bearer token.

Reports p50 / p95 / max latency and SQL queries per request, and the worklist's queries at 100 patients
and at N, which must be equal.

With `--lists` (PostgreSQL only; for 150,000 patients): the lists alone, the worklist and the API's record
list. `--real` patients (2,000) are seeded as above with their summaries worked out; the rest are copies
of them made inside the database server (`INSERT … SELECT` over `generate_series`: the record's row, its
summary and its share with the clinic; no measurements, which no list reads), then the clinic's numbers
are counted. Timed: the worklist's first page with random sorts and filters; the worklist walked as a
clinician walks it (ADR 0028): a random sort and filters (now and then a filter nobody matches, or a name
search), from the first page or from a random row anywhere in the list, then ten "next" links and three
"previous" links; the same walks as a coordinator (the coordinator's patient list is the clinic's
worklist); the API's list walked with `after`, and its first page. With `--keep` the database
(`SMANAV_BENCH_DATABASE`) is kept after the run and reused by the next one (seeded once; migrated, so a
new index is built in it).

PostgreSQL: `--postgres-url postgresql://postgres@127.0.0.1:5432` (trust auth); the script creates and
drops its own database `smanav_bench_web`. With `--write-docs` the figures
replace the "Web application" section of docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# The benchmark's own PostgreSQL database, made and dropped by it (another name lets two runs share a server).
DATABASE = os.environ.get("SMANAV_BENCH_DATABASE", "smanav_bench_web")
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))

TARGET_P95_MS = 150
AS_OF = dt.date(2026, 11, 21)
VISITS = 5  # per patient, each with HFMSE, RULM, FVC and weight: 20 assessments


def _seed(patients: int, rng: random.Random) -> None:
    from django.contrib.auth import get_user_model

    from smanav.accounts.grants import administrator_request, staff_add, staff_confirm
    from smanav.accounts.models import StaffRole
    from smanav.accounts.services import clinic_create, totp_device_create, user_create
    from smanav.patients.models import Assessment, ClinicShare, Patient, Treatment

    clinic = clinic_create(name="Benchmark clinic", slug="bench", region="US")
    # As on a new installation: the first administrator from the command line confirms the clinician.
    admin = get_user_model().objects.filter(username="bench-admin").first()
    if admin is None:
        admin = user_create(username="bench-admin", email="bench-admin@example.org", password=None)
        administrator_request(requested_by=None, user=admin)
    clinician = user_create(username="bench", email="bench@example.org", password="bench passphrase 1")
    membership = staff_add(requested_by=None, user=clinician, clinic=clinic, role=StaffRole.CLINICIAN)
    staff_confirm(actor=admin, membership=membership, site="http://testserver")
    totp_device_create(user=clinician, confirmed=True)
    start = Patient.objects.count()
    rows = []
    for index in range(start, start + patients):
        smn2 = rng.choice([2, 3, 3, 3, 4])
        group = {2: "non_sitter", 3: "sitter", 4: "walker"}[smn2]
        rows.append(
            Patient(
                display_name=f"Patient {index:05d}",
                birth_date=AS_OF - dt.timedelta(days=rng.randint(400, 15000)),
                region="US",
                genetics={"smn1_copies": 0, "smn2_copies": smn2, "method": "mlpa"},
                clinical={
                    "symptomatic": True,
                    "symptom_onset_age_months": {2: 3, 3: 10, 4: 30}[smn2],
                    "current_motor_function": group,
                },
            )
        )
    created = Patient.objects.bulk_create(rows, batch_size=2000)
    ClinicShare.objects.bulk_create([ClinicShare(patient=p, clinic=clinic) for p in created], batch_size=5000)
    assessments = []
    treatments = []
    for patient in created:
        hfmse = rng.randint(10, 50)
        declining = rng.random() < 0.25
        for visit in range(VISITS):
            when = AS_OF - dt.timedelta(days=30 + (VISITS - 1 - visit) * 180)
            if when <= patient.birth_date:
                when = patient.birth_date + dt.timedelta(days=1 + visit)
            hfmse = (
                max(0, hfmse - 4) if declining and visit == VISITS - 1 else min(66, hfmse + rng.randint(0, 1))
            )
            for instrument, value in (
                ("HFMSE", hfmse),
                ("RULM", rng.randint(10, 37)),
                ("FVC_PERCENT_PREDICTED", rng.randint(50, 110)),
                ("WEIGHT_KG", round(rng.uniform(12, 70), 1)),
            ):
                assessments.append(Assessment(patient=patient, date=when, instrument=instrument, value=value))
        if rng.random() < 0.7:
            treatments.append(
                Treatment(
                    patient=patient,
                    therapy=rng.choice(["nusinersen", "risdiplam"]),
                    start_date=max(
                        AS_OF - dt.timedelta(days=700), patient.birth_date + dt.timedelta(days=30)
                    ),
                )
            )
        if len(assessments) >= 50_000:
            Assessment.objects.bulk_create(assessments, batch_size=5000)
            assessments = []
    Assessment.objects.bulk_create(assessments, batch_size=5000)
    Treatment.objects.bulk_create(treatments, batch_size=5000)


def _refresh_summaries() -> None:
    """The nightly refresh (`manage.py patients_refresh` and its background job) for AS_OF."""
    from smanav.patients.services import all_summaries_refresh

    all_summaries_refresh(as_of=AS_OF)


def _set_today(day: dt.date) -> None:
    """The server's date, which the worklist compares its summaries with: frozen, so that the figures
    do not depend on the day the benchmark runs."""
    from django.utils import timezone

    timezone.localdate = lambda *args, **kwargs: day


def _client() -> tuple[Any, dict[str, str]]:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from smanav.accounts.services import api_token_create

    user = get_user_model().objects.get(username="bench")
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = user.totpdevice_set.get().persistent_id
    session.save()
    _row, token = api_token_create(user=user, name="bench")
    return client, {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _measure(client: Any, urls: list[str], headers: dict[str, str] | None = None) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings = []
    queries = []
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, **(headers or {}))
            timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}: {response.content[:500]!r}")
        queries.append(len(captured.captured_queries))
    timings.sort()
    return {
        "requests": len(urls),
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 1),
        "max_ms": round(timings[-1], 1),
        "queries": f"{min(queries)}–{max(queries)}" if min(queries) != max(queries) else str(queries[0]),
        "max_queries": max(queries),
    }


def _worklist_urls(rng: random.Random, count: int, pages: int) -> list[str]:
    sorts = ["priority", "name", "age", "alerts", "overdue", "last_seen"]
    urls = []
    for _ in range(count):
        query = f"sort={rng.choice(sorts)}&page={rng.randint(1, max(1, pages))}"
        if rng.random() < 0.3:
            query += "&alert=motor_decline"
        if rng.random() < 0.2:
            query += "&urgency=prompt"
        urls.append("/clinic/?" + query)
    return urls


def run_phase(patients: int, requests: int) -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smanav.settings")
    # A throwaway process: nothing it signs outlives it (settings refuse to start without a key).
    os.environ.setdefault("SMANAV_SECRET_KEY", secrets.token_urlsafe(50))
    # Requests come from Django's test client in plain HTTP, as they reach an app server behind the proxy
    # that ends TLS; the redirect to HTTPS and secure-only cookies would stop them at the door.
    for name in ("SMANAV_HTTPS_REDIRECT", "SMANAV_SECURE_COOKIES", "SMANAV_HSTS_SECONDS"):
        os.environ.setdefault(name, "0")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from smanav.patients.models import Assessment, Patient

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    _set_today(AS_OF)
    rng = random.Random(7)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    _seed(min(100, patients), rng)
    _refresh_summaries()
    client, bearer = _client()
    small = _measure(client, _worklist_urls(rng, 10, 2))
    from smanav.accounts.models import Clinic

    # Grow the same clinic to N patients.
    Clinic.objects.filter(slug="bench").update(slug="bench-old")
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(username="bench").update(username="bench-old")
    _seed_more(patients - min(100, patients), rng)
    seed_s = time.perf_counter() - started
    started = time.perf_counter()
    _refresh_summaries()
    summaries_s = time.perf_counter() - started
    client, bearer = _client()
    ids = list(Patient.objects.values_list("pk", flat=True))
    pages = (patients + 49) // 50
    _measure(client, _worklist_urls(rng, 5, pages))  # warm up caches and the knowledge base
    results = {
        "patients": Patient.objects.count(),
        "assessments": Assessment.objects.count(),
        "seed_s": round(seed_s, 1),
        "summaries_s": round(summaries_s, 1),
        "worklist_queries_at_100": small["max_queries"],
        "worklist": _measure(client, _worklist_urls(rng, requests, pages)),
        "worklist_day_old": _measure_day_old(client, rng, requests, pages),
        "patient_page": _measure(client, [f"/records/{rng.choice(ids)}/" for _ in range(requests)]),
        "evaluation_api": _measure(
            client, [f"/api/v1/patients/{rng.choice(ids)}/evaluation" for _ in range(requests)], bearer
        ),
    }
    return results


def run_lists_phase(patients: int, requests: int, real: int) -> dict[str, Any]:
    """The lists at registry scale, most records copied inside the database server (see the module's
    docstring)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smanav.settings")
    os.environ.setdefault("SMANAV_SECRET_KEY", secrets.token_urlsafe(50))
    for name in ("SMANAV_HTTPS_REDIRECT", "SMANAV_SECURE_COOKIES", "SMANAV_HSTS_SECONDS"):
        os.environ.setdefault(name, "0")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from smanav.patients.models import Patient
    from smanav.patients.services.worklist_counts import clinic_counts_recount

    if connection.vendor != "postgresql":
        raise SystemExit("--lists copies records with PostgreSQL's generate_series: PostgreSQL only")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    _set_today(AS_OF)
    rng = random.Random(7)
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    # A kept database (`--keep`) already holds its records: seeded once, timed as often as wanted.
    seeded = Patient.objects.exists()
    if not seeded:
        _seed(min(real, patients), rng)
        _refresh_summaries()
    real_s = time.perf_counter() - started
    started = time.perf_counter()
    if not seeded:
        _copy_in_database(patients - Patient.objects.count())
        clinic_counts_recount()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    copy_s = time.perf_counter() - started
    client, bearer = _client()
    coordinator = _coordinator_client()
    _measure(client, _worklist_urls(rng, 5, 1))  # warm up
    first_pages = [url.replace("&page=1", "") for url in _worklist_urls(rng, requests, 1)]
    walks = _keyset_walk_urls(client, rng, requests)
    return {
        "patients": Patient.objects.count(),
        "real": min(real, patients),
        "real_s": round(real_s, 1),
        "copy_s": round(copy_s, 1),
        "worklist_first_pages": _measure(client, first_pages),
        "worklist_walk": _measure(client, walks),
        "coordinator_walk": _measure(coordinator, _keyset_walk_urls(coordinator, rng, requests)),
        "api_walk": _measure(client, _api_walk_urls(client, bearer, requests), bearer),
        "api_first_page": _measure(client, ["/api/v1/patients?limit=50"] * requests, bearer),
    }


def _coordinator_client() -> Any:
    """A coordinator of the benchmark clinic (made once, kept with the database), signed in past the
    second factor: the coordinator's patient list is the clinic's worklist."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from smanav.accounts.grants import staff_add, staff_confirm
    from smanav.accounts.models import Clinic, StaffRole
    from smanav.accounts.services import totp_device_create, user_create

    user = get_user_model().objects.filter(username="bench-coordinator").first()
    if user is None:
        user = user_create(username="bench-coordinator", email="bench-coordinator@example.org", password=None)
        membership = staff_add(
            requested_by=None, user=user, clinic=Clinic.objects.get(slug="bench"), role=StaffRole.COORDINATOR
        )
        staff_confirm(
            actor=get_user_model().objects.get(username="bench-admin"),
            membership=membership,
            site="http://testserver",
        )
        totp_device_create(user=user, confirmed=True)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = user.totpdevice_set.get().persistent_id
    session.save()
    return client


WALK_STEPS = 10  # "next" links followed in one walk, then "previous" links
WALK_BACK = 3


def _keyset_walk_urls(client: Any, rng: random.Random, count: int) -> list[str]:
    """Worklist pages as a clinician walks them: a random sort and filters, from the first page or from
    a random row anywhere in the list (as if walked there), then "next" links, then some "previous"
    links. The addresses are gathered here (the requests untimed) and timed afterwards."""
    import re
    from urllib.parse import parse_qsl, quote

    from smanav.accounts.models import Clinic
    from smanav.patients import selectors
    from smanav.patients.keyset import cursor_encode

    clinic = Clinic.objects.get(slug="bench")
    urls: list[str] = []
    while len(urls) < count:
        base = _worklist_urls(rng, 1, 1)[0].replace("&page=1", "")
        # Now and then a filter few records match (none are overdue here) or a name search.
        extra = rng.choice([{}] * 8 + [{"due": "overdue"}, {"q": f"Copy 0{rng.randint(10, 99)}"}])
        base += "".join(f"&{name}={quote(value)}" for name, value in extra.items())
        url = base
        if rng.random() < 0.7:
            query = dict(parse_qsl(base.split("?", 1)[1]))
            filters = selectors.WorklistFilter(
                sort=query["sort"],
                alert=query.get("alert", ""),
                urgency=query.get("urgency", ""),
                due=query.get("due", ""),
                query=query.get("q", ""),
            )
            sort = selectors.WORKLIST_SORTS[filters.sort]
            rows = selectors._worklist_summaries(clinic=clinic, filters=filters).annotate(
                **sort.annotations()
            )
            matching = rows.count()
            if matching:
                row = rows.order_by(*sort.ordering()).values_list(*[key.name for key in sort.keys])[
                    rng.randrange(matching)
                ]
                url = f"{base}&after={cursor_encode(row)}&page=2"
        for step in range(WALK_STEPS + WALK_BACK):
            urls.append(url)
            html = client.get(url).content.decode()
            rel = "next" if step < WALK_STEPS else "prev"
            found = re.search(rf'<a href="([^"]+)" rel="{rel}">', html)
            if found is None:
                break
            url = "/clinic/" + found.group(1).replace("&amp;", "&")
    return urls[:count]


def _api_walk_urls(client: Any, bearer: dict[str, str], count: int) -> list[str]:
    """The API's list pages one after another from the start, as a client walking every record
    (`after` = the previous page's `next_after`); spread over the registry by skipping ahead."""
    urls = ["/api/v1/patients?limit=50"]
    after = None
    while len(urls) < count:
        body = client.get(urls[-1], **bearer).json()
        after = body["next_after"]
        if after is None:
            break
        # Every 30th page, so that the walk reaches the end of a large registry.
        urls.append(f"/api/v1/patients?limit=50&after={after + 50 * 30}")
    return urls


def _copy_in_database(copies: int) -> None:
    """Copy the seeded records (round robin) `copies` times inside the database: each copy's row, its
    summary (with its own name and birth date) and its active share with the benchmark clinic."""
    from django.db import connection

    from smanav.patients.models import ClinicShare, Patient, PatientSummary

    if copies <= 0:
        return
    patient_columns = [field.column for field in Patient._meta.concrete_fields if field.column != "id"]
    made = {
        "display_name": "'Copy ' || lpad(g::text, 6, '0')",
        "birth_date": "t.birth_date - mod(g, 3650)::int",
        "creation_key": "'copy:' || t.id || ':' || g",
        "created_at": "now()",
        "updated_at": "now()",
    }
    select = ", ".join(made.get(column, f"t.{column}") for column in patient_columns)
    summary_columns = [field.column for field in PatientSummary._meta.concrete_fields]
    copied = {"patient_id": "p.id", "display_name": "p.display_name", "birth_date": "p.birth_date"}
    summary_select = ", ".join(copied.get(column, f"s.{column}") for column in summary_columns)
    share_columns = [field.column for field in ClinicShare._meta.concrete_fields if field.column != "id"]
    share_values = {"patient_id": "p.id", "clinic_id": "%s", "created_at": "now()"}
    share_select = ", ".join(share_values.get(column, "NULL") for column in share_columns)
    clinic_id = ClinicShare.objects.values_list("clinic_id", flat=True).first()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH t AS (
                SELECT *, row_number() OVER (ORDER BY id) - 1 AS n, count(*) OVER () AS k
                FROM patients_patient
            )
            INSERT INTO patients_patient ({", ".join(patient_columns)})
            SELECT {select} FROM generate_series(1, %s) AS g JOIN t ON t.n = mod(g, t.k)
            """,
            [copies],
        )
        cursor.execute(
            f"""
            INSERT INTO patients_patientsummary ({", ".join(summary_columns)})
            SELECT {summary_select} FROM patients_patient p
            JOIN patients_patientsummary s ON s.patient_id = split_part(p.creation_key, ':', 2)::int
            WHERE p.creation_key LIKE 'copy:%%'
            """
        )
        cursor.execute(
            f"""
            INSERT INTO patients_clinicshare ({", ".join(share_columns)})
            SELECT {share_select} FROM patients_patient p WHERE p.creation_key LIKE 'copy:%%'
            """,
            [clinic_id],
        )


def _measure_day_old(client: Any, rng: random.Random, requests: int, pages: int) -> dict[str, Any]:
    """The worklist the day after its summaries were worked out: the first request queues the clinic's
    refresh (not timed), the others find it queued. The job is not run, so every page stays stale."""
    _set_today(AS_OF + dt.timedelta(days=1))
    try:
        _measure(client, _worklist_urls(rng, 1, pages))
        return _measure(client, _worklist_urls(rng, requests, pages))
    finally:
        _set_today(AS_OF)


def _seed_more(patients: int, rng: random.Random) -> None:
    """Add patients to the existing benchmark clinic (renamed by the caller) in one go."""
    from smanav.accounts.models import Clinic, StaffMembership
    from smanav.patients.models import ClinicShare

    _seed(patients, rng)
    new_clinic = Clinic.objects.get(slug="bench")
    old_clinic = Clinic.objects.get(slug="bench-old")
    # One clinic holds everybody: move the new shares and the staff to the original clinic.
    ClinicShare.objects.filter(clinic=new_clinic).update(clinic=old_clinic)
    StaffMembership.objects.filter(clinic=new_clinic).update(clinic=old_clinic)
    new_clinic.delete()
    old_clinic.slug = "bench"
    old_clinic.save()


def _machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}"


def _child(database_url: str, patients: int, requests: int, extra: list[str] | None = None) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "smanav.settings"}
    command = [
        sys.executable,
        __file__,
        "--phase",
        "run",
        "--patients",
        str(patients),
        "--requests",
        str(requests),
        *(extra or []),
    ]
    output = subprocess.run(command, env=env, capture_output=True, text=True, cwd=REPO)
    if output.returncode != 0:
        raise SystemExit(output.stderr[-4000:])
    return dict(json.loads(output.stdout.strip().splitlines()[-1]))


def _postgres(url: str, action: str) -> None:
    """`create` (afresh), `drop`, or `keep`: create it only if it is not there yet."""
    import psycopg

    with psycopg.connect(url.rstrip("/") + "/postgres", autocommit=True) as connection:
        if action == "keep":
            found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone()
            if found is None:
                connection.execute(f"CREATE DATABASE {DATABASE}")
            return
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        if action == "create":
            connection.execute(f"CREATE DATABASE {DATABASE}")


def _table(name: str, result: dict[str, Any]) -> list[str]:
    lines = [
        f"**{name}**: {result['patients']:,} patients, {result['assessments']:,} assessments "
        f"(seeded in {result['seed_s']} s; worklist summaries of every patient rebuilt in "
        f"{result['summaries_s']} s).",
        "",
        "| request | n | p50 ms | p95 ms | max ms | SQL queries | p95 target met |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, label, target in (
        ("worklist", "clinic worklist `/clinic/`", True),
        ("worklist_day_old", "clinic worklist, summaries a day old (refresh queued)", True),
        ("patient_page", "patient page `/records/<id>/`", True),
        ("evaluation_api", "evaluation API `/api/v1/patients/<id>/evaluation`", False),
    ):
        row = result[key]
        met = ("yes" if row["p95_ms"] < TARGET_P95_MS else "**no**") if target else "(no target)"
        cells = [label, row["requests"], row["p50_ms"], row["p95_ms"], row["max_ms"], row["queries"], met]
        lines.append("| " + " | ".join(str(cell) for cell in cells) + " |")
    lines.append("")
    lines.append(
        f"Worklist queries per request: {result['worklist_queries_at_100']} at 100 patients, "
        f"{result['worklist']['max_queries']} at {result['patients']:,}."
    )
    lines.append("")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--lists", action="store_true", help="the lists alone, most records copied")
    parser.add_argument("--real", type=int, default=2000, help="with --lists: records seeded for real")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="with --lists: keep the database (SMANAV_BENCH_DATABASE) and reuse it when it is there already",
    )
    parser.add_argument("--phase", default="main", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "run":
        if args.lists:
            print(json.dumps(run_lists_phase(args.patients, args.requests, args.real)))
        else:
            print(json.dumps(run_phase(args.patients, args.requests)))
        return
    if args.lists:
        _lists_main(args)
        return
    results: dict[str, dict[str, Any]] = {}
    for database in args.databases.split(","):
        if database == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                results["SQLite"] = _child(f"sqlite:///{folder}/bench.sqlite3", args.patients, args.requests)
        elif database == "postgres":
            _postgres(args.postgres_url, "create")
            try:
                results["PostgreSQL"] = _child(
                    args.postgres_url.rstrip("/") + "/" + DATABASE, args.patients, args.requests
                )
            finally:
                _postgres(args.postgres_url, "drop")
        print(
            json.dumps({database: results.get("SQLite" if database == "sqlite" else "PostgreSQL")}, indent=1)
        )
    lines = [
        "## Web application",
        "",
        f"`benchmarks/web.py` run on {dt.date.today().isoformat()}. Machine: {_machine()}.",
        "Requests go through Django's test client in one process (everything but the network), signed in",
        "as a clinician who passed two-factor authentication.",
        f"Target: p95 under {TARGET_P95_MS} ms for the worklist and the patient page.",
        "",
    ]
    for name, result in results.items():
        lines += _table(name, result)
    text = "\n".join(lines)
    print(text)
    if args.write_docs:
        docs = REPO / "docs" / "performance.md"
        current = docs.read_text() if docs.exists() else "# Performance\n"
        marker = "## Web application"
        if marker in current:
            before, _, after = current.partition(marker)
            rest = after.split("\n## ", 1)
            current = before + text + ("\n## " + rest[1] if len(rest) > 1 else "")
        else:
            current = current.rstrip("\n") + "\n\n" + text
        docs.write_text(current)


def _lists_main(args: argparse.Namespace) -> None:
    load_before = os.getloadavg()[0]
    _postgres(args.postgres_url, "keep" if args.keep else "create")
    try:
        result = _child(
            args.postgres_url.rstrip("/") + "/" + DATABASE,
            args.patients,
            args.requests,
            ["--lists", "--real", str(args.real)],
        )
    finally:
        if not args.keep:
            _postgres(args.postgres_url, "drop")
    print(
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC. Machine: {_machine()} (load {load_before:.1f} "
        "at the start)."
    )
    print(
        f"PostgreSQL: {result['patients']:,} patients in one clinic, {result['real']:,} seeded for real "
        f"({result['real_s']} s), the rest copied in the database ({result['copy_s']} s)."
    )
    print("")
    print("| request | n | p50 ms | p95 ms | max ms | SQL queries | p95 < 150 ms |")
    print("|---|---|---|---|---|---|---|")
    for key, label in (
        ("worklist_first_pages", "worklist `/clinic/`, random sort and filters, first page"),
        ("worklist_walk", "worklist, next/previous links from random sorts, filters and rows"),
        ("coordinator_walk", "coordinator's list (the worklist), walked the same way"),
        ("api_walk", "API `/api/v1/patients?after=…`, pages across the registry"),
        ("api_first_page", "API `/api/v1/patients`, first page"),
    ):
        row = result[key]
        met = "yes" if row["p95_ms"] < TARGET_P95_MS else "**no**"
        cells = [label, row["requests"], row["p50_ms"], row["p95_ms"], row["max_ms"], row["queries"], met]
        print("| " + " | ".join(str(cell) for cell in cells) + " |")
    print(f"load at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
