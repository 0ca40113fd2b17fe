"""A research export killed outright (SIGKILL) half-way leaves no folder that looks complete, and running
it again writes the whole export. A real process, a real database file, a real kill."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from smanav.registry.synth import generate

REPO = Path(__file__).resolve().parents[2]
SCRIPT = """
import os, sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
if sys.argv[1] == "prepare":
    call_command("synth", "--patients", "600", "--seed", "1", "--as-of", "2027-01-10")
else:
    call_command("registry_export", "--project", "p1", "--out", sys.argv[2], "--as-of", "2027-01-10")
"""


def _run(step: str, out: Path, database: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "SMANAV_PSEUDONYM_KEY": "a test key of the research pseudonyms, not a real one",
        "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)]),
    }
    return subprocess.Popen(
        [sys.executable, "-c", SCRIPT, step, str(out)], cwd=REPO, env=env, stdout=subprocess.DEVNULL
    )


def test_a_killed_export_leaves_no_complete_looking_folder_and_a_rerun_completes(tmp_path: Path) -> None:
    database, exports = tmp_path / "registry.sqlite3", tmp_path / "exports"
    exports.mkdir()
    out = exports / "p1-export"
    assert _run("prepare", out, database).wait(timeout=600) == 0

    export = _run("export", out, database)
    deadline = time.monotonic() + 300
    while not any(exports.iterdir()):
        assert export.poll() is None, "the export ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    export.send_signal(signal.SIGKILL)
    export.wait(timeout=60)

    assert not out.exists()
    [partial] = list(exports.iterdir())
    assert partial.name.startswith(".p1-export.") and partial.name.endswith(".partial")

    assert _run("export", out, database).wait(timeout=600) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "README.txt",
        "assessments.csv",
        "data_dictionary.csv",
        "patients.csv",
        "reported.csv",
        "treatments.csv",
    ]
    consented = sum(
        not one.withdraws_research for one in generate(patients=600, seed=1, as_of=dt.date(2027, 1, 10))
    )
    assert f"Patients: {consented} " in (out / "README.txt").read_text(encoding="utf-8")
