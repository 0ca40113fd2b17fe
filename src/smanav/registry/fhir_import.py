"""Import of a FHIR R4 bulk export folder (`registry.fhir_export`'s, or another system's written the same
way): each patient whole or not at all, never twice, with a report of everything left out and why.

* **Whole folders only**: a folder without `manifest.json` (an export still being written, or killed
  half-way) is refused; the files read are those the manifest names.
* **Constant memory**: a first pass sorts every line into one of a few bucket files by the patient it is
  about (a hash of the reference); each bucket then holds a few hundred patients and is read alone.
* **Each patient in its own transaction**: the record, its measurements, treatments, doses and consents
  are written together or not at all, with one version ("record created") and one audit event
  ("created the record", the command line as actor, "imported from FHIR").
* **Idempotent**: a patient's first identifier is its key (`Patient.creation_key`, `fhir:` and a hash);
  a patient imported before is left as it is and counted as unchanged.
* **Checked twice**: every resource by fhir.resources' R4B models (then read by `registry.fhir_read`),
  and the record made from them by the core's own validation; what fails is reported in words and not
  written.
* **Not imported, on purpose**: Condition and CarePlan (smanav works them out again from the record),
  RelatedPerson (read to know who gave a consent; no account is made). A patient without a name gets
  "Imported record" and the first characters of its id (the registry's export carries no names).
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from smanav.audit.models import AuditAction
from smanav.audit.services import audit_by_command_line
from smanav.patients.changes import ChangeKind, RecordChange
from smanav.patients.models import Assessment, Dose, Patient, Treatment
from smanav.patients.seam import record_for_patient
from smanav.patients.services.versioning import snapshot
from smanav.registry.fhir_export import MANIFEST
from smanav.registry.fhir_read import (
    Person,
    Rejected,
    person_of,
    read_administration,
    read_consent,
    read_observation,
    read_statement,
)
from smanav.registry.models import Consent, ConsentText
from smanav_core.errors import InvalidInput
from smanav_core.validation import validate_record

PATIENTS_PER_BUCKET = 500
IMPORTED = frozenset({"Patient", "Observation", "MedicationStatement", "MedicationAdministration", "Consent"})
WORKED_OUT_AGAIN = frozenset({"Condition", "CarePlan"})
READ_ONLY = frozenset({"RelatedPerson"})


class FhirImportRefused(Exception):
    """The folder cannot be imported at all; the message names the problem."""


@dataclass
class FhirImportReport:
    imported: int = 0
    unchanged: int = 0
    rejected_patients: list[str] = field(default_factory=list)
    rejected_resources: list[str] = field(default_factory=list)
    not_carried: list[str] = field(default_factory=list)
    worked_out_again: int = 0

    def lines(self) -> list[str]:
        lines = [
            f"Patients imported: {self.imported}.",
            f"Patients imported before and left as they are: {self.unchanged}.",
            f"Patients not imported: {len(self.rejected_patients)}.",
            f"Resources not imported: {len(self.rejected_resources)}.",
            f"Conditions and care plans not imported because smanav works them out again: "
            f"{self.worked_out_again}.",
        ]
        if self.rejected_patients:
            lines += [
                "",
                "Patients not imported, and why:",
                *(f"- {line}" for line in self.rejected_patients),
            ]
        if self.rejected_resources:
            lines += [
                "",
                "Resources not imported, and why:",
                *(f"- {line}" for line in self.rejected_resources),
            ]
        if self.not_carried:
            lines += ["", "Imported, but without:", *(f"- {line}" for line in self.not_carried)]
        return lines


# --- reading a folder -------------------------------------------------------------------------------


def _files(folder: Path) -> list[tuple[str, Path]]:
    if not folder.is_dir():
        raise FhirImportRefused(f"DIR: {folder} is not a folder")
    manifest_path = folder / MANIFEST
    if not manifest_path.exists():
        raise FhirImportRefused(
            f"DIR: {folder} has no {MANIFEST}; it is not a complete export (one still being written, or "
            "stopped half-way, has none). Nothing was imported."
        )
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        outputs = [(str(o["type"]), str(o["url"])) for o in manifest["output"]]
    except (ValueError, KeyError, TypeError):
        raise FhirImportRefused(f"DIR: {MANIFEST} cannot be read as an export's manifest") from None
    files = []
    for kind, url in outputs:
        path = (folder / url).resolve()
        if path.parent != folder.resolve() or not path.is_file():
            raise FhirImportRefused(f"DIR: the manifest names {url}, which is not a file of the folder")
        files.append((kind, path))
    return files


def _patient_of(resource: dict[str, Any]) -> str | None:
    if resource.get("resourceType") == "Patient":
        return f"Patient/{resource.get('id')}"
    for key in ("subject", "patient"):
        reference = resource.get(key)
        if isinstance(reference, dict) and isinstance(reference.get("reference"), str):
            return str(reference["reference"])
    return None


def _buckets(files: list[tuple[str, Path]], folder: Path, report: FhirImportReport) -> list[Path]:
    """Sort every line into a bucket file by its patient; answers the bucket files."""
    patients = sum(1 for kind, path in files if kind == "Patient" for _ in path.open("rb"))
    count = max(1, -(-patients // PATIENTS_PER_BUCKET))
    paths = [folder / f"bucket-{index}.ndjson" for index in range(count)]
    handles = [path.open("w", encoding="utf-8") for path in paths]
    try:
        for _kind, path in files:
            with path.open(encoding="utf-8") as lines:
                for number, line in enumerate(lines, start=1):
                    if not line.strip():
                        continue
                    where = f"{path.name} line {number}"
                    try:
                        resource = json.loads(line)
                    except ValueError:
                        report.rejected_resources.append(f"{where}: not a JSON object")
                        continue
                    owner = _patient_of(resource) if isinstance(resource, dict) else None
                    if owner is None:
                        report.rejected_resources.append(f"{where}: it names no patient")
                        continue
                    bucket = zlib.crc32(owner.encode()) % count
                    handles[bucket].write(json.dumps([where, owner, resource], separators=(",", ":")) + "\n")
    finally:
        for handle in handles:
            handle.close()
    return paths


def _groups(bucket: Path) -> Iterator[tuple[str, list[tuple[str, dict[str, Any]]]]]:
    groups: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    with bucket.open(encoding="utf-8") as lines:
        for line in lines:
            where, owner, resource = json.loads(line)
            groups.setdefault(owner, []).append((where, resource))
    yield from groups.items()


# --- writing ----------------------------------------------------------------------------------------


def _read_person(
    owner: str,
    resources: list[tuple[str, dict[str, Any]]],
    texts: dict[tuple[str, int], ConsentText],
    report: FhirImportReport,
) -> Person | None:
    patients = [(where, r) for where, r in resources if r.get("resourceType") == "Patient"]
    if len(patients) != 1:
        for where, _ in resources:
            report.rejected_resources.append(
                f"{where}: it is about {owner}, who is not in the Patient file once"
            )
        return None
    where, patient = patients[0]
    others = f"; nothing of it was imported (with its {len(resources) - 1} other resources)"
    problems = _model_problems(patient)
    if problems:
        report.rejected_patients.append(f"{where} ({owner}): {problems}{others}")
        return None
    try:
        person = person_of(patient)
    except Rejected as refusal:
        report.rejected_patients.append(f"{where} ({owner}): {refusal}{others}")
        return None
    readers = {
        "Observation": lambda r: read_observation(person, r, report.not_carried),
        "MedicationStatement": lambda r: read_statement(person, r),
        "MedicationAdministration": lambda r: read_administration(person, r),
        "Consent": lambda r: read_consent(person, r, texts),
    }
    for where, resource in resources:
        kind = resource.get("resourceType")
        if kind == "Patient" or kind in READ_ONLY:
            continue
        if kind in WORKED_OUT_AGAIN:
            report.worked_out_again += 1
            continue
        if kind not in readers:
            report.rejected_resources.append(f"{where}: smanav does not import {kind} resources")
            continue
        problems = _model_problems(resource)
        if problems:
            report.rejected_resources.append(f"{where}: {problems}")
            continue
        try:
            readers[str(kind)](resource)
        except (Rejected, KeyError, TypeError, ValueError) as refusal:
            report.rejected_resources.append(f"{where}: {refusal}")
    orphans = [dose for dose in person.doses if dose[0] not in person.courses]
    if orphans:
        report.rejected_resources.append(
            f"{owner}: {len(orphans)} dose(s) of a treatment course that is not in the folder or was not "
            "imported"
        )
        person.doses = [dose for dose in person.doses if dose[0] in person.courses]
    return person


def _model_problems(resource: dict[str, Any]) -> str:
    """What fhir.resources' R4B model of the resource's type finds wrong, in one line ('' if nothing)."""
    try:
        get_fhir_model_class(str(resource.get("resourceType"))).model_validate(resource)
    except (ValidationError, KeyError, ValueError) as error:
        first = error.errors()[0] if isinstance(error, ValidationError) else {"msg": str(error), "loc": ()}
        place = ".".join(str(p) for p in first.get("loc", ()))
        return (
            f"not valid FHIR R4 ({place}: {first['msg']})" if place else f"not valid FHIR R4 ({first['msg']})"
        )
    return ""


def _document(person: Person) -> dict[str, Any]:
    document = dict(person.document)
    for name, section in (
        ("genetics", person.genetics),
        ("clinical", person.clinical),
        ("labs", person.labs),
    ):
        if section:
            document[name] = section
    treatments = []
    for ref, course in person.courses.items():
        doses = sorted((dose for owner, dose in person.doses if owner == ref), key=lambda d: d["date"])
        treatments.append({**course, **({"doses": doses} if doses else {})})
    document["treatments"] = treatments
    document["assessments"] = person.assessments
    return document


@transaction.atomic
def _write(
    person: Person, document: dict[str, Any], texts: dict[tuple[str, int], ConsentText], source: str
) -> None:
    patient = Patient.objects.create(
        display_name=person.name,
        creation_key=person.key,
        birth_date=dt.date.fromisoformat(document["birth_date"]),
        region=document.get("region") or "",
        sex=document.get("sex") or "",
        gestational_age_weeks=document.get("gestational_age_weeks"),
        weight_kg=document.get("weight_kg"),
        pregnant=document.get("pregnant"),
        genetics=document.get("genetics"),
        clinical=document.get("clinical"),
        labs=document.get("labs"),
    )
    Assessment.objects.bulk_create(
        Assessment(
            patient=patient,
            date=dt.date.fromisoformat(a["date"]),
            instrument=a["instrument"],
            value=a["value"],
        )
        for a in person.assessments
    )
    for entry in document["treatments"]:
        course = Treatment.objects.create(
            patient=patient,
            therapy=entry["therapy"],
            start_date=dt.date.fromisoformat(entry["start_date"]),
            end_date=dt.date.fromisoformat(entry["end_date"]) if entry.get("end_date") else None,
            regimen=entry.get("regimen", ""),
        )
        Dose.objects.bulk_create(
            Dose(treatment=course, date=dt.date.fromisoformat(d["date"]), amount_mg=d.get("amount_mg"))
            for d in entry.get("doses", [])
        )
    Consent.objects.bulk_create(
        Consent(
            patient=patient,
            purpose=purpose,
            text=texts[(purpose, version)],
            given_as=given_as,
            given_on=dt.date.fromisoformat(given_on),
            reviewed_on=dt.date.fromisoformat(given_on),
        )
        for purpose, version, given_as, given_on in person.consents
    )
    snapshot(
        patient,
        record=record_for_patient(patient),
        author=None,
        change=RecordChange(ChangeKind.CREATED),
        idempotency_key=None,
    )
    audit_by_command_line(
        patient_ids=[patient.pk], action=AuditAction.CREATE, what=f"imported from FHIR ({source})"
    )


def _import_one(
    person: Person,
    texts: dict[tuple[str, int], ConsentText],
    *,
    as_of: dt.date,
    source: str,
    report: FhirImportReport,
) -> None:
    if Patient.objects.filter(creation_key=person.key).exists():
        report.unchanged += 1
        return
    purposes = [purpose for purpose, *_ in person.consents]
    duplicate = {p for p in purposes if purposes.count(p) > 1}
    if duplicate:
        report.rejected_patients.append(
            f"{person.name}: more than one consent in force to {', '.join(sorted(duplicate))}"
        )
        return
    document = _document(person)
    try:
        validate_record(document, as_of=as_of)
    except InvalidInput as error:
        report.rejected_patients.append(
            f"{person.name}: the record is not one smanav can keep ({'; '.join(error.lines())}); "
            "nothing of it was imported"
        )
        return
    try:
        _write(person, document, texts, source)
    except IntegrityError:
        # Another import of the same folder wrote this patient first: it is there once.
        report.unchanged += 1
        return
    report.imported += 1


def fhir_import_folder(*, folder: Path, as_of: dt.date) -> FhirImportReport:
    """Import every patient of the export folder `folder` (see the module's docstring)."""
    files = _files(folder)
    report = FhirImportReport()
    texts = {(t.purpose, t.version): t for t in ConsentText.objects.filter(published_on__lte=as_of)}
    with tempfile.TemporaryDirectory(prefix="smanav-fhir-import-") as scratch:
        for bucket in _buckets(files, Path(scratch), report):
            for owner, resources in _groups(bucket):
                person = _read_person(owner, resources, texts, report)
                if person is not None:
                    _import_one(person, texts, as_of=as_of, source=folder.name, report=report)
            bucket.unlink()
    return report
