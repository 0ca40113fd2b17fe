"""Load and faults against the real deployment (scripts/deploy-local: nginx, two gunicorn app servers,
two workers, PostgreSQL), with mixed anonymous, family and clinician traffic over HTTP.

    .venv/bin/python benchmarks/load.py                               # 10,000 patients, 10 minutes
    .venv/bin/python benchmarks/load.py --patients 1000 --seconds 60  # a quick look
    .venv/bin/python benchmarks/load.py --faults                      # and kill things mid-run

It creates its own database `smanav_deploy_load` (dropped first) on `--postgres-url`, starts the
deployment on port 8110 (run directory var/deploy-load), seeds the synthetic national cohort
(`manage.py synth --patients N --seed 14`, every person shared with one clinic, summaries worked out;
`--cohort web` for the simpler cohort of benchmarks/web.py) and `--families` family
accounts with a record each, then runs `--users` virtual users for `--seconds`:

* anonymous (40%), each request from one of 250 loopback addresses (many people, as the per-address
  throttle would see them): the start page, the sources, the library, the triage page,
  `POST /api/v1/evaluate`;
* families (40%): sign in, their records list, their record, now and then a measurement (a form post
  with its CSRF token);
* clinicians (20%): one signed-in session with its second factor, the worklist and random records.

With `--faults`: at a third of the run one app server is killed (SIGKILL: no goodbye), at half the run
a background worker is killed while it runs a refresh of every summary (queued just before), and with
`--restart-postgres` also PostgreSQL is restarted at two thirds (`pg_ctlcluster`; never on a machine
whose PostgreSQL others use). Reports per page: requests, p50 and p95, errors (5xx or no answer), and
requests per second, and what became of the killed worker's job. Not a test: nothing here fails a build.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import hashlib
import hmac
import http.client
import json
import os
import platform
import random
import re
import secrets
import signal
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))

DATABASE = "smanav_deploy_load"
PORT = 8110
BASE = f"http://127.0.0.1:{PORT}"
RUN_DIR = REPO / "var" / "deploy-load"
PASSWORD = "load passphrase 2026"
EXAMPLE = json.loads((REPO / "examples" / "type2-child.json").read_text())


def totp(key: bytes, at: float) -> str:
    """RFC 6238's code (SHA-1, 30 s, 6 digits), as the authenticator app shows it."""
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.throttled = 0

    def add(self, page: str, ms: float, error: str | None) -> None:
        with self.lock:
            self.timings[page].append(ms)
            if error:
                self.errors[page].append(error)


class _FromManyAddresses(urllib.request.HTTPHandler):
    """Anonymous visitors are many people: each request leaves from one of 250 loopback addresses
    (Linux answers on all of 127.0.0.0/8), so the per-address throttle of the anonymous API sees what it
    would see in real life rather than one address making every anonymous request."""

    def __init__(self, rng: random.Random) -> None:
        super().__init__()
        self.rng = rng

    def http_open(self, req: urllib.request.Request) -> Any:
        source = (f"127.0.1.{self.rng.randint(1, 250)}", 0)
        return self.do_open(functools.partial(http.client.HTTPConnection, source_address=source), req)


class Visitor:
    def __init__(self, stats: Stats, many_addresses: random.Random | None = None) -> None:
        self.stats = stats
        handlers: list[Any] = [urllib.request.HTTPCookieProcessor(CookieJar())]
        if many_addresses is not None:
            handlers.append(_FromManyAddresses(many_addresses))
        self.browser = urllib.request.build_opener(*handlers)

    def request(self, page: str, path: str, data: bytes | None = None, json_body: bool = False) -> str:
        request = urllib.request.Request(BASE + path, data=data)
        if json_body:
            request.add_header("Content-Type", "application/json")
        started = time.perf_counter()
        error = None
        body = ""
        try:
            with self.browser.open(request, timeout=60) as answer:
                body = answer.read().decode(errors="replace")
        except urllib.error.HTTPError as answer:
            body = answer.read().decode(errors="replace")
            if answer.code == 429:
                with self.stats.lock:
                    self.stats.throttled += 1
            else:  # every other status is unexpected here: a 5xx, or a page that should have answered
                error = f"{answer.code} {path}"
        except OSError as failure:
            error = f"no answer {path}: {failure}"
        self.stats.add(page, (time.perf_counter() - started) * 1000, error)
        return body

    def form_token(self, body: str) -> str:
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        return found.group(1) if found else ""

    def log_in(self, username: str) -> str:
        token = self.form_token(self.request("log in", "/accounts/login/"))
        form = {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD, "next": ""}
        return self.request("log in", "/accounts/login/", urllib.parse.urlencode(form).encode())


def anonymous(visitor: Visitor, rng: random.Random) -> None:
    choice = rng.random()
    if choice < 0.3:
        visitor.request("start page", "/")
    elif choice < 0.45:
        visitor.request("sources", "/sources/")
    elif choice < 0.6:
        visitor.request("library", "/library/")
    elif choice < 0.7:
        visitor.request("triage page", "/triage/")
    else:
        visitor.request(
            "API evaluate", "/api/v1/evaluate?as_of=2026-11-21", json.dumps(EXAMPLE).encode(), json_body=True
        )


def family(visitor: Visitor, rng: random.Random, patient_id: int) -> None:
    choice = rng.random()
    if choice < 0.3:
        visitor.request("family: records", "/records/")
    elif choice < 0.85:
        visitor.request("family: record", f"/records/{patient_id}/")
    else:
        body = visitor.request("family: measurement form", f"/records/{patient_id}/assessments/new/")
        form = {
            "csrfmiddlewaretoken": visitor.form_token(body),
            "form_key": secrets.token_hex(8),
            "instrument": "WEIGHT_KG",
            "date": "2026-11-01",
            "value": str(rng.randint(15, 40)),
        }
        visitor.request(
            "family: measurement saved",
            f"/records/{patient_id}/assessments/new/",
            urllib.parse.urlencode(form).encode(),
        )


def clinician(visitor: Visitor, rng: random.Random, patient_ids: list[int]) -> None:
    if rng.random() < 0.4:
        sort = rng.choice(["urgency", "name", "age"])
        visitor.request("clinician: worklist", f"/clinic/?sort={sort}&page={rng.randint(1, 5)}")
    else:
        visitor.request("clinician: record", f"/records/{rng.choice(patient_ids)}/")


def _environment(postgres_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SMANAV_", "DJANGO_"))}
    env.update(
        DATABASE_URL=f"{postgres_url}/{DATABASE}",
        SMANAV_SECRET_KEY=secrets.token_urlsafe(50),
        SMANAV_DEPLOY_DIR=str(RUN_DIR),
        SMANAV_DEPLOY_PORT=str(PORT),
        SMANAV_DEBUG="0",
    )
    return env


def _seed(patients: int, families: int, cohort: str) -> dict[str, Any]:
    """The synthetic national cohort (or the simpler registry cohort of benchmarks/web.py with
    `--cohort web`), family accounts, worked-out summaries."""
    import django

    django.setup()
    from benchmarks.web import AS_OF
    from benchmarks.web import _seed as seed_cohort

    from smanav.accounts.models import User
    from smanav.accounts.services import user_create
    from smanav.patients.models import ClinicShare
    from smanav.patients.services import patient_create, summaries

    if cohort == "synth":
        # The synthetic national cohort (`manage.py synth`, issue 13), every person shared with the one
        # benchmark clinic, whose clinician (with a second factor) `seed_cohort` makes.
        from django.core.management import call_command

        from smanav.accounts.models import Clinic
        from smanav.patients.models import Patient

        seed_cohort(0, random.Random(14))
        call_command("synth", "--patients", str(patients), "--seed", "14")
        clinic = Clinic.objects.get(slug="bench")
        ClinicShare.objects.bulk_create(
            [
                ClinicShare(patient_id=pk, clinic=clinic)
                for pk in Patient.objects.values_list("pk", flat=True)
            ],
            batch_size=5000,
        )
    else:
        seed_cohort(patients, random.Random(14))
    clinician_user = User.objects.get(username="bench")
    clinician_user.set_password(PASSWORD)
    clinician_user.save()
    family_records = []
    for index in range(families):
        user = user_create(username=f"family{index}", email=f"family{index}@example.org", password=PASSWORD)
        record = patient_create(
            author=user,
            display_name=f"Child {index}",
            document={"birth_date": "2020-03-01", "region": "US"},
            as_of=AS_OF,
        )
        family_records.append((user.username, record.pk))
    summaries.all_summaries_refresh(as_of=AS_OF)
    clinic_ids = list(ClinicShare.objects.values_list("patient_id", flat=True)[:2000])
    return {
        "clinician_key": clinician_user.totpdevice_set.get().bin_key.hex(),
        "families": family_records,
        "clinic_patients": clinic_ids,
    }


RANGE_TASK = "smanav.patients.tasks.refresh_summary_range"


def _wait_for_running_job(seconds: float) -> bool:
    """Whether a range of the nightly refresh (the planning job queues them) runs within `seconds`."""
    from django_tasks_db.models import DBTaskResult

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if DBTaskResult.objects.filter(status="RUNNING", task_path=RANGE_TASK).exists():
            return True
        time.sleep(0.2)
    return False


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--families", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--faults", action="store_true")
    parser.add_argument("--restart-postgres", action="store_true")
    parser.add_argument(
        "--cohort",
        choices=["synth", "web"],
        default="synth",
        help="synth: the synthetic national cohort (default); web: benchmarks/web.py's simpler one",
    )
    args = parser.parse_args()

    import psycopg

    with psycopg.connect(f"{args.postgres_url}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")
    env = _environment(args.postgres_url)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "smanav.settings"
    script = REPO / "scripts" / "deploy-local"
    subprocess.run([script, "start"], env=env, check=True)
    try:
        started = time.perf_counter()
        seeded = _seed(args.patients, args.families, args.cohort)
        print(f"seeded {args.patients:,} patients in {time.perf_counter() - started:.0f} s", flush=True)
        report = _run(args, seeded, env)
    finally:
        subprocess.run([script, "stop"], env=env, check=False)
    print(json.dumps(report, indent=2))


def _run(args: argparse.Namespace, seeded: dict[str, Any], env: dict[str, str]) -> dict[str, Any]:
    stats = Stats()
    stop = threading.Event()
    key = bytes.fromhex(seeded["clinician_key"])

    staff = Visitor(stats)
    body = staff.log_in("bench")
    token = staff.form_token(body)
    form = {"csrfmiddlewaretoken": token, "token": totp(key, time.time())}
    staff.request("log in", "/accounts/two-factor/", urllib.parse.urlencode(form).encode())

    def user(number: int) -> None:
        rng = random.Random(number)
        kind = ["anonymous", "anonymous", "family", "family", "clinician"][number % 5]
        if kind == "clinician":
            visitor = staff
        else:
            visitor = Visitor(stats, random.Random(1000 + number) if kind == "anonymous" else None)
        username, patient_id = seeded["families"][number % len(seeded["families"])]
        if kind == "family":
            visitor.log_in(username)
        while not stop.is_set():
            if kind == "anonymous":
                anonymous(visitor, rng)
            elif kind == "family":
                family(visitor, rng, patient_id)
            else:
                clinician(visitor, rng, seeded["clinic_patients"])

    threads = [threading.Thread(target=user, args=(number,), daemon=True) for number in range(args.users)]
    begun = time.perf_counter()
    for thread in threads:
        thread.start()
    faults: list[str] = []
    if args.faults:
        faults = _faults(args, env, stop)
    else:
        stop.wait(args.seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=90)
    elapsed = time.perf_counter() - begun
    pages = {}
    for page, timings in sorted(stats.timings.items()):
        timings.sort()
        pages[page] = {
            "requests": len(timings),
            "p50_ms": round(timings[len(timings) // 2], 1),
            "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 1),
            "errors": len(stats.errors[page]),
            "first_errors": stats.errors[page][:3],
        }
    total = sum(page["requests"] for page in pages.values())
    return {
        "date": dt.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "patients": args.patients,
        "users": args.users,
        "seconds": round(elapsed),
        "requests": total,
        "requests_per_second": round(total / elapsed, 1),
        "errors": sum(page["errors"] for page in pages.values()),
        "throttled_429": stats.throttled,
        "pages": pages,
        "faults": faults,
    }


def _faults(args: argparse.Namespace, env: dict[str, str], stop: threading.Event) -> list[str]:
    notes = []
    begun = time.monotonic()

    def until(fraction: float) -> None:
        stop.wait(max(0.0, begun + args.seconds * fraction - time.monotonic()))

    until(1 / 3)
    app = int((RUN_DIR / "app-1.pid").read_text())
    os.kill(app, signal.SIGKILL)
    notes.append(f"{time.strftime('%H:%M:%S')}: app server 1 killed (SIGKILL)")
    until(1 / 2)
    from smanav.patients.tasks import refresh_all_summaries

    # As of today: the summaries the worklist's own refresh worked out today are worked out again (an
    # earlier day would skip every record already evaluated later, and the job would end at once).
    result = refresh_all_summaries.enqueue(as_of=dt.date.today().isoformat())
    if _wait_for_running_job(120):
        for number in (1, 2):
            os.kill(int((RUN_DIR / f"worker-{number}.pid").read_text()), signal.SIGKILL)
        notes.append(f"{time.strftime('%H:%M:%S')}: both workers killed while the refresh ran")
        for number in (1, 2):
            log = open(RUN_DIR / f"worker-{number}.log", "a")  # noqa: SIM115
            process = subprocess.Popen(
                [str(REPO / ".venv/bin/python"), str(REPO / "manage.py"), "db_worker", "--no-reload"],
                env={**env, "PYTHONPATH": str(REPO / "src")},
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
            (RUN_DIR / f"worker-{number}.pid").write_text(str(process.pid))
        notes.append("workers started again")
    else:
        notes.append("no range of the refresh started within 120 s; no worker killed")
    if args.restart_postgres:
        until(2 / 3)
        subprocess.run(["pg_ctlcluster", "15", "main", "restart"], check=False)
        notes.append(f"{time.strftime('%H:%M:%S')}: PostgreSQL restarted")
    until(1)
    from django.db import connection

    # This script's own connection did not survive a restart of PostgreSQL: open a new one.
    connection.close()
    from smanav.jobs.batches import batch_jobs, batches_since

    # The planning job names the batch after its own id; its ranges are the work the workers share.
    batch = str(result.id)
    for line in batches_since(dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)):
        if line.batch == batch:
            notes.append(f"the refresh killed mid-run: {line}")
    taken_twice = sum(1 for job in batch_jobs(batch=batch, task_path=RANGE_TASK) if len(job.worker_ids) > 1)
    notes.append(f"ranges run by a second worker after the kill: {taken_twice}")
    for name in ("app-1", "app-2", "worker-1", "worker-2"):
        try:
            os.kill(int((RUN_DIR / f"{name}.pid").read_text()), 0)
            notes.append(f"{name}: running at the end")
        except (OSError, ValueError):
            notes.append(f"{name}: not running at the end")
    return notes


if __name__ == "__main__":
    main()
