"""Keeping people informed at scale: a knowledge change that affects every synthetic record, worked out by
two background workers and told by e-mail (queued in the outbox) to everyone who asked.

    .venv/bin/python benchmarks/notices.py                                   # 15,000 records, PostgreSQL
    .venv/bin/python benchmarks/notices.py --patients 1000                   # a quick look
    .venv/bin/python benchmarks/notices.py --patients 150000 --clinics 16    # the issue's scale

It creates its own database (`--database`, `smanav_notices`) on `--postgres-url` (dropped first,
dropped at the end unless `--keep`), stores N synthetic people (`manage.py synth`, seed 15), spreads
them over `--clinics` clinics (one clinician each, who asked for e-mails about changes) and gives each
record a family account that asked for them too, then works out every summary and baseline for the
first day (not measured).

`--seeded`: the database named by `--database` holds such a seeded cohort already (an earlier run with
`--keep`, or `--phase seed`); it is left as it is and the measurement runs on a copy made from it
(`CREATE DATABASE ... TEMPLATE`, not measured), `<database>_run`, dropped at the end unless `--keep`.

Measured, the next day: a test knowledge base with one new care-plan item that applies to everyone,
whatever their diagnosis (made here, never shipped; care-plan items apply to confirmed 5q SMA unless
they say otherwise, so the item names every diagnosis), is loaded by two worker processes
(`manage.py db_worker --batch`), which run one `refresh_clinic_summaries` job per clinic: every record
re-evaluated, its difference from its baseline written as news (the run counts the records told of the
new item: all of them). Then the e-mails are worked out and queued (`news_emails_send`): one per family
and one per clinician, each naming its records, every read audited. Reports wall time, records per
second, the news and e-mails written, and the load average. Not a test: nothing here fails a build.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))

DATABASE = "smanav_notices"
NEW_ITEM_ID = "care.benchmark.everyone"
AS_OF = dt.date(2027, 1, 10)
NEXT_DAY = AS_OF + dt.timedelta(days=1)
# One care-plan item that applies to every record: the change to tell everyone about. Without
# `diagnoses` an item applies to confirmed 5q SMA only; the synthetic people are all confirmed now (their
# newborn screens were not, before 2026-12-07), but the item names every diagnosis so that it stays a
# change for everyone whatever the cohort holds.
NEW_ITEM = f"""

[[care_item]]
id = "{NEW_ITEM_ID}"
domain = "neuromuscular"
diagnoses = ["confirmed_5q_sma", "inconclusive", "carrier", "5q_sma_unlikely", "not_tested"]
title = "A check made up for the notices benchmark"
detail = "Not real advice: a care-plan item that exists only in the benchmark's knowledge base."
interval_months = 12
sources = ["smacare_breathing"]
evidence = "secondary"
reviewed_on = 2026-11-21
"""


def _setup() -> None:
    os.environ.setdefault("SMANAV_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smanav.settings")
    import django

    django.setup()


def _changed_knowledge() -> None:
    """Load the benchmark's knowledge base (the real one plus `NEW_ITEM`) in this process."""
    from smanav_core.knowledge import loader

    files = loader._data_files()
    care_plan = files["care_plan.toml"].decode("utf-8") + NEW_ITEM
    knowledge = loader.build_knowledge({**files, "care_plan.toml": care_plan.encode("utf-8")})
    import smanav_core.engine

    smanav_core.engine.load_knowledge = lambda: knowledge  # type: ignore[assignment]


def phase_seed(patients: int, clinics: int) -> dict[str, Any]:
    _setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone

    from smanav.accounts.models import Clinic, ReminderPreference, StaffMembership, StaffRole, User
    from smanav.patients.models import ClinicShare, Guardian, GuardianRelation, Patient
    from smanav.patients.services.summaries import all_summaries_refresh

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("synth", patients=patients, seed=15, as_of=AS_OF.isoformat(), stdout=io.StringIO())
    ids = list(Patient.objects.order_by("pk").values_list("pk", flat=True))
    unusable = make_password(None)
    now = timezone.now()
    homes = [Clinic.objects.create(name=f"Clinic {n}", slug=f"clinic-{n}") for n in range(clinics)]
    staff = User.objects.bulk_create(
        User(username=f"clinician{n}", email=f"clinician{n}@example.org", password=unusable)
        for n in range(clinics)
    )
    StaffMembership.objects.bulk_create(
        StaffMembership(user=user, clinic=clinic, role=StaffRole.CLINICIAN, confirmed_at=now)
        for user, clinic in zip(staff, homes, strict=True)
    )
    families = User.objects.bulk_create(
        (User(username=f"family{pk}", email=f"family{pk}@example.org", password=unusable) for pk in ids),
        batch_size=2000,
    )
    Guardian.objects.bulk_create(
        (
            Guardian(patient_id=pk, user=user, relation=GuardianRelation.PARENT)
            for pk, user in zip(ids, families, strict=True)
        ),
        batch_size=2000,
    )
    ClinicShare.objects.bulk_create(
        (ClinicShare(patient_id=pk, clinic=homes[n % clinics]) for n, pk in enumerate(ids)), batch_size=2000
    )
    ReminderPreference.objects.bulk_create(
        (ReminderPreference(user=user, news_by_email=True) for user in [*staff, *families]), batch_size=2000
    )
    all_summaries_refresh(as_of=AS_OF)
    return {"patients": len(ids), "seed_s": round(time.perf_counter() - started, 1)}


def phase_worker() -> None:
    _setup()
    _changed_knowledge()
    from django.core.management import call_command

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def phase_measure(workers: int) -> dict[str, Any]:
    _setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from smanav.accounts.models import Clinic
    from smanav.outbox.models import OutgoingMessage
    from smanav.patients.models import Patient, PatientSummary, RecordNews
    from smanav.patients.services.news_mail import news_emails_send
    from smanav.patients.tasks import refresh_clinic_summaries

    # A kept seeded database may predate the newest migrations (not measured).
    call_command("migrate", verbosity=0)
    # Only this run's news is counted (a kept database may hold an earlier run's).
    began = timezone.now()
    for clinic_id in Clinic.objects.order_by("pk").values_list("pk", flat=True):
        refresh_clinic_summaries.enqueue(clinic_id=clinic_id, as_of=NEXT_DAY.isoformat())
    env = {**os.environ}
    started = time.perf_counter()
    running = [
        subprocess.Popen([sys.executable, __file__, "--phase", "worker"], env=env, cwd=REPO)
        for _ in range(workers)
    ]
    codes = [process.wait() for process in running]
    refresh_s = time.perf_counter() - started
    load_after_refresh = os.getloadavg()[0]
    if any(codes):
        raise SystemExit(f"a worker failed: {codes}")
    # A worker has its URL map loaded long before; loading it (a one-off of seconds) is not the e-mails.
    from django.urls import reverse

    reverse("notices")
    started = time.perf_counter()
    if os.environ.get("NOTICES_PROFILE"):
        import cProfile
        import pstats

        profile = cProfile.Profile()
        emails = profile.runcall(news_emails_send, site_url=settings.SMANAV_SITE_URL)
        pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
    else:
        emails = news_emails_send(site_url=settings.SMANAV_SITE_URL)
    queue_s = time.perf_counter() - started
    return {
        "records": Patient.objects.count(),
        "refreshed": PatientSummary.objects.filter(evaluated_on=NEXT_DAY).count(),
        "news": RecordNews.objects.filter(created_at__gte=began).count(),
        "news_records": RecordNews.objects.filter(created_at__gte=began).values("patient").distinct().count(),
        "told_item": RecordNews.objects.filter(created_at__gte=began, subject=NEW_ITEM_ID)
        .values("patient")
        .distinct()
        .count(),
        "emails": emails,
        "queued": OutgoingMessage.objects.count(),
        "refresh_s": round(refresh_s, 1),
        "queue_s": round(queue_s, 1),
        "load_after_refresh": round(load_after_refresh, 2),
    }


def _child(database_url: str, *arguments: str) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": database_url, "SMANAV_DEBUG": "1"}
    command = [sys.executable, __file__, *arguments]
    output = subprocess.run(command, env=env, capture_output=True, text=True, cwd=REPO)
    if output.returncode != 0:
        raise SystemExit(output.stderr[-4000:])
    if os.environ.get("NOTICES_PROFILE"):
        print(output.stderr[-6000:], file=sys.stderr)
    return dict(json.loads(output.stdout.strip().splitlines()[-1]))


def _postgres(url: str, action: str, name: str, template: str = "") -> None:
    import psycopg

    with psycopg.connect(url.rstrip("/") + "/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name}")
        if action == "create":
            connection.execute(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--patients", type=int, default=15_000)
    parser.add_argument("--clinics", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--database", default=DATABASE, help="the database's name")
    parser.add_argument("--seeded", action="store_true", help="measure on a copy of a seeded --database")
    parser.add_argument("--phase", default="main", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "seed":
        print(json.dumps(phase_seed(args.patients, args.clinics)))
        return
    if args.phase == "worker":
        phase_worker()
        return
    if args.phase == "measure":
        print(json.dumps(phase_measure(args.workers)))
        return
    print(
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, "
        f"load {os.getloadavg()[0]:.2f} at the start"
    )
    measured = f"{args.database}_run" if args.seeded else args.database
    url = args.postgres_url.rstrip("/") + f"/{measured}"
    if args.seeded:
        _postgres(args.postgres_url, "create", measured, template=args.database)
        print(f"measuring on {measured}, a copy of the seeded {args.database}")
    else:
        _postgres(args.postgres_url, "create", measured)
    try:
        if not args.seeded:
            seeded = _child(
                url, "--phase", "seed", "--patients", str(args.patients), "--clinics", str(args.clinics)
            )
            print(
                f"seeded {seeded['patients']:,} records with baselines in {seeded['seed_s']} s (not measured)"
            )
        print(f"load {os.getloadavg()[0]:.2f} before the measured part")
        result = _child(url, "--phase", "measure", "--workers", str(args.workers))
    finally:
        if not args.keep:
            _postgres(args.postgres_url, "drop", measured)
    rate = result["refreshed"] / result["refresh_s"] if result["refresh_s"] else 0
    print(
        "| records | workers | re-evaluated | told of the new item | news | s | records/s | e-mails queued "
        "| s | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {result['records']:,} | {args.workers} | {result['refreshed']:,} | {result['told_item']:,} | "
        f"{result['news']:,} | "
        f"{result['refresh_s']} | {rate:,.0f} | {result['emails']:,} | {result['queue_s']} | "
        f"{result['load_after_refresh']} |"
    )
    print(
        f"{result['news_records']:,} records got news; "
        f"{result['news'] - result['told_item']:,} news rows tell of other changes"
    )
    print(f"load at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
