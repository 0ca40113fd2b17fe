"""The registry's FHIR R4 bulk export: the registry participants as NDJSON, one file per resource type,
in the manner of the FHIR Bulk Data Access specification (ADR 0025, docs/registry-fhir.md).

`fhir_export_write(out=..., on=...)` writes the new folder `out` holding `Patient.ndjson`,
`RelatedPerson.ndjson`, `Condition.ndjson`, `Observation.ndjson`, `MedicationStatement.ndjson`,
`MedicationAdministration.ndjson`, `CarePlan.ndjson`, `Consent.ndjson` (one resource a line) and, written
last, `manifest.json` naming each file with its count.

* **Who**: only `registry.selectors.consented_patients(purpose=registry, on=...)`: a patient who never
  agreed to take part, withdrew, or whose parent's consent lapsed at coming of age is in no file.
* **What**: no name, address or contact detail (the registry consent's text promises it), no free text
  (who gave a dose); the family's accounts are not exported. The person's date of birth, sex and region,
  the SMN1/SMN2 results in the HL7 Genomics Reporting pattern, every measurement (LOINC where a code was
  found, smanav's own code always), the record's clinical status and labs as Observations with smanav's
  own field codes, treatment courses and their doses, the consents in force, and what the core works out
  that day: the SMA Condition and the CarePlan.
* **Whole or absent**: the files are written into a hidden `.NAME.….partial` folder beside `out`, flushed
  to disk, the manifest written last, and the folder renamed to `out` in one step. A killed export
  leaves only the hidden folder, which has no manifest and no name an import would take. The next export
  to the same `out` removes such folders (`stale_partials_remove`): a run holds a lock on its folder's
  lock file while it writes, which the system lets go of when the run's process ends, killed or not.
* **Constant memory**: patients are read `CHUNK` at a time in id order with their rows; each resource is
  written as one line as it is made.
* **Audit**: one event "exported the record" per exported patient, the command line as actor.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import glob
import json
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db.models import Prefetch
from django.utils import timezone, translation

from smanav.audit.models import AuditAction
from smanav.audit.services import audit_by_command_line
from smanav.fhir import codes
from smanav.fhir import resources as build
from smanav.patients.models import Assessment, Dose, GuardianRelation, Patient, Treatment
from smanav.patients.plan import care_plan_by_domain
from smanav.patients.seam import RECORD_ID_PREFIX, evaluate_patient
from smanav.registry.models import Consent, ConsentGivenAs, ConsentPurpose
from smanav.registry.selectors import consented_patients

RESOURCE_TYPES = (
    "Patient",
    "RelatedPerson",
    "Condition",
    "Observation",
    "MedicationStatement",
    "MedicationAdministration",
    "CarePlan",
    "Consent",
)
MANIFEST = "manifest.json"
CHUNK = 500
PURPOSE = ConsentPurpose.REGISTRY
# The namespace of the bulk export's resource ids (a UUID of its own, apart from the record's Bundle).
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://smanav.invalid/fhir/registry-bulk-export")

# The record's own fields that travel as Observations with smanav's field codes, and their words.
RECORD_FIELDS: dict[str, str] = {
    "gestational_age_weeks": "Gestational age at birth (weeks)",
    "weight_kg": "Current weight on the record (kg)",
    "pregnant": "Pregnant",
    "genetics.smn1_copies": "SMN1 exon 7 copies",
    "genetics.smn1_intragenic_variant": "SMN1 variant on the remaining copy (HGVS)",
    "genetics.smn2_copies": "SMN2 exon 7 copies",
    "genetics.smn2_copies_is_minimum": "SMN2 copies reported as 'this many or more'",
    "genetics.smn2_modifiers": "SMN2 modifier variants (joined by ';')",
    "genetics.method": "Method of the genetic test",
    "clinical.symptomatic": "Has symptoms of SMA",
    "clinical.symptom_onset_age_months": "Age at the first symptoms (months)",
    "clinical.max_motor_milestone": "Highest motor milestone ever reached",
    "clinical.current_motor_function": "What the person can do now",
    "clinical.ventilation": "Breathing support",
    "clinical.feeding": "Feeding",
    "clinical.active_infection": "Active infection",
    "clinical.scoliosis_cobb_deg": "Latest Cobb angle on the record (degrees)",
    "labs.anti_aav9_titer": "Anti-AAV9 antibody titre (reciprocal; 0 means negative)",
    "labs.alt_uln_ratio": "ALT as a multiple of the upper limit of normal",
    "labs.ast_uln_ratio": "AST as a multiple of the upper limit of normal",
    "labs.total_bilirubin_uln_ratio": "Total bilirubin as a multiple of the upper limit of normal",
    "labs.platelets_10e9_per_l": "Platelet count (10^9/L)",
    "labs.date": "Date of the labs",
}
# List fields are joined with this in `valueString` (SMN2 modifiers never hold it: they are HGVS).
LIST_FIELDS = frozenset({"genetics.smn2_modifiers"})


class FhirExportRefused(Exception):
    """The export cannot be written as asked; the message names the option and the problem."""


@dataclass(frozen=True, slots=True)
class FhirExportReport:
    folder: Path
    patients: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def resources(self) -> int:
        return sum(self.counts.values())


class _Ids:
    """Stable resource ids: the same row gives the same id in every export, and two installations'
    patients number 1 differ (the record's creation time is in the name)."""

    def __init__(self, patient: Patient) -> None:
        self.base = f"{patient.pk}:{patient.created_at.isoformat() if patient.created_at else ''}"

    def id(self, kind: str, key: object = "") -> str:
        return str(uuid.uuid5(_NAMESPACE, f"{self.base}:{kind}:{key}"))

    def ref(self, kind: str, key: object = "") -> str:
        return f"{kind}/{self.id(kind, key)}"


def _field_value(path: str, value: Any) -> dict[str, Any]:
    if path in LIST_FIELDS:
        return {"valueString": ";".join(str(v) for v in value)}
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, int | float):
        return {"valueQuantity": {"value": build.number(value)}}
    return {"valueString": str(value)}


def _record_fields(patient: Patient, carried: set[str]) -> Iterator[tuple[str, Any]]:
    """The record's own fields that hold a value and are not written by another resource."""
    own: dict[str, Any] = {
        "gestational_age_weeks": patient.gestational_age_weeks,
        "weight_kg": patient.weight_kg,
        "pregnant": patient.pregnant,
    }
    for section in ("genetics", "clinical", "labs"):
        for key, value in (getattr(patient, section) or {}).items():
            own[f"{section}.{key}"] = value
    for path, value in own.items():
        if path in carried or path not in RECORD_FIELDS:
            continue
        if value is None or value == [] or (path == "genetics.smn2_copies_is_minimum" and value is False):
            continue
        yield path, value


def _field_observation(path: str, value: Any, subject: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": build.concept(RECORD_FIELDS[path], codes.Coding(codes.RECORD_FIELD_SYSTEM, path)),
        "subject": subject,
        **_field_value(path, value),
    }


def _consent(consent: Consent, subject: dict[str, Any], parent: str | None) -> dict[str, Any]:
    performer = parent if consent.given_as == ConsentGivenAs.PARENT and parent else subject["reference"]
    purpose = ConsentPurpose(consent.purpose)
    return {
        "resourceType": "Consent",
        "status": "active",
        "scope": {"text": "Use of the record in the SMA registry and its exchanges"},
        "category": [
            build.concept(str(purpose.label), codes.Coding(codes.CONSENT_PURPOSE_SYSTEM, purpose.value))
        ],
        "patient": subject,
        "dateTime": consent.given_on.isoformat(),
        "performer": [{"reference": performer}],
        "policy": [{"uri": f"{codes.CONSENT_TEXT_URI}{consent.purpose}/{consent.text.version}"}],
    }


def patient_resources(patient: Patient, *, on: dt.date) -> Iterator[dict[str, Any]]:
    """Every resource of one patient (rows prefetched as `_chunks` does), each with its `id`."""
    ids = _Ids(patient)
    subject = {"reference": ids.ref("Patient")}
    found: list[tuple[str, dict[str, Any]]] = []
    resource = build.patient(
        patient,
        identifiers=[
            {"system": codes.URI_IDENTIFIER_SYSTEM, "value": f"urn:uuid:{ids.id('Patient')}"},
            {"system": codes.PATIENT_ID_SYSTEM, "value": f"{RECORD_ID_PREFIX}{patient.pk}"},
        ],
    )
    del resource["name"]  # no name leaves the registry (the consent's text promises it)
    if patient.region:
        resource["extension"] = [{"url": codes.REGION_EXTENSION, "valueCode": patient.region}]
    found.append((ids.ref("Patient"), resource))

    consents = list(patient.consents.all())
    parent = None
    if any(g.relation == GuardianRelation.PARENT for g in patient.guardians.all()) or any(
        c.given_as == ConsentGivenAs.PARENT for c in consents
    ):
        parent = ids.ref("RelatedPerson", "parent")
        relation = build.concept(
            "Parent or carer", codes.Coding(codes.GUARDIAN_RELATION_SYSTEM, GuardianRelation.PARENT)
        )
        found.append(
            (
                parent,
                {
                    "resourceType": "RelatedPerson",
                    "active": True,
                    "patient": subject,
                    "relationship": [relation],
                },
            )
        )

    genetics = patient.genetics or {}
    genetic: list[tuple[str, dict[str, Any]]] = []
    carried: set[str] = set()
    for gene, key in (("SMN1", "smn1_copies"), ("SMN2", "smn2_copies")):
        if genetics.get(key) is not None:
            genetic.append(
                (
                    ids.ref("Observation", gene),
                    build.copy_number(gene, genetics[key], genetics, subject, method_code=True),
                )
            )
            carried |= {f"genetics.{key}", "genetics.method"}
            carried.add(
                "genetics.smn1_intragenic_variant" if gene == "SMN1" else "genetics.smn2_copies_is_minimum"
            )

    assessments = list(patient.assessments.all())
    treatments = list(patient.treatments.all())
    evaluated = evaluate_patient(
        patient,
        as_of=on,
        assessments=assessments,
        treatments=treatments,
        lab_tests=list(patient.lab_tests.all()),
    )
    result = evaluated.result
    condition_ref = None
    if result is not None:
        condition = build.condition(
            as_of=on,
            result=result,
            onset_months=(patient.clinical or {}).get("symptom_onset_age_months"),
            subject=subject,
            evidence=[ref for ref, _ in genetic],
        )
        if condition is not None:
            condition_ref = ids.ref("Condition")
            found.append((condition_ref, condition))
    found.extend(genetic)
    found.extend(
        (ids.ref("Observation", f"field-{path}"), _field_observation(path, value, subject))
        for path, value in _record_fields(patient, carried)
    )
    found.extend(
        (ids.ref("Observation", f"assessment-{a.pk}"), build.measurement(a, subject, own_codes=True))
        for a in assessments
    )
    for course in treatments:
        statement_ref = ids.ref("MedicationStatement", course.pk)
        found.append((statement_ref, build.statement(course, subject, condition_ref, own_codes=True)))
        for dose in course.doses.all():
            given = build.administration(course, dose, subject, statement_ref, own_codes=True)
            given.pop("note", None)  # who gave it is free text: it stays in smanav
            found.append((ids.ref("MedicationAdministration", dose.pk), given))
    if result is not None:
        plan = build.careplan(
            display_name="this person",
            as_of=on,
            result=result,
            plan=care_plan_by_domain(result.care_plan),
            subject=subject,
        )
        if condition_ref:
            plan["addresses"] = [{"reference": condition_ref}]
        found.append((ids.ref("CarePlan"), plan))
    found.extend((ids.ref("Consent", c.pk), _consent(c, subject, parent)) for c in consents)
    for ref, one in found:
        yield {"resourceType": one["resourceType"], "id": ref.split("/", 1)[1], **one}


def _chunks(on: dt.date) -> Iterator[list[Patient]]:
    """The registry participants in id order, a chunk at a time, each with its rows (constant memory)."""
    cohort = consented_patients(purpose=PURPOSE, on=on).order_by("pk")
    last = 0
    while True:
        chunk = list(
            cohort.filter(pk__gt=last).prefetch_related(
                Prefetch("assessments", queryset=Assessment.objects.order_by("date", "instrument", "id")),
                Prefetch(
                    "treatments",
                    queryset=Treatment.objects.order_by("start_date", "id").prefetch_related(
                        Prefetch("doses", queryset=Dose.objects.order_by("date", "id"))
                    ),
                ),
                Prefetch(
                    "consents",
                    queryset=Consent.objects.filter(withdrawn_at__isnull=True, given_on__lte=on)
                    .select_related("text")
                    .order_by("purpose", "id"),
                ),
                "guardians",
                "lab_tests",
            )[:CHUNK]
        )
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def _line(resource: dict[str, Any]) -> str:
    return json.dumps(resource, ensure_ascii=False, separators=(",", ":")) + "\n"


def _sync(handle: IO[str]) -> None:
    handle.flush()
    os.fsync(handle.fileno())


def _write_manifest(folder: Path, *, on: dt.date, counts: dict[str, int]) -> None:
    manifest = {
        "transactionTime": timezone.now().isoformat(),
        "request": f"smanav registry FHIR export of the registry participants on {on.isoformat()}",
        "requiresAccessToken": False,
        "output": [{"type": kind, "url": f"{kind}.ndjson", "count": counts[kind]} for kind in RESOURCE_TYPES],
        "error": [],
    }
    with open(folder / MANIFEST, "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=2)
        handle.write("\n")
        _sync(handle)


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


LOCK_FILE = ".lock"
# A `.partial` folder without a lock file is stale once this old: a run makes its lock file at once, and
# takes it away only as it finishes (just before its manifest and the rename).
UNLOCKED_GRACE_SECONDS = 60


def _partials_of(out: Path) -> list[Path]:
    """The hidden `.partial` folders that exports to `out` make (`.NAME.<random>.partial`)."""
    pattern = f".{glob.escape(out.name)}.*.partial"
    return sorted(path for path in out.parent.glob(pattern) if path.is_dir() and not path.is_symlink())


def _stale(folder: Path, now: float) -> bool:
    """Whether no running export writes `folder`: its lock can be taken (its run ended), or it has no
    lock file and has not changed for a while."""
    try:
        descriptor = os.open(folder / LOCK_FILE, os.O_RDWR)
    except FileNotFoundError:
        return now - folder.stat().st_mtime > UNLOCKED_GRACE_SECONDS
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False  # a running export holds it
    finally:
        os.close(descriptor)  # lets go of the lock, if taken: the folder is removed right after
    return True


def stale_partials_remove(out: Path, *, now: float | None = None) -> list[Path]:
    """Remove the `.partial` folders of earlier exports to `out` that were killed half-way; a folder an
    export still writes, or one of another target, is left alone. Answers the folders removed."""
    moment = time.time() if now is None else now
    removed = []
    for folder in _partials_of(out):
        if _stale(folder, moment):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _lock(folder: Path) -> int:
    """Make and hold the lock file of the run writing `folder` (held until the descriptor is closed, or
    the process ends)."""
    descriptor = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return descriptor


def fhir_export_write(
    *, out: Path, on: dt.date, progress: Callable[[int], None] | None = None
) -> FhirExportReport:
    """Write the registry's FHIR bulk export as the new folder `out`, whole or not at all."""
    if out.exists():
        raise FhirExportRefused(f"--out: {out} exists already; an export is always written to a new folder")
    if not out.parent.is_dir():
        raise FhirExportRefused(f"--out: the folder {out.parent} does not exist")
    stale_partials_remove(out)
    temporary = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    lock = _lock(temporary)
    counts = dict.fromkeys(RESOURCE_TYPES, 0)
    patients = 0
    try:
        with ExitStack() as files, translation.override("en"):
            handles = {
                kind: files.enter_context(open(temporary / f"{kind}.ndjson", "w", encoding="utf-8"))
                for kind in RESOURCE_TYPES
            }
            for chunk in _chunks(on):
                for patient in chunk:
                    for resource in patient_resources(patient, on=on):
                        kind = resource["resourceType"]
                        handles[kind].write(_line(resource))
                        counts[kind] += 1
                patients += len(chunk)
                audit_by_command_line(
                    patient_ids=[patient.pk for patient in chunk],
                    action=AuditAction.EXPORT,
                    what="registry FHIR bulk export",
                )
                if progress is not None:
                    progress(patients)
            for handle in handles.values():
                _sync(handle)
        os.unlink(temporary / LOCK_FILE)  # still held through `lock`; the finished folder has no lock file
        _write_manifest(temporary, on=on, counts=counts)
        _sync_folder(temporary)
        os.rename(temporary, out)  # one step: the folder is complete or absent
        _sync_folder(out.parent)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    finally:
        os.close(lock)
    return FhirExportReport(folder=out, patients=patients, counts=counts)


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a finished export folder (what `registry_fhir_import` and the job read)."""
    return dict(json.loads((folder / MANIFEST).read_text(encoding="utf-8")))
