"""Registry benchmark: storing the synthetic cohort, writing the research export, and the nightly
re-evaluation of every record shared among background workers.

    .venv/bin/python benchmarks/registry.py                              # 10,000 patients, both databases
    .venv/bin/python benchmarks/registry.py --patients 1000 --databases sqlite          # a quick look
    .venv/bin/python benchmarks/registry.py --patients 15000 --databases postgres --nightly 1,2
    .venv/bin/python benchmarks/registry.py --fhir --patients 15000 --databases postgres  # FHIR bulk export

`--fhir`: store the cohort in one process, then in a fresh process write the FHIR bulk export of the
registry participants (`registry.fhir_export`) and, on PostgreSQL, a raw `COPY (SELECT ...) TO STDOUT` of
the same rows (the participants, their measurements, treatment courses, doses, consents in force and
guardians); reports the rows, seconds, rows/s of each and their ratio, the resources written, and the
export process's peak memory (resident set, before and after the export), and on Linux the export's own
peak: the peak is counted again from the export's start (`/proc/self/clear_refs`), since counting the
rows and the `COPY` before it have a peak of their own that grows with the cohort.
With `--keep` the PostgreSQL database `SMANAV_BENCH_DATABASE` is kept: a cohort stored there before is
used as it is (not stored again, whatever `--patients` says), and the database is not dropped at the end,
so a large cohort is stored once and measured many times. With `--import` the export just written is then
imported (`registry.fhir_import.fhir_import_folder`) into a fresh database of its own
(`<database>_import` on PostgreSQL, made and dropped here), in a process of its own: patients and
resources read, seconds, patients/s, CPU time and peak memory.

    # stores 150,000 once in the database smanav_big, then measures (and again on the next run):
    SMANAV_BENCH_DATABASE=smanav_big .venv/bin/python benchmarks/registry.py --fhir --keep --patients 150000

For each database, in a fresh process: create the database, migrate, store N synthetic patients
(`registry.synth_write`, seed 1, as of 2027-01-10), then write the research export of their consented
patients. Reports rows, wall time, rows/s, the process's CPU time and its peak memory. PostgreSQL:
`--postgres-url postgresql://postgres@127.0.0.1:5432` (trust auth); the script creates and drops its own
database `smanav_bench_registry`. Figures go to docs/performance.md by hand, with the date, the machine
and the load (the machine's load changes wall times a lot; CPU time much less).

With `--nightly 1,2` the export is skipped; instead, on the stored cohort:

* the engine alone: every record is built from its rows first, then only `evaluate_record` is timed
  (the core's work the refresh cannot avoid);
* one process: `all_summaries_refresh`, the nightly refresh without the queue;
* for each number of workers: the nightly job (`refresh_all_summaries`) queued, that many real
  `manage.py db_worker` processes started (debug off, as in production), and the time until every range
  of the batch is done: wall time from starting the workers (their start-up included) and from the
  first range taken to the last range done (the database's own timestamps). Patients/s, and the ratio
  to the engine alone.

`--nightly` with `--keep` works in the database of `--database-url` instead, kept between runs (stored
once, grown to `--patients` as for the dashboard below, never dropped), so a 150,000-patient cohort is
seeded once and each timing can have a quiet window of its own; `--no-one-process` skips the refresh
in one process and `--no-engine` the engine alone (the ratios are then to 1 record/s: divide by the
engine's records/s of another run). The engine alone is timed a range of 2,000 records at a time
(each range built first, not timed), so that its memory does not grow with the cohort.

The cohort dashboard (issue 13: p95 < 2 s at 150,000 patients on PostgreSQL) in a database of its own
that is kept between runs, so a cohort is stored once and grown:

    .venv/bin/python benchmarks/registry.py --dashboard --patients 15000 \
        --database-url postgresql://postgres@127.0.0.1:5432/smanav_rdash [--summaries] [--repeat 20]

stores synthetic patients (seed 1, then seed 2 for the rest when `--patients` is above what is stored)
up to `--patients`, works out their summaries and the dashboard's facts with `--summaries` (the nightly
refresh's work for the records without a summary: `patient_summaries_refresh` and the range work,
`registry.cohort_facts`, ADR 0029), then times the page's figures and rendering
(`dashboard_views.dashboard_context` and the template) and each chart `--repeat` times after one warm-up
run, on the day after the cohort's (the morning after the refresh), and prints p50, p95, max and the
queries a page makes. With `--live` the page is worked out from the records in the request instead (the
way before ADR 0029), for comparison.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# The benchmark's own PostgreSQL database, made and dropped by it (another name lets two runs share a server).
DATABASE = os.environ.get("SMANAV_BENCH_DATABASE", "smanav_bench_registry")
sys.path.insert(0, str(REPO / "src"))
AS_OF = dt.date(2027, 1, 10)
# The nightly refresh's day: the cohort's summaries are worked out again for the next day.
NIGHT = AS_OF + dt.timedelta(days=1)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_phase(patients: int) -> dict[str, Any]:
    import django

    os.environ.setdefault("SMANAV_DEBUG", "1")
    django.setup()
    from django.core.management import call_command

    from smanav.registry.exports import research_export_write
    from smanav.registry.synth_write import synth_write

    call_command("migrate", verbosity=0)
    cpu = _cpu_seconds()
    report = synth_write(patients=patients, seed=1, as_of=AS_OF)
    synth_cpu = _cpu_seconds() - cpu
    with tempfile.TemporaryDirectory() as folder:
        cpu, started = _cpu_seconds(), time.perf_counter()
        exported = research_export_write(project="bench", out=Path(folder) / "export", on=AS_OF)
        export_s, export_cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    export_rows = exported.patients + exported.treatments + exported.assessments
    return {
        "patients": patients,
        "synth_rows": report.rows,
        "synth_s": round(report.seconds, 1),
        "synth_rows_per_s": round(report.rows_per_second),
        "synth_cpu_s": round(synth_cpu, 1),
        "export_rows": export_rows,
        "export_s": round(export_s, 1),
        "export_rows_per_s": round(export_rows / export_s),
        "export_cpu_s": round(export_cpu, 1),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "digest": report.digest,
    }


def _grow(patients: int) -> tuple[int, float]:
    """Store synthetic patients up to `patients` (seed 1, then the next seed not stored); answers the
    rows stored and the seconds it took (0 when the cohort was there)."""
    from smanav.patients.models import Patient
    from smanav.registry.synth_write import synth_write

    stored = Patient.objects.filter(creation_key__startswith="synth:").count()
    seed = 1
    while Patient.objects.filter(creation_key__startswith=f"synth:{seed}:").exists():
        seed += 1  # a stored seed is refused: the cohort grows with the next one
    if stored >= patients:
        return 0, 0.0
    report = synth_write(patients=patients - stored, seed=seed, as_of=AS_OF)
    return report.rows, report.seconds


def run_nightly_phase(
    patients: int, workers: list[int], range_size: int, one_process: bool = True, engine: bool = True
) -> dict[str, Any]:
    import django

    os.environ.setdefault("SMANAV_DEBUG", "1")
    django.setup()
    from django.core.management import call_command

    from smanav.patients.models import Patient

    call_command("migrate", verbosity=0)
    rows, seconds = _grow(patients)
    result: dict[str, Any] = {
        "patients": Patient.objects.count(),
        "synth_rows": rows,
        "synth_s": round(seconds, 1),
        "load_before": round(os.getloadavg()[0], 1),
    }
    result["engine"] = _engine_alone(patients) if engine else None
    result["one_process"] = _one_process() if one_process else None
    result["workers"] = [_with_workers(count, range_size) for count in workers]
    result["load_after"] = round(os.getloadavg()[0], 1)
    return result


def _engine_alone(patients: int) -> dict[str, Any]:
    """Every record built from its rows (not timed), then the core's evaluation of each (timed)."""
    from smanav.patients.models import Patient
    from smanav.patients.seam import evaluate_record, record_for_patient

    count, seconds, cpu_s = 0, 0.0, 0.0
    ids = list(Patient.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 2000):
        chunk = Patient.objects.filter(pk__in=ids[start : start + 2000]).prefetch_related(
            "assessments", "treatments__doses", "lab_tests"
        )
        records = [
            record_for_patient(
                patient,
                assessments=patient.assessments.all(),
                treatments=patient.treatments.all(),
                lab_tests=patient.lab_tests.all(),
            )
            for patient in chunk
        ]
        cpu, started = _cpu_seconds(), time.perf_counter()
        for record in records:
            evaluate_record(record, as_of=NIGHT)
        seconds, cpu_s = seconds + time.perf_counter() - started, cpu_s + _cpu_seconds() - cpu
        count += len(records)
    return {
        "records": count,
        "s": round(seconds, 1),
        "cpu_s": round(cpu_s, 1),
        "per_s": count / seconds,
    }


def _one_process() -> dict[str, Any]:
    from smanav.patients.services.summaries import all_summaries_refresh

    cpu, started = _cpu_seconds(), time.perf_counter()
    written = all_summaries_refresh(as_of=NIGHT)
    seconds, cpu_s = time.perf_counter() - started, _cpu_seconds() - cpu
    return {"records": written, "s": round(seconds, 1), "cpu_s": round(cpu_s, 1), "per_s": written / seconds}


def _with_workers(count: int, range_size: int) -> dict[str, Any]:
    """The nightly job, queued, run by `count` real worker processes until every range is done."""
    import secrets
    import signal

    from django.db.models import Max, Min
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from smanav.jobs.batches import batch_jobs, batch_progress
    from smanav.patients.tasks import refresh_all_summaries, refresh_summary_range

    env = {key: value for key, value in os.environ.items() if key != "SMANAV_DEBUG"}
    # Debug off, as in production (debug keeps every query in memory); a throwaway key.
    env["SMANAV_SECRET_KEY"] = secrets.token_urlsafe(50)
    env["PYTHONPATH"] = str(REPO / "src")
    env["SMANAV_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    planning = refresh_all_summaries.enqueue(as_of=NIGHT.isoformat(), range_size=range_size)
    batch = str(planning.id)
    started = time.perf_counter()
    processes = [
        subprocess.Popen(
            [sys.executable, str(REPO / "manage.py"), "db_worker", "--no-reload", "--interval", "0.2"],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]
    try:
        while True:
            time.sleep(0.2)
            if DBTaskResult.objects.get(pk=planning.id).status != TaskResultStatus.SUCCESSFUL:
                continue
            progress = batch_progress(batch=batch, task_path=refresh_summary_range.module_path)
            if not progress.unfinished:
                break
        wall = time.perf_counter() - started
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=120)
    jobs = batch_jobs(batch=batch, task_path=refresh_summary_range.module_path)
    span = jobs.aggregate(first=Min("started_at"), last=Max("finished_at"))
    busy = (span["last"] - span["first"]).total_seconds()
    records = sum(int(job.return_value or 0) for job in jobs)
    return {
        "workers": count,
        "ranges": progress.total,
        "failed": progress.failed,
        "records": records,
        "wall_s": round(wall, 1),
        "busy_s": round(busy, 1),
        "per_s": records / busy,
        "per_s_wall": records / wall,
    }


def synth_phase(patients: int) -> dict[str, Any]:
    import django

    os.environ.setdefault("SMANAV_DEBUG", "1")
    django.setup()
    from django.core.management import call_command

    from smanav.registry.synth_write import synth_write

    call_command("migrate", verbosity=0)
    report = synth_write(patients=patients, seed=1, as_of=AS_OF)
    return {"patients": patients, "synth_rows": report.rows, "synth_s": round(report.seconds, 1)}


def _memory_mb(field: str) -> float | None:
    """`VmRSS` (resident now) or `VmHWM` (peak resident) of this process in MB, from Linux's /proc."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _peak_reset() -> bool:
    """Start counting the process's peak resident memory again from now (Linux 4.0 and later)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _source_rows(ids: list[int]) -> int:
    from smanav.patients.models import Assessment, Dose, Guardian, Treatment
    from smanav.registry.models import Consent

    return (
        len(ids)
        + Assessment.objects.filter(patient_id__in=ids).count()
        + Treatment.objects.filter(patient_id__in=ids).count()
        + Dose.objects.filter(treatment__patient_id__in=ids).count()
        + Consent.objects.filter(patient_id__in=ids, withdrawn_at__isnull=True, given_on__lte=AS_OF).count()
        + Guardian.objects.filter(patient_id__in=ids).count()
    )


def _copy_seconds(ids: list[int]) -> float:
    """A raw COPY of the same rows to nowhere (PostgreSQL): the floor of reading them out."""
    from django.db import connection

    tables = {
        "patients_patient p": "p.id",
        "patients_assessment p": "p.patient_id",
        "patients_treatment p": "p.patient_id",
        "patients_dose p JOIN patients_treatment t ON t.id = p.treatment_id": "t.patient_id",
        "registry_consent p": "p.patient_id",
        "patients_guardian p": "p.patient_id",
    }
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_ids (id bigint PRIMARY KEY)")
        with cursor.cursor.copy("COPY bench_ids (id) FROM STDIN") as copy:
            for one in ids:
                copy.write_row((one,))
        # Without statistics the planner may scan the ids once per row: analyse them, and join.
        cursor.execute("ANALYZE bench_ids")
        started = time.perf_counter()
        for table, owner in tables.items():
            extra = " WHERE p.withdrawn_at IS NULL" if table.startswith("registry_consent") else ""
            sql = f"COPY (SELECT p.* FROM {table} JOIN bench_ids b ON b.id = {owner}{extra}) TO STDOUT"
            with cursor.cursor.copy(sql) as copy:
                for _block in copy:
                    pass
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_ids")
    return seconds


def fhir_phase(out: str) -> dict[str, Any]:
    """The export in this process; into `out` (kept for the import) or a temporary folder."""
    import django

    os.environ.setdefault("SMANAV_DEBUG", "1")
    django.setup()
    from django.db import connection

    from smanav.registry.fhir_export import PURPOSE, fhir_export_write
    from smanav.registry.selectors import consented_patients

    cohort = consented_patients(purpose=PURPOSE, on=AS_OF)
    ids = list(cohort.values_list("pk", flat=True))
    rows = _source_rows(ids)
    copy_s = _copy_seconds(ids) if connection.vendor == "postgresql" else None
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The export's own peak: the counting and the COPY above read many rows; their peak is not the export's.
    reset = _peak_reset()
    resident_mb = _memory_mb("VmRSS")
    with tempfile.TemporaryDirectory() as folder:
        target = Path(out) if out else Path(folder) / "fhir"
        cpu, started = _cpu_seconds(), time.perf_counter()
        report = fhir_export_write(out=target, on=AS_OF)
        export_s, export_cpu = time.perf_counter() - started, _cpu_seconds() - cpu
        size_mb = sum(p.stat().st_size for p in target.iterdir()) / 1e6
    result = {
        "patients": report.patients,
        "rows": rows,
        "resources": report.resources,
        "export_s": round(export_s, 1),
        "export_rows_per_s": round(rows / export_s),
        "resources_per_s": round(report.resources / export_s),
        "export_cpu_s": round(export_cpu, 1),
        "size_mb": round(size_mb),
        "rss_before_mb": round(before_mb),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    export_peak = _memory_mb("VmHWM") if reset else None
    if resident_mb is not None and export_peak is not None:
        result |= {"resident_before_mb": round(resident_mb), "export_peak_mb": round(export_peak)}
    if copy_s is not None:
        result |= {"copy_s": round(copy_s, 2), "copy_rows_per_s": round(rows / copy_s)}
    return result


def fhir_import_phase(folder: str) -> dict[str, Any]:
    """Import the export folder `folder` into this process's (fresh) database, timed."""
    import django

    os.environ.setdefault("SMANAV_DEBUG", "1")
    django.setup()
    from django.core.management import call_command

    from smanav.registry.fhir_import import fhir_import_folder

    call_command("migrate", verbosity=0)
    lines = sum(sum(1 for _line in path.open(encoding="utf-8")) for path in Path(folder).glob("*.ndjson"))
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cpu, started = _cpu_seconds(), time.perf_counter()
    report = fhir_import_folder(folder=Path(folder), as_of=AS_OF)
    seconds, cpu_s = time.perf_counter() - started, _cpu_seconds() - cpu
    return {
        "imported": report.imported,
        "refused": len(report.rejected_patients),
        "resources_refused": len(report.rejected_resources),
        "resources": lines,
        "import_s": round(seconds, 1),
        "patients_per_s": round(report.imported / seconds, 1),
        "resources_per_s": round(lines / seconds),
        "import_cpu_s": round(cpu_s, 1),
        "rss_before_mb": round(before_mb),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def _fhir_child(database_url: str, patients: int, phase: str, out: str = "") -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "smanav.settings"}
    command = [sys.executable, __file__, "--phase", phase, "--patients", str(patients), "--out", out]
    output = subprocess.run(command, env=env, capture_output=True, text=True, cwd=REPO)
    if output.returncode != 0:
        raise SystemExit(output.stderr[-4000:])
    return dict(json.loads(output.stdout.strip().splitlines()[-1]))


def _child(database_url: str, patients: int, extra: list[str] | None = None) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "smanav.settings"}
    command = [sys.executable, __file__, "--phase", "run", "--patients", str(patients), *(extra or [])]
    output = subprocess.run(command, env=env, capture_output=True, text=True, cwd=REPO)
    if output.returncode != 0:
        raise SystemExit(output.stderr[-4000:])
    return dict(json.loads(output.stdout.strip().splitlines()[-1]))


def _postgres(url: str, action: str, name: str = DATABASE) -> None:
    import psycopg

    with psycopg.connect(url.rstrip("/") + "/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name}")
        if action == "create":
            connection.execute(f"CREATE DATABASE {name}")


def _stored_patients(url: str) -> int:
    """How many patients the kept database holds (0 if it does not exist or is not migrated)."""
    import psycopg

    try:
        with psycopg.connect(url.rstrip("/") + "/" + DATABASE) as connection:
            row = connection.execute("SELECT count(*) FROM patients_patient").fetchone()
    except (psycopg.OperationalError, psycopg.errors.UndefinedTable):
        return 0
    return int(row[0]) if row else 0


def dashboard_phase(patients: int, repeat: int, summaries: bool, live: bool = False) -> dict[str, Any]:
    """Grow the stored cohort to `patients`, then time the dashboard (this process, DATABASE_URL)."""
    import django

    os.environ.setdefault("SMANAV_DEBUG", "1")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.template.loader import render_to_string
    from django.test.utils import CaptureQueriesContext

    from smanav.patients.models import Assessment, Patient, PatientSummary
    from smanav.patients.range_work import range_work_run
    from smanav.patients.services.summaries import patient_summaries_refresh
    from smanav.registry.dashboard_views import dashboard_context, survival_svg, trajectory_svg
    from smanav.registry.models import CohortFact, TrajectoryPoint

    call_command("migrate", verbosity=0)
    _grow(patients)
    if summaries:
        missing = list(
            Patient.objects.filter(summary__isnull=True).order_by("pk").values_list("pk", flat=True)
        )
        for start in range(0, len(missing), 2000):
            chunk = missing[start : start + 2000]
            patient_summaries_refresh(patient_ids=chunk, as_of=NIGHT)
            range_work_run(first_id=chunk[0], last_id=chunk[-1], as_of=NIGHT)
    limit, day = 5, NIGHT

    def page() -> str:
        return render_to_string("registry/dashboard.html", dashboard_context(on=day, limit=limit, live=live))

    page()  # warm-up
    with CaptureQueriesContext(connection) as queries:
        context = dashboard_context(on=day, limit=limit, live=live)
    pages, charts = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        page()
        pages.append(time.perf_counter() - started)
        if live:
            continue  # the charts read the facts only
        started = time.perf_counter()
        trajectory_svg(instrument="CHOP_INTEND", by="treatment", on=day, limit=limit)
        charts.append(time.perf_counter() - started)
        started = time.perf_counter()
        survival_svg(on=day, limit=limit)
        charts.append(time.perf_counter() - started)

    def quantile(values: list[float], share: float) -> float:
        ordered = sorted(values)
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 3)

    return {
        "patients": Patient.objects.count(),
        "participants": context["total"],
        "measurements": Assessment.objects.count(),
        "summaries": PatientSummary.objects.count(),
        "facts": CohortFact.objects.count(),
        "trajectory_points": TrajectoryPoint.objects.count(),
        "live": live,
        "queries": len(queries),
        "page_p50": quantile(pages, 0.5),
        "page_p95": quantile(pages, 0.95),
        "page_max": round(max(pages), 3),
        "chart_p50": quantile(charts, 0.5) if charts else None,
        "chart_p95": quantile(charts, 0.95) if charts else None,
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def dashboard_main(args: argparse.Namespace) -> None:
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, load {os.getloadavg()}")
    env = {**os.environ, "DATABASE_URL": args.database_url, "DJANGO_SETTINGS_MODULE": "smanav.settings"}
    command = [sys.executable, __file__, "--phase", "dashboard", "--patients", str(args.patients)]
    command += ["--repeat", str(args.repeat)] + (["--summaries"] if args.summaries else [])
    command += ["--live"] if args.live else []
    output = subprocess.run(command, env=env, capture_output=True, text=True, cwd=REPO)
    if output.returncode != 0:
        raise SystemExit(output.stderr[-4000:])
    print(output.stdout.strip().splitlines()[-1])
    print(f"load at the end {os.getloadavg()}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument(
        "--nightly", default="", help="numbers of workers, e.g. 1,2: time the nightly refresh instead"
    )
    parser.add_argument("--range-size", type=int, default=2000, help="records per job of the refresh")
    parser.add_argument("--fhir", action="store_true", help="measure the FHIR bulk export instead")
    parser.add_argument("--phase", default="main", help=argparse.SUPPRESS)
    parser.add_argument("--dashboard", action="store_true", help="time the cohort dashboard (see above)")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/smanav_rdash")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--summaries", action="store_true")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="--fhir: keep SMANAV_BENCH_DATABASE; --nightly: the kept --database-url",
    )
    parser.add_argument("--import", dest="import_too", action="store_true", help="--fhir: import it too")
    parser.add_argument("--out", default="", help=argparse.SUPPRESS)
    parser.add_argument("--live", action="store_true", help="the dashboard worked out from the records")
    parser.add_argument("--no-one-process", action="store_true", help="--nightly: skip the one process")
    parser.add_argument("--no-engine", action="store_true", help="--nightly: skip the engine alone")
    args = parser.parse_args()
    if args.phase == "dashboard":
        print(json.dumps(dashboard_phase(args.patients, args.repeat, args.summaries, args.live)))
        return
    if args.dashboard:
        dashboard_main(args)
        return
    if args.phase in ("synth", "fhir", "fhir-import"):
        if args.phase == "synth":
            print(json.dumps(synth_phase(args.patients)))
        elif args.phase == "fhir":
            print(json.dumps(fhir_phase(args.out)))
        else:
            print(json.dumps(fhir_import_phase(args.out)))
        return
    if args.fhir:
        fhir_main(args)
        return
    workers = [int(number) for number in args.nightly.split(",") if number]
    if args.phase == "run":
        if workers:
            result = run_nightly_phase(
                args.patients, workers, args.range_size, not args.no_one_process, not args.no_engine
            )
            print(json.dumps(result))
        else:
            print(json.dumps(run_phase(args.patients)))
        return
    if workers:
        _nightly_main(args, workers)
        return
    print(f"{dt.date.today().isoformat()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    print(
        "| database | patients | synth rows | s | rows/s | CPU s | export rows | s | rows/s | CPU s | peak MB"
        " |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for database in args.databases.split(","):
        if database == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                result = _child(f"sqlite:///{folder}/bench.sqlite3", args.patients)
        else:
            _postgres(args.postgres_url, "create")
            try:
                result = _child(args.postgres_url.rstrip("/") + "/" + DATABASE, args.patients)
            finally:
                _postgres(args.postgres_url, "drop")
        cells = [
            "SQLite" if database == "sqlite" else "PostgreSQL",
            f"{result['patients']:,}",
            f"{result['synth_rows']:,}",
            result["synth_s"],
            f"{result['synth_rows_per_s']:,}",
            result["synth_cpu_s"],
            f"{result['export_rows']:,}",
            result["export_s"],
            f"{result['export_rows_per_s']:,}",
            result["export_cpu_s"],
            result["peak_mb"],
        ]
        print("| " + " | ".join(str(cell) for cell in cells) + " |", flush=True)
    print(f"load at the end {os.getloadavg()[0]:.1f}")


def _nightly_main(args: argparse.Namespace, workers: list[int]) -> None:
    extra = ["--nightly", args.nightly, "--range-size", str(args.range_size)]
    extra += ["--no-one-process"] if args.no_one_process else []
    extra += ["--no-engine"] if args.no_engine else []
    print(
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    )
    for database in ["kept"] if args.keep else args.databases.split(","):
        if database == "kept":
            result = _child(args.database_url, args.patients, extra)
        elif database == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                result = _child(f"sqlite:///{folder}/bench.sqlite3", args.patients, extra)
        else:
            _postgres(args.postgres_url, "create")
            try:
                url = args.postgres_url.rstrip("/") + "/" + DATABASE
                result = _child(url, args.patients, extra)
            finally:
                _postgres(args.postgres_url, "drop")
        # Without the engine alone (`--no-engine`), ratios are to 1 record/s: divide by another run's.
        engine = result["engine"]["per_s"] if result["engine"] else 1.0
        print(
            f"{'SQLite' if database == 'sqlite' else 'PostgreSQL'}: {result['patients']:,} patients "
            f"({result['synth_rows']:,} rows stored in {result['synth_s']} s), load "
            f"{result['load_before']} before the timings, {result['load_after']} after"
        )
        print("| run | records | s | records/s | ratio to the engine alone |")
        print("|---|---|---|---|---|")
        alone = result["engine"]
        if alone is not None:
            print(
                f"| engine alone (`evaluate_record`) | {alone['records']:,} | {alone['s']} | "
                f"{engine:,.0f} | 1.00 |"
            )
        one = result["one_process"]
        if one is not None:
            print(
                f"| one process, no queue (`all_summaries_refresh`) | {one['records']:,} | {one['s']} | "
                f"{one['per_s']:,.0f} | {one['per_s'] / engine:.2f} |"
            )
        for run in result["workers"]:
            print(
                f"| {run['workers']} worker(s), {run['ranges']} ranges, first taken to last done | "
                f"{run['records']:,} | {run['busy_s']} | {run['per_s']:,.0f} | {run['per_s'] / engine:.2f} |"
            )
            print(
                f"| {run['workers']} worker(s), from starting the workers | {run['records']:,} | "
                f"{run['wall_s']} | {run['per_s_wall']:,.0f} | {run['per_s_wall'] / engine:.2f} |"
            )
        print(f"load at the end {os.getloadavg()[0]:.1f}", flush=True)


def fhir_main(args: argparse.Namespace) -> None:
    print(
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    )
    print(
        "| database | patients | rows | resources | export s | rows/s | resources/s | CPU s | MB written "
        "| COPY s | COPY rows/s | export / COPY | RSS before MB | peak MB | RSS at the export's start MB "
        "| export's own peak MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    imports: list[dict[str, Any]] = []
    for database in args.databases.split(","):
        with tempfile.TemporaryDirectory() as folder:
            out = str(Path(folder) / "fhir") if args.import_too else ""
            keep = args.keep and database != "sqlite"
            if database == "sqlite":
                url = f"sqlite:///{folder}/bench.sqlite3"
            else:
                if not keep or not _stored_patients(args.postgres_url):
                    _postgres(args.postgres_url, "create")
                url = args.postgres_url.rstrip("/") + "/" + DATABASE
            try:
                if not keep or not _stored_patients(args.postgres_url):
                    _fhir_child(url, args.patients, "synth")
                result = _fhir_child(url, args.patients, "fhir", out)
            finally:
                if database != "sqlite" and not keep:
                    _postgres(args.postgres_url, "drop")
            if args.import_too:
                imports.append(_fhir_import(args, database, folder, out))
        copy = result.get("copy_s")
        cells = [
            "SQLite" if database == "sqlite" else "PostgreSQL",
            f"{result['patients']:,}",
            f"{result['rows']:,}",
            f"{result['resources']:,}",
            result["export_s"],
            f"{result['export_rows_per_s']:,}",
            f"{result['resources_per_s']:,}",
            result["export_cpu_s"],
            result["size_mb"],
            "-" if copy is None else copy,
            "-" if copy is None else f"{result['copy_rows_per_s']:,}",
            "-" if copy is None else f"{result['export_rows_per_s'] / result['copy_rows_per_s']:.3f}",
            result["rss_before_mb"],
            result["peak_mb"],
            result.get("resident_before_mb", "-"),
            result.get("export_peak_mb", "-"),
        ]
        print("| " + " | ".join(str(cell) for cell in cells) + " |", flush=True)
    if imports:
        print(f"load after the exports {os.getloadavg()[0]:.1f}")
        print(
            "| database | patients imported | refused | resources read | import s | patients/s | resources/s "
            "| CPU s | RSS before MB | peak MB |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|")
        for done in imports:
            cells = [
                done["database"],
                f"{done['imported']:,}",
                done["refused"],
                f"{done['resources']:,}",
                done["import_s"],
                done["patients_per_s"],
                f"{done['resources_per_s']:,}",
                done["import_cpu_s"],
                done["rss_before_mb"],
                done["peak_mb"],
            ]
            print("| " + " | ".join(str(cell) for cell in cells) + " |", flush=True)
    print(f"load at the end {os.getloadavg()[0]:.1f}")


def _fhir_import(args: argparse.Namespace, database: str, folder: str, out: str) -> dict[str, Any]:
    """Import the export `out` into a fresh database of its own, in a process of its own."""
    name = f"{DATABASE}_import"
    if database == "sqlite":
        url = f"sqlite:///{folder}/imported.sqlite3"
    else:
        _postgres(args.postgres_url, "create", name)
        url = args.postgres_url.rstrip("/") + "/" + name
    try:
        done = _fhir_child(url, args.patients, "fhir-import", out)
    finally:
        if database != "sqlite":
            _postgres(args.postgres_url, "drop", name)
    return {"database": "SQLite" if database == "sqlite" else "PostgreSQL", **done}


if __name__ == "__main__":
    main()
