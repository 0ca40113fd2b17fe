"""Nothing lost: a FHIR bulk export or import killed outright (SIGKILL) half-way leaves nothing partial
presented as complete, and running it again completes without duplicates. Real processes, a real
database file, real kills."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from smanav.fhir import codes

REPO = Path(__file__).resolve().parents[2]
PATIENTS = 400
SCRIPT = """
import sys
import django
django.setup()
from django.core.management import call_command
from smanav.patients.models import Patient
step = sys.argv[1]
if step == "prepare":
    call_command("migrate", verbosity=0)
    call_command("synth", "--patients", sys.argv[2], "--seed", "1", "--as-of", "2027-01-10")
elif step == "export":
    call_command("registry_fhir_export", "--out", sys.argv[2], "--as-of", "2027-01-10")
elif step == "wipe":
    Patient.objects.all().delete()
else:
    from django.core.management.base import CommandError
    try:
        call_command("registry_fhir_import", sys.argv[2], "--as-of", "2027-01-10")
    except CommandError as refusal:
        print(refusal, file=sys.stderr)
        sys.exit(refusal.returncode)
"""


def _run(step: str, argument: str, database: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)]),
    }
    return subprocess.Popen(
        [sys.executable, "-c", SCRIPT, step, argument], cwd=REPO, env=env, stdout=subprocess.DEVNULL
    )


def _kill_when(process: subprocess.Popen[bytes], ready: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 300
    while not ready():
        assert process.poll() is None, f"the {what} ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)


def _expected(folder: Path) -> dict[str, tuple[int, int, int]]:
    """Per patient (its import key): how many measurements, treatment courses and consents it has."""
    counts: dict[str, list[int]] = {}
    keys = {}
    for line in (folder / "Patient.ndjson").open(encoding="utf-8"):
        patient = json.loads(line)
        first = patient["identifier"][0]
        digest = hashlib.sha256(f"{first['system']}|{first['value']}".encode()).hexdigest()
        keys[f"Patient/{patient['id']}"] = f"fhir:{digest[:56]}"
        counts[keys[f"Patient/{patient['id']}"]] = [0, 0, 0]
    for kind, index in (("Observation", 0), ("MedicationStatement", 1), ("Consent", 2)):
        for line in (folder / f"{kind}.ndjson").open(encoding="utf-8"):
            resource = json.loads(line)
            codings = resource.get("code", {}).get("coding", [])
            if kind == "Observation" and not any(c["system"] == codes.INSTRUMENT_SYSTEM for c in codings):
                continue
            owner = (resource.get("subject") or resource.get("patient"))["reference"]
            counts[keys[owner]][index] += 1
    return {key: (a, t, c) for key, (a, t, c) in counts.items()}


def _imported(database: Path) -> dict[str, tuple[int, int, int, int]]:
    """Each imported patient's measurements, courses, consents and versions, as stored."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            """
            SELECT p.creation_key,
                (SELECT count(*) FROM patients_assessment a WHERE a.patient_id = p.id),
                (SELECT count(*) FROM patients_treatment t WHERE t.patient_id = p.id),
                (SELECT count(*) FROM registry_consent c WHERE c.patient_id = p.id),
                (SELECT count(*) FROM patients_patientrecordversion v WHERE v.patient_id = p.id)
            FROM patients_patient p WHERE p.creation_key LIKE 'fhir:%'
            """
        ).fetchall()
    return {key: (a, t, c, v) for key, a, t, c, v in rows}


def test_a_killed_export_or_import_leaves_nothing_partial_and_a_rerun_completes(tmp_path: Path) -> None:
    database, exports = tmp_path / "registry.sqlite3", tmp_path / "exports"
    exports.mkdir()
    out = exports / "fhir"
    assert _run("prepare", str(PATIENTS), database).wait(timeout=600) == 0

    # The export, killed once it has written some resources.
    export = _run("export", str(out), database)
    _kill_when(
        export,
        lambda: any(p.stat().st_size > 0 for p in exports.glob(".fhir.*.partial/Observation.ndjson")),
        "export",
    )
    assert not out.exists()
    [partial] = list(exports.iterdir())
    assert partial.name.startswith(".fhir.") and partial.name.endswith(".partial")
    assert not (partial / "manifest.json").exists()
    # An import refuses the killed export's folder: it is not presented as complete.
    assert _run("import", str(partial), database).wait(timeout=120) == 2

    assert _run("export", str(out), database).wait(timeout=600) == 0
    # The rerun removed the killed run's folder: the killed process's lock went with it.
    assert sorted(exports.iterdir()) == [out]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["output"][0] == {"type": "Patient", "url": "Patient.ndjson", "count": PATIENTS}
    expected = _expected(out)

    # The import into the emptied database, killed once some patients are in.
    assert _run("wipe", "", database).wait(timeout=120) == 0
    importing = _run("import", str(out), database)
    _kill_when(importing, lambda: len(_imported(database)) >= 40, "import")
    stored = _imported(database)
    assert 40 <= len(stored) < PATIENTS
    for key, (assessments, courses, consents, versions) in stored.items():
        assert (assessments, courses, consents) == expected[key], "a half-imported patient"
        assert versions == 1

    assert _run("import", str(out), database).wait(timeout=600) == 0
    stored = _imported(database)
    assert len(stored) == PATIENTS  # the creation key is unique: no patient twice
    assert {key: counts[:3] for key, counts in stored.items()} == expected
