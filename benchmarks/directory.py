# ruff: noqa: E501  (the Markdown table rows are kept one per line)
"""Services finder benchmark: import throughput and peak memory, and search latency, at scale.

    .venv/bin/python benchmarks/directory.py                       # 2,000,000 NPPES rows, 1,000 trials
    .venv/bin/python benchmarks/directory.py --rows 100000 --databases sqlite   # a quick look

It writes an NPPES-format file (all 330 columns) whose providers all map to our disciplines, practising at
real US ZIP codes, and an NDJSON file of ClinicalTrials.gov-shaped study records. Then, for each database,
in fresh processes (so that each peak-memory figure belongs to one phase only):

1. prepare: create the database, migrate, load the US postal codes;
2. import: the NPPES file, then the trials file: rows per second and peak RSS (`ru_maxrss`);
3. re-import: the same NPPES file again (every row unchanged): rows per second;
4. search: `services_search` near random ZIP codes with one discipline filter (radius 50 km, 20 results):
   p50 / p95 / max latency and the number of SQL queries per search.

PostgreSQL: `--postgres-url postgresql://postgres@127.0.0.1:5432` (trust auth); the script creates and
drops its own database (`--postgres-database`, `smanav_bench` unless told). Each phase records the load
average before and after it, since the machine may be shared. Nothing here is a test: it prints the
figures as a Markdown table for docs/performance.md (and keeps them in WORKDIR/directory-results.json).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import random
import resource
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

TARGET_ROWS_PER_S = 20_000
TARGET_PEAK_MB = 500
TARGET_P95_MS = 50


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- file generation ----------------------------------------------------------------------------------


def generate_nppes(path: Path, rows: int, seed: int = 1) -> None:
    import zipcodes

    from smanav.directory.importing.nppes_layout import NPPES_HEADER, npi_with_check_digit
    from smanav.directory.taxonomy import TAXONOMY

    rng = random.Random(seed)
    zips = [
        (z["zip_code"], z["city"], z["state"])
        for z in zipcodes.list_all()  # type: ignore[no-untyped-call]
        if z.get("lat") and z["zip_code_type"] == "STANDARD"
    ]
    codes = list(TAXONOMY)
    index = {name: i for i, name in enumerate(NPPES_HEADER)}
    width = len(NPPES_HEADER)
    at = {
        key: index[name]
        for key, name in {
            "npi": "NPI",
            "entity": "Entity Type Code",
            "org": "Provider Organization Name (Legal Business Name)",
            "last": "Provider Last Name (Legal Name)",
            "first": "Provider First Name",
            "cred": "Provider Credential Text",
            "line1": "Provider First Line Business Practice Location Address",
            "city": "Provider Business Practice Location Address City Name",
            "state": "Provider Business Practice Location Address State Name",
            "zip": "Provider Business Practice Location Address Postal Code",
            "phone": "Provider Business Practice Location Address Telephone Number",
            "updated": "Last Update Date",
            "enumerated": "Provider Enumeration Date",
            "tax1": "Healthcare Provider Taxonomy Code_1",
            "switch1": "Healthcare Provider Primary Taxonomy Switch_1",
            "tax2": "Healthcare Provider Taxonomy Code_2",
            "lic1": "Provider License Number_1",
        }.items()
    }
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(NPPES_HEADER)
        for i in range(rows):
            row = [""] * width
            zip_code, city, state = zips[rng.randrange(len(zips))]
            row[at["npi"]] = npi_with_check_digit(str(100_000_000 + i))
            if rng.random() < 0.85:
                row[at["entity"]] = "1"
                row[at["last"]] = f"LAST{i}"
                row[at["first"]] = "ALEX"
                row[at["cred"]] = "MD"
            else:
                row[at["entity"]] = "2"
                row[at["org"]] = f"CLINIC {i} LLC"
            row[at["line1"]] = f"{rng.randint(1, 9999)} MAIN ST"
            row[at["city"]], row[at["state"]] = city.upper(), state
            row[at["zip"]] = zip_code + f"{rng.randint(0, 9999):04d}"
            row[at["phone"]] = "6175550100"
            row[at["updated"]], row[at["enumerated"]] = "07/08/2024", "01/02/2010"
            row[at["tax1"]], row[at["switch1"]], row[at["lic1"]] = rng.choice(codes), "Y", f"L{i}"
            if rng.random() < 0.3:
                row[at["tax2"]] = rng.choice(codes)
            writer.writerow(row)


def generate_trials(path: Path, count: int, seed: int = 2) -> None:
    rng = random.Random(seed)
    statuses = ["RECRUITING", "NOT_YET_RECRUITING", "COMPLETED", "ACTIVE_NOT_RECRUITING"]
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            sma = rng.random() < 0.3
            study = {
                "protocolSection": {
                    "identificationModule": {"nctId": f"NCT9{i:07d}", "briefTitle": f"Benchmark study {i}"},
                    "statusModule": {
                        "overallStatus": rng.choice(statuses),
                        "lastUpdatePostDateStruct": {"date": "2026-01-01"},
                    },
                    "conditionsModule": {"conditions": ["Spinal Muscular Atrophy" if sma else "Asthma"]},
                    "designModule": {"studyType": "INTERVENTIONAL", "phases": ["PHASE2"]},
                    "eligibilityModule": {
                        "eligibilityCriteria": "Inclusion Criteria:\n* A\n* B\n\nExclusion Criteria:\n* C",
                        "minimumAge": "2 Years",
                        "maximumAge": "N/A",
                        "sex": "ALL",
                    },
                    "contactsLocationsModule": {
                        "locations": [
                            {
                                "facility": f"Site {j}",
                                "city": "Boston",
                                "country": "United States",
                                "status": "RECRUITING",
                                "geoPoint": {"lat": rng.uniform(25, 48), "lon": rng.uniform(-122, -70)},
                            }
                            for j in range(rng.randint(1, 20))
                        ]
                    },
                }
            }
            handle.write(json.dumps(study) + "\n")


# --- phases (each runs in its own process) ------------------------------------------------------------


def _django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smanav.settings")
    # A throwaway process: nothing it signs outlives it (settings refuse to start without a key).
    os.environ.setdefault("SMANAV_SECRET_KEY", secrets.token_urlsafe(50))
    import django

    django.setup()


def phase_prepare(database_url: str) -> dict[str, Any]:
    _django(database_url)
    from django.core.management import call_command

    from smanav.geo.loading import load_postal_codes

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    rows, _ = load_postal_codes(countries={"US"})
    return {"postal_codes": rows, "seconds": round(time.perf_counter() - started, 1)}


def phase_import(database_url: str, nppes: Path, trials: Path) -> dict[str, Any]:
    _django(database_url)
    from smanav.directory.importing.nppes import import_nppes
    from smanav.trials.importing import import_trials

    baseline = _peak_mb()
    started = time.perf_counter()
    report = import_nppes(nppes)
    seconds = time.perf_counter() - started
    rows = report.rows_read
    trial_started = time.perf_counter()
    trial_report = import_trials(trials)
    trial_seconds = time.perf_counter() - trial_started
    return {
        "rows": rows,
        "added": report.added,
        "rejected": report.rejected,
        "seconds": round(seconds, 1),
        "rows_per_s": round(rows / seconds),
        "peak_rss_mb": round(_peak_mb()),
        "baseline_rss_mb": round(baseline),
        "trials": trial_report.added,
        "trials_seconds": round(trial_seconds, 2),
    }


def phase_reimport(database_url: str, nppes: Path) -> dict[str, Any]:
    _django(database_url)
    from smanav.directory.importing.nppes import import_nppes

    started = time.perf_counter()
    report = import_nppes(nppes)
    seconds = time.perf_counter() - started
    return {
        "unchanged": report.unchanged,
        "added": report.added,
        "seconds": round(seconds, 1),
        "rows_per_s": round(report.rows_read / seconds),
        "peak_rss_mb": round(_peak_mb()),
    }


def phase_search(database_url: str, searches: int) -> dict[str, Any]:
    _django(database_url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from smanav.directory.disciplines import Discipline
    from smanav.directory.models import Site
    from smanav.directory.search import check_input, services_search
    from smanav.geo.models import PostalCode

    rng = random.Random(3)
    zips = list(PostalCode.objects.filter(country_code="US").values_list("code", flat=True)[:50_000])
    entries = Site.objects.count()
    timings: list[float] = []
    results: list[int] = []
    queries: set[int] = set()
    for i in range(searches + 20):
        search = check_input(
            near=rng.choice(zips),
            country="US",
            radius_km=50,
            disciplines=[rng.choice(Discipline.values)],
            age_group=None,
            limit=20,
        )
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            answer = services_search(search)
            elapsed = time.perf_counter() - started
        if i >= 20:  # the first searches warm the caches
            timings.append(elapsed * 1000)
            results.append(len(answer["results"]))
            queries.add(len(captured))
    timings.sort()
    return {
        "entries": entries,
        "searches": searches,
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(0.95 * len(timings)) - 1], 1),
        "max_ms": round(timings[-1], 1),
        "mean_results": round(statistics.mean(results), 1),
        "queries_per_search": sorted(queries),
    }


def _child(args: list[str]) -> dict[str, Any]:
    output = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(output.stdout.strip().splitlines()[-1])
    return result


def _postgres_database(base_url: str, name: str, *, create: bool) -> str:
    import psycopg
    from psycopg import sql

    with psycopg.connect(base_url.rstrip("/") + "/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        if create:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return base_url.rstrip("/") + "/" + name


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} CPUs{memory}, Python {platform.python_version()}, {platform.system()}"


def run(options: argparse.Namespace) -> dict[str, Any]:
    work = Path(options.workdir)
    work.mkdir(parents=True, exist_ok=True)
    nppes, trials = work / f"npidata_pfile_{options.rows}.csv", work / f"trials_{options.trials}.ndjson"
    timings: dict[str, Any] = {
        "rows": options.rows,
        "trials": options.trials,
        "machine": machine(),
        "date": dt.date.today().isoformat(),
        "databases": {},
    }
    if not nppes.exists():
        started = time.perf_counter()
        generate_nppes(nppes, options.rows)
        print(
            f"generated {nppes} ({nppes.stat().st_size / 1e9:.2f} GB) in {time.perf_counter() - started:.0f} s"
        )
    if not trials.exists():
        generate_trials(trials, options.trials)
    timings["file_gb"] = round(nppes.stat().st_size / 1e9, 2)
    for name in options.databases.split(","):
        if name == "sqlite":
            db_file = work / "bench.sqlite3"
            db_file.unlink(missing_ok=True)
            url = f"sqlite:///{db_file}"
        else:
            url = _postgres_database(options.postgres_url, options.postgres_database, create=True)
        result: dict[str, Any] = {}
        for phase, extra in (
            ("prepare", []),
            ("import", [str(nppes), str(trials)]),
            ("reimport", [str(nppes)]),
            ("search", [str(options.searches)]),
        ):
            load_before = os.getloadavg()[0]
            result[phase] = _child(["--phase", phase, "--url", url, *extra])
            result[phase]["load_1min"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
            print(name, phase, json.dumps(result[phase]), flush=True)
        timings["databases"][name] = result
        if name != "sqlite" and not options.keep:
            _postgres_database(options.postgres_url, options.postgres_database, create=False)
    return timings


def markdown(timings: dict[str, Any]) -> str:
    lines = [
        "## Services finder",
        "",
        f"Measured {timings['date']} on {timings['machine']} with `benchmarks/directory.py` "
        f"({timings['rows']:,} NPPES rows, {timings['file_gb']} GB with all 330 columns, and {timings['trials']:,} "
        "trials). Each phase runs in its own process; peak memory is the process's maximum resident set size "
        "(Django and the import together). Targets: import at least "
        f"{TARGET_ROWS_PER_S:,} rows/s with peak memory under {TARGET_PEAK_MB} MB; search p95 under {TARGET_P95_MS} ms.",
        "",
        "| Database | Import rows/s | Import time | Peak RSS | Re-import (unchanged) rows/s | 1,000 trials | "
        "Search p50 | Search p95 | Search max | Queries per search | Entries |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, result in timings["databases"].items():
        imp, again, search = result["import"], result["reimport"], result["search"]
        lines.append(
            f"| {name} | {imp['rows_per_s']:,} | {imp['seconds']} s | {imp['peak_rss_mb']} MB | {again['rows_per_s']:,} | "
            f"{imp['trials_seconds']} s | {search['p50_ms']} ms | {search['p95_ms']} ms | {search['max_ms']} ms | "
            f"{', '.join(map(str, search['queries_per_search']))} | {search['entries']:,} |"
        )
    lines += [
        "",
        "Search: `services_search` (postal-code look-up, bounding box on the indexed latitude/longitude/"
        "disciplines columns, database ordering by approximate distance, exact great-circle distances in "
        f"Python) near {timings['databases'][next(iter(timings['databases']))]['search']['searches']} random US "
        "ZIP codes, radius 50 km, one discipline, 20 results.",
        "",
        "Load average (1 minute) before and after each import: "
        + "; ".join(
            f"{name} {result['import']['load_1min'][0]} → {result['import']['load_1min'][1]}"
            for name, result in timings["databases"].items()
        )
        + ".",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--trials", type=int, default=1_000)
    parser.add_argument("--searches", type=int, default=500)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument(
        "--postgres-database", default="smanav_bench", help="Scratch database, dropped and created again."
    )
    parser.add_argument("--workdir", default="/tmp/smanav-bench")
    parser.add_argument("--keep", action="store_true", help="Keep the PostgreSQL database afterwards.")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.phase:
        if options.phase == "prepare":
            result = phase_prepare(options.url)
        elif options.phase == "import":
            result = phase_import(options.url, Path(options.args[0]), Path(options.args[1]))
        elif options.phase == "reimport":
            result = phase_reimport(options.url, Path(options.args[0]))
        else:
            result = phase_search(options.url, int(options.args[0]))
        print(json.dumps(result))
        return
    timings = run(options)
    text = markdown(timings)
    print(text)
    (Path(options.workdir) / "directory-results.json").write_text(json.dumps(timings, indent=2))


if __name__ == "__main__":
    main()
