"""The registry's FHIR R4 bulk exchange: the export holds the registry participants only, one NDJSON file
per resource type with the manifest last; every resource is valid for fhir.resources' R4B models and for
the official R4 JSON Schema (the file HL7 publishes, read by path); an export imported into an empty
database gives back the same patients; a second import changes nothing; what an import leaves out is
reported in words and nothing of a refused patient is written; every export and import is audited."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tasks_db.models import DBTaskResult
from fhir.resources.R4B import get_fhir_model_class
from tests.web.fhir_schema import resource_problems
from tests.web.personas import Personas, people_fixture  # noqa: F401 (a fixture)

from smanav.audit.models import AuditAction, AuditEvent
from smanav.patients.models import (
    Assessment,
    Dose,
    GuardianRelation,
    Patient,
    PatientRecordVersion,
    Treatment,
)
from smanav.patients.services import dose_record, patient_create, patient_update, treatment_record
from smanav.registry import services
from smanav.registry.fhir_export import (
    LOCK_FILE,
    RESOURCE_TYPES,
    UNLOCKED_GRACE_SECONDS,
    FhirExportRefused,
    fhir_export_write,
    stale_partials_remove,
)
from smanav.registry.fhir_import import FhirImportRefused, fhir_import_folder
from smanav.registry.models import Consent
from smanav.registry.synth_write import synth_write
from smanav.registry.tasks import fhir_export
from smanav_core.codes import Regimen, TreatmentTherapy

ON = dt.date(2027, 1, 10)


@pytest.fixture(name="cohort")
def cohort_fixture(people: Personas) -> dict[str, Patient]:
    """Ada (a parent's registry consent; nusinersen 12 mg with two doses, labs, a Cobb angle), Cleo (her
    own consent), Ben (never asked), Dan (withdrew), and 12 synthetic participants (seed 7)."""
    ada = people.shared_child
    record = {
        "birth_date": "2020-03-01",
        "region": "US",
        "sex": "female",
        "genetics": {
            "smn1_copies": 0,
            "smn2_copies": 3,
            "smn2_copies_is_minimum": True,
            "smn2_modifiers": ["c.859G>C"],
            "method": "mlpa",
        },
        "clinical": {
            "symptomatic": True,
            "symptom_onset_age_months": 10,
            "max_motor_milestone": "sits_independently",
            "current_motor_function": "sitter",
            "ventilation": "niv_sleep_only",
            "scoliosis_cobb_deg": 22.5,
        },
        "labs": {"platelets_10e9_per_l": 250, "date": "2026-12-01"},
    }
    patient_update(
        author=people.parent,
        patient_id=ada.pk,
        base_version=Patient.objects.get(pk=ada.pk).version,
        display_name="Ada",
        document=record,
        as_of=ON,
    )
    course = treatment_record(
        author=people.parent,
        patient_id=ada.pk,
        therapy=TreatmentTherapy.NUSINERSEN,
        start_date=dt.date(2025, 2, 3),
        end_date=None,
        regimen=Regimen.NUSINERSEN_12MG,
        as_of=ON,
    )
    assert course is not None
    for day in (dt.date(2025, 2, 3), dt.date(2025, 2, 17)):
        dose_record(
            author=people.parent,
            patient_id=ada.pk,
            treatment_id=course.pk,
            date=day,
            amount_mg=12,
            given_by="Dr Secret at the Free Text Hospital",
            as_of=ON,
        )
    dan = patient_create(
        author=people.adult,
        display_name="Dan",
        document={"birth_date": "1985-07-07", "region": "UK"},
        as_of=ON,
        relation=GuardianRelation.SELF,
    )
    for author, patient in ((people.parent, ada), (people.adult, people.adult_record), (people.adult, dan)):
        services.consent_give(author=author, patient_id=patient.pk, purpose="registry", text_version=1, on=ON)
    services.consent_give(author=people.parent, patient_id=ada.pk, purpose="research", text_version=1, on=ON)
    services.consent_withdraw(author=people.adult, patient_id=dan.pk, purpose="registry")
    synth_write(patients=12, seed=7, as_of=ON)
    return {"ada": ada, "cleo": people.adult_record, "ben": people.private_child, "dan": dan}


def _lines(folder: Path, kind: str) -> list[dict[str, Any]]:
    with open(folder / f"{kind}.ndjson", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def _export(tmp_path: Path) -> Path:
    out = tmp_path / "export"
    fhir_export_write(out=out, on=ON)
    return out


def _record_ids(folder: Path) -> set[str]:
    return {
        identifier["value"]
        for patient in _lines(folder, "Patient")
        for identifier in patient["identifier"]
        if identifier["value"].startswith("smanav-patient-")
    }


@pytest.mark.django_db
def test_only_registry_participants_are_exported(cohort: dict[str, Patient], tmp_path: Path) -> None:
    folder = _export(tmp_path)
    ids = _record_ids(folder)
    assert f"smanav-patient-{cohort['ada'].pk}" in ids
    assert f"smanav-patient-{cohort['cleo'].pk}" in ids
    assert f"smanav-patient-{cohort['ben'].pk}" not in ids  # never asked
    assert f"smanav-patient-{cohort['dan'].pk}" not in ids  # withdrew
    assert len(ids) == 2 + 12
    patient_refs = {f"Patient/{p['id']}" for p in _lines(folder, "Patient")}
    for kind in RESOURCE_TYPES[1:]:
        for resource in _lines(folder, kind):
            owner = (resource.get("subject") or resource.get("patient"))["reference"]
            assert owner in patient_refs, f"{kind} {resource['id']} is about someone not exported"


@pytest.mark.django_db
def test_no_name_and_no_free_text_leave_the_registry(cohort: dict[str, Patient], tmp_path: Path) -> None:
    folder = _export(tmp_path)
    everything = "".join((folder / f"{kind}.ndjson").read_text(encoding="utf-8") for kind in RESOURCE_TYPES)
    for words in ('"Ada"', '"Cleo"', "Synthetic 0", "Dr Secret", "Free Text Hospital"):
        assert words not in everything
    assert all("name" not in patient for patient in _lines(folder, "Patient"))


@pytest.mark.django_db
def test_each_type_has_its_file_and_the_manifest_counts_them(
    cohort: dict[str, Patient], tmp_path: Path
) -> None:
    folder = _export(tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert [o["type"] for o in manifest["output"]] == list(RESOURCE_TYPES)
    for output in manifest["output"]:
        lines = _lines(folder, output["type"])
        assert output["count"] == len(lines)
        assert all(line["resourceType"] == output["type"] for line in lines)
    # Every type has something in this cohort (Ada's doses, her parent's consent).
    assert all(output["count"] > 0 for output in manifest["output"])
    ada = f"Patient/{_patient_of(folder, cohort['ada'])['id']}"
    given = [c for c in _lines(folder, "Consent") if c["patient"]["reference"] == ada]
    assert sorted(c["category"][0]["coding"][0]["code"] for c in given) == ["registry", "research"]
    assert all(c["performer"][0]["reference"].startswith("RelatedPerson/") for c in given)


def _patient_of(folder: Path, patient: Patient) -> dict[str, Any]:
    [found] = [
        p
        for p in _lines(folder, "Patient")
        if {"system": "https://smanav.invalid/fhir/patient-record", "value": f"smanav-patient-{patient.pk}"}
        in p["identifier"]
    ]
    return found


@pytest.mark.django_db
def test_genetic_results_follow_the_genomics_reporting_pattern_and_measures_carry_loinc(
    cohort: dict[str, Patient], tmp_path: Path
) -> None:
    folder = _export(tmp_path)
    ada = f"Patient/{_patient_of(folder, cohort['ada'])['id']}"
    mine = [o for o in _lines(folder, "Observation") if o["subject"]["reference"] == ada]
    variants = [o for o in mine if o["code"]["coding"][0]["code"] == "69548-6"]
    assert len(variants) == 2
    smn2 = next(
        v for v in variants if v["component"][0]["valueCodeableConcept"]["coding"][0]["code"] == "HGNC:11118"
    )
    copy_number = next(c for c in smn2["component"] if c["code"]["coding"][0]["code"] == "82155-3")
    assert copy_number["valueQuantity"] == {
        "value": 3,
        "comparator": ">=",
        "system": "http://unitsofmeasure.org",
        "code": "1",
    }
    weight = next(o for o in mine if o["code"]["text"] == "Body weight")
    assert {"system": "http://loinc.org", "code": "29463-7", "display": "Body weight"} in weight["code"][
        "coding"
    ]


@pytest.mark.django_db
def test_every_exported_resource_is_valid_for_both_validators(
    cohort: dict[str, Patient], tmp_path: Path
) -> None:
    folder = _export(tmp_path)
    checked = 0
    for kind in RESOURCE_TYPES:
        for resource in _lines(folder, kind):
            get_fhir_model_class(kind).model_validate(resource)
            assert resource_problems(resource) == [], (kind, resource["id"])
            checked += 1
    assert checked > 100


def test_only_the_partial_folders_of_ended_runs_to_the_same_folder_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "fhir"

    def partial(name: str, *, lock: bool) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        (folder / "Patient.ndjson").write_text("{}\n", encoding="utf-8")
        if lock:
            (folder / LOCK_FILE).write_text("", encoding="utf-8")
        return folder

    ended = partial(".fhir.k1ll3d.partial", lock=True)  # its run's lock went with its process
    running = partial(".fhir.runn1ng.partial", lock=True)
    old_unlocked = partial(".fhir.0ld.partial", lock=False)
    new_unlocked = partial(".fhir.n3w.partial", lock=False)  # a run that has just begun, or ends now
    other = partial(".fhir-2.k1ll3d.partial", lock=True)  # another folder's export
    now = time.time()
    os.utime(old_unlocked, (now - UNLOCKED_GRACE_SECONDS - 5, now - UNLOCKED_GRACE_SECONDS - 5))
    held = os.open(running / LOCK_FILE, os.O_RDWR)
    fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as the running export holds it
    try:
        removed = stale_partials_remove(out, now=now)
    finally:
        os.close(held)
    assert sorted(removed) == sorted([ended, old_unlocked])
    assert not ended.exists() and not old_unlocked.exists()
    assert running.exists() and new_unlocked.exists() and other.exists()


@pytest.mark.django_db
def test_an_export_removes_a_killed_runs_folder_and_leaves_no_lock_file(
    cohort: dict[str, Patient], tmp_path: Path
) -> None:
    killed = tmp_path / ".export.k1ll3d.partial"
    killed.mkdir()
    (killed / LOCK_FILE).write_text("", encoding="utf-8")
    fhir_export_write(out=tmp_path / "export", on=ON)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["export"]
    assert not (tmp_path / "export" / LOCK_FILE).exists()


@pytest.mark.django_db
def test_an_existing_folder_is_refused(cohort: dict[str, Patient], tmp_path: Path) -> None:
    (tmp_path / "export").mkdir()
    with pytest.raises(FhirExportRefused, match=r"--out: .* exists already"):
        fhir_export_write(out=tmp_path / "export", on=ON)
    with pytest.raises(CommandError, match="exists already"):
        call_command("registry_fhir_export", "--out", str(tmp_path / "export"))
    assert list((tmp_path / "export").iterdir()) == []


@pytest.mark.django_db
def test_the_export_is_audited_per_patient(cohort: dict[str, Patient], tmp_path: Path) -> None:
    _export(tmp_path)
    exported = AuditEvent.objects.filter(action=AuditAction.EXPORT, what="registry FHIR bulk export")
    assert {e.patient_id for e in exported} >= {cohort["ada"].pk, cohort["cleo"].pk}
    assert not exported.filter(patient_id__in=[cohort["ben"].pk, cohort["dan"].pk]).exists()
    assert exported.count() == 14


def _people() -> dict[tuple[str, str], dict[str, Any]]:
    """Every stored patient as the exchange should keep them, keyed by date of birth and the first
    measurement (names are not exchanged)."""

    def kept(section: dict[str, Any] | None) -> dict[str, Any]:
        return {k: v for k, v in (section or {}).items() if v not in (None, False, [])}

    found = {}
    for patient in Patient.objects.prefetch_related("assessments", "treatments__doses", "consents__text"):
        assessments = sorted((a.date, a.instrument, a.value) for a in patient.assessments.all())
        key = (patient.birth_date.isoformat(), str(assessments[:1]))
        assert key not in found
        found[key] = {
            "region": patient.region,
            "sex": patient.sex,
            "weight_kg": patient.weight_kg,
            "genetics": kept(patient.genetics),
            "clinical": kept(patient.clinical),
            "labs": kept(patient.labs),
            "assessments": assessments,
            "treatments": sorted(
                (
                    t.therapy,
                    t.start_date,
                    t.end_date,
                    t.regimen,
                    sorted((d.date, d.amount_mg) for d in t.doses.all()),
                )
                for t in patient.treatments.all()
            ),
            "consents": sorted(
                (c.purpose, c.text.version, c.given_as, c.given_on)
                for c in patient.consents.all()
                if c.withdrawn_at is None
            ),
        }
    return found


@pytest.mark.django_db
def test_an_export_imported_into_an_empty_database_gives_back_the_same_patients(
    cohort: dict[str, Patient], tmp_path: Path
) -> None:
    folder = _export(tmp_path)
    Patient.objects.filter(pk__in=[cohort["ben"].pk, cohort["dan"].pk]).delete()  # not exported
    before = _people()
    Patient.objects.all().delete()
    assert not Assessment.objects.exists() and not Consent.objects.exists()

    report = fhir_import_folder(folder=folder, as_of=ON)

    assert (report.imported, report.unchanged, report.rejected_patients, report.rejected_resources) == (
        14,
        0,
        [],
        [],
    )
    assert _people() == before
    # The two hand-made doses and the synthetic nusinersen courses' doses, each once.
    doses = sum(len(course[4]) for one in before.values() for course in one["treatments"])
    assert Dose.objects.count() == doses > 2
    assert Patient.objects.filter(display_name__startswith="Imported record ").count() == 14
    # Each imported record has its first version and its audit event.
    assert PatientRecordVersion.objects.filter(version=1, change="created").count() == 14
    assert (
        AuditEvent.objects.filter(action=AuditAction.CREATE, what="imported from FHIR (export)").count() == 14
    )


@pytest.mark.django_db
def test_a_second_import_changes_nothing(cohort: dict[str, Patient], tmp_path: Path) -> None:
    folder = _export(tmp_path)
    Patient.objects.all().delete()
    first = fhir_import_folder(folder=folder, as_of=ON)
    rows = (
        Patient.objects.count(),
        Assessment.objects.count(),
        Treatment.objects.count(),
        Consent.objects.count(),
    )

    second = fhir_import_folder(folder=folder, as_of=ON)

    assert (first.imported, second.imported, second.unchanged) == (14, 0, 14)
    assert rows == (
        Patient.objects.count(),
        Assessment.objects.count(),
        Treatment.objects.count(),
        Consent.objects.count(),
    )


def _folder(tmp_path: Path, resources: list[dict[str, Any]]) -> Path:
    folder = tmp_path / "incoming"
    folder.mkdir()
    kinds = sorted({r["resourceType"] for r in resources})
    for kind in kinds:
        with open(folder / f"{kind}.ndjson", "w", encoding="utf-8") as handle:
            for resource in resources:
                if resource["resourceType"] == kind:
                    handle.write(json.dumps(resource) + "\n")
    manifest = {"output": [{"type": kind, "url": f"{kind}.ndjson"} for kind in kinds]}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def _patient(ident: str, **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": ident,
        "identifier": [{"system": "https://example.org/registry", "value": ident}],
        "birthDate": "2018-04-01",
        **extra,
    }


def _weight(ident: str, day: str, kg: float, unit: str = "kg") -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": f"{ident}-w-{day}",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}], "text": "Body weight"},
        "subject": {"reference": f"Patient/{ident}"},
        "effectiveDateTime": day,
        "valueQuantity": {"value": kg, "system": "http://unitsofmeasure.org", "code": unit},
    }


@pytest.mark.django_db
def test_an_import_reports_what_it_leaves_out_in_words_and_writes_nothing_of_a_refused_patient(
    tmp_path: Path,
) -> None:
    nobirth = _patient("p-nobirth")
    del nobirth["birthDate"]
    resources = [
        _patient("p-good", name=[{"text": "Eva"}], gender="female"),
        _weight("p-good", "2026-01-05", 14.2),
        _weight("p-good", "2026-02-05", 31, unit="[lb_av]"),
        {**_weight("p-good", "2026-03-05", 15), "valueQuantity": {"value": "heavy"}},
        {
            "resourceType": "Observation",
            "id": "p-good-bp",
            "status": "final",
            "code": {"text": "Blood pressure"},
            "subject": {"reference": "Patient/p-good"},
            "valueQuantity": {"value": 100},
        },
        {
            "resourceType": "Procedure",
            "id": "p-good-x",
            "status": "completed",
            "subject": {"reference": "Patient/p-good"},
        },
        nobirth,
        _weight("p-nobirth", "2026-01-05", 10),
        _patient("p-future", name=[{"text": "Finn"}]),
        _weight("p-future", "2029-01-05", 10),
        _weight("p-nobody", "2026-01-05", 10),
    ]

    report = fhir_import_folder(folder=_folder(tmp_path, resources), as_of=ON)
    text = "\n".join(report.lines())

    assert report.imported == 1
    assert "Patients not imported: 2." in text and "Resources not imported: 5." in text
    [eva] = Patient.objects.all()
    assert eva.display_name == "Eva" and eva.sex == "female"
    assert [(a.instrument, a.value) for a in eva.assessments.all()] == [("WEIGHT_KG", 14.2)]
    assert "the unit '[lb_av]' of Body weight is not 'kg', the one smanav uses" in text
    assert "not valid FHIR R4 (valueQuantity" in text
    assert "smanav records no observation of this kind (Blood pressure)" in text
    assert "smanav does not import Procedure resources" in text
    assert (
        "it has no date of birth, which smanav needs for every age-related answer; nothing of it was "
        "imported (with its 1 other resources)" in text
    )
    assert "Finn: the record is not one smanav can keep" in text and "2029-01-05" in text
    assert "it is about Patient/p-nobody, who is not in the Patient file once" in text
    # Nothing of Finn or of the patient without a date of birth was written.
    assert not Assessment.objects.exclude(patient=eva).exists()


def test_a_folder_without_its_manifest_is_refused(tmp_path: Path) -> None:
    (tmp_path / "Patient.ndjson").write_text(json.dumps(_patient("p1")) + "\n", encoding="utf-8")
    with pytest.raises(FhirImportRefused, match=r"has no manifest\.json; it is not a complete export"):
        fhir_import_folder(folder=tmp_path, as_of=ON)


@pytest.mark.django_db
def test_the_import_command_prints_and_writes_its_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(tmp_path, [_patient("p-good"), _weight("p-good", "2026-01-05", 14.2)])
    call_command("registry_fhir_import", str(folder), "--report", str(tmp_path / "report.txt"))
    assert "Patients imported: 1." in capsys.readouterr().out
    assert "Patients imported: 1." in (tmp_path / "report.txt").read_text(encoding="utf-8")
    with pytest.raises(CommandError, match="is not a folder"):
        call_command("registry_fhir_import", str(tmp_path / "missing"))


@pytest.mark.django_db
def test_the_export_runs_as_a_job_on_the_database_queue_and_a_second_run_is_harmless(
    cohort: dict[str, Patient], tmp_path: Path
) -> None:
    out = tmp_path / "queued"
    call_command("registry_fhir_export", "--out", str(out), "--as-of", ON.isoformat(), "--queue")
    job = DBTaskResult.objects.get(task_path="smanav.registry.tasks.fhir_export")
    assert job.args_kwargs["kwargs"] == {"out": str(out), "as_of": ON.isoformat()}
    assert not out.exists()

    counts = fhir_export.call(**job.args_kwargs["kwargs"])
    again = fhir_export.call(**job.args_kwargs["kwargs"])  # the job run twice: the folder is kept

    assert counts == again and counts["Patient"] == 14
    assert (out / "manifest.json").exists()
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 14
