"""Registry benchmark: storing the synthetic cohort and writing the research export.

    .venv/bin/python benchmarks/registry.py                              # 10,000 patients, both databases
    .venv/bin/python benchmarks/registry.py --patients 1000 --databases sqlite          # a quick look

For each database, in a fresh process: create the database, migrate, store N synthetic patients
(`registry.synth_write`, seed 1, as of 2027-01-10), then write the research export of their consented
patients. Reports rows, wall time, rows/s, the process's CPU time and its peak memory. PostgreSQL:
`--postgres-url postgresql://postgres@127.0.0.1:5432` (trust auth); the script creates and drops its own
database `smanav_bench_registry`. Figures go to docs/performance.md by hand, with the date, the machine
and the load (the machine's load changes wall times a lot; CPU time much less).

The cohort dashboard (issue 13: p95 < 2 s at 150,000 patients on PostgreSQL) in a database of its own
that is kept between runs, so a cohort is stored once and grown:

    .venv/bin/python benchmarks/registry.py --dashboard --patients 15000 \
        --database-url postgresql://postgres@127.0.0.1:5432/smanav_rdash [--summaries] [--repeat 20]

stores synthetic patients (seed 1, then seed 2 for the rest when `--patients` is above what is stored)
up to `--patients`, works out their summaries with `--summaries` (the SMA type table reads them), then
times the page's figures and rendering (`dashboard_views.dashboard_context` and the template) and each
chart `--repeat` times after one warm-up run, and prints p50, p95, max and the queries a page makes.
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
sys.path.insert(0, str(REPO / "src"))
AS_OF = dt.date(2027, 1, 10)


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


def _child(database_url: str, patients: int) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "smanav.settings"}
    command = [sys.executable, __file__, "--phase", "run", "--patients", str(patients)]
    output = subprocess.run(command, env=env, capture_output=True, text=True, cwd=REPO)
    if output.returncode != 0:
        raise SystemExit(output.stderr[-4000:])
    return dict(json.loads(output.stdout.strip().splitlines()[-1]))


def _postgres(url: str, action: str) -> None:
    import psycopg

    with psycopg.connect(url.rstrip("/") + "/postgres", autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS smanav_bench_registry")
        if action == "create":
            connection.execute("CREATE DATABASE smanav_bench_registry")


def dashboard_phase(patients: int, repeat: int, summaries: bool) -> dict[str, Any]:
    """Grow the stored cohort to `patients`, then time the dashboard (this process, DATABASE_URL)."""
    import django

    os.environ.setdefault("SMANAV_DEBUG", "1")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.template.loader import render_to_string
    from django.test.utils import CaptureQueriesContext

    from smanav.patients.models import Assessment, Patient, PatientSummary
    from smanav.patients.services.summaries import patient_summaries_refresh
    from smanav.registry.dashboard_views import dashboard_context, survival_svg, trajectory_svg
    from smanav.registry.synth_write import synth_write

    call_command("migrate", verbosity=0)
    stored = Patient.objects.filter(creation_key__startswith="synth:").count()
    seed = 1
    while Patient.objects.filter(creation_key__startswith=f"synth:{seed}:").exists():
        seed += 1  # a stored seed is refused: the cohort grows with the next one
    if stored < patients:
        synth_write(patients=patients - stored, seed=seed, as_of=AS_OF)
    if summaries:
        missing = list(
            Patient.objects.filter(summary__isnull=True).order_by("pk").values_list("pk", flat=True)
        )
        for start in range(0, len(missing), 5000):
            patient_summaries_refresh(patient_ids=missing[start : start + 5000], as_of=AS_OF)
    limit = 5
    render_to_string("registry/dashboard.html", dashboard_context(on=AS_OF, limit=limit))  # warm-up
    with CaptureQueriesContext(connection) as queries:
        context = dashboard_context(on=AS_OF, limit=limit)
    pages, charts = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        render_to_string("registry/dashboard.html", dashboard_context(on=AS_OF, limit=limit))
        pages.append(time.perf_counter() - started)
        started = time.perf_counter()
        trajectory_svg(instrument="CHOP_INTEND", by="treatment", on=AS_OF, limit=limit)
        charts.append(time.perf_counter() - started)
        started = time.perf_counter()
        survival_svg(on=AS_OF, limit=limit)
        charts.append(time.perf_counter() - started)

    def quantile(values: list[float], share: float) -> float:
        ordered = sorted(values)
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 3)

    return {
        "patients": Patient.objects.count(),
        "participants": context["total"],
        "measurements": Assessment.objects.count(),
        "summaries": PatientSummary.objects.count(),
        "queries": len(queries),
        "page_p50": quantile(pages, 0.5),
        "page_p95": quantile(pages, 0.95),
        "page_max": round(max(pages), 3),
        "chart_p50": quantile(charts, 0.5),
        "chart_p95": quantile(charts, 0.95),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def dashboard_main(args: argparse.Namespace) -> None:
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, load {os.getloadavg()}")
    env = {**os.environ, "DATABASE_URL": args.database_url, "DJANGO_SETTINGS_MODULE": "smanav.settings"}
    command = [sys.executable, __file__, "--phase", "dashboard", "--patients", str(args.patients)]
    command += ["--repeat", str(args.repeat)] + (["--summaries"] if args.summaries else [])
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
    parser.add_argument("--phase", default="main", help=argparse.SUPPRESS)
    parser.add_argument("--dashboard", action="store_true", help="time the cohort dashboard (see above)")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/smanav_rdash")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--summaries", action="store_true")
    args = parser.parse_args()
    if args.phase == "dashboard":
        print(json.dumps(dashboard_phase(args.patients, args.repeat, args.summaries)))
        return
    if args.dashboard:
        dashboard_main(args)
        return
    if args.phase == "run":
        print(json.dumps(run_phase(args.patients)))
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
                result = _child(args.postgres_url.rstrip("/") + "/smanav_bench_registry", args.patients)
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


if __name__ == "__main__":
    main()
