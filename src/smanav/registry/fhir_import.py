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
* **Checked twice**: every resource by fhir.resources' R4B models, and the record made from them by the
  core's own validation; what fails is reported in words and not written.
* **Not imported, on purpose**: Condition and CarePlan (smanav works them out again from the record),
  RelatedPerson (read to know who gave a consent; no account is made). A patient without a name gets
  "Imported record" and the first characters of its id (the registry's export carries no names).
"""

from __future__ import annotations

import datetime as dt
import hashlib
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
from smanav.fhir import codes
from smanav.patients.changes import ChangeKind, RecordChange
from smanav.patients.models import Assessment, Dose, Patient, Treatment
from smanav.patients.seam import record_for_patient
from smanav.patients.services.versioning import snapshot
from smanav.registry.fhir_export import LIST_FIELDS, MANIFEST, RECORD_FIELDS
from smanav.registry.models import Consent, ConsentGivenAs, ConsentPurpose, ConsentText
from smanav_core.codes import Instrument, Regimen, Region, Sex, TreatmentTherapy
from smanav_core.errors import InvalidInput
from smanav_core.validation import validate_record

PATIENTS_PER_BUCKET = 500
IMPORTED = frozenset({"Patient", "Observation", "MedicationStatement", "MedicationAdministration", "Consent"})
WORKED_OUT_AGAIN = frozenset({"Condition", "CarePlan"})
READ_ONLY = frozenset({"RelatedPerson"})
_LOINC_INSTRUMENTS = {m.loinc.code: i.value for i, m in codes.MEASURES.items() if m.loinc is not None}
# Only the ATC codes that name one therapy: onasemnogene's code is shared by both routes.
_ATC_THERAPIES = {
    c.code: t.value
    for t, c in codes.THERAPY_ATC.items()
    if sum(other.code == c.code for other in codes.THERAPY_ATC.values()) == 1
}
_GENES = {c.code: gene for gene, c in codes.GENES.items()}


class FhirImportRefused(Exception):
    """The folder cannot be imported at all; the message names the problem."""


class Rejected(Exception):
    """One resource (or one patient) cannot be imported; the message says why, in words."""


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


# --- mapping FHIR to the contract's record ----------------------------------------------------------


def _codings(concept: Any) -> list[dict[str, Any]]:
    return [c for c in (concept or {}).get("coding", []) if isinstance(c, dict)]


def _code_in(concept: Any, system: str) -> str | None:
    for coding in _codings(concept):
        if coding.get("system") == system and coding.get("code"):
            return str(coding["code"])
    return None


def _text(concept: Any) -> str:
    concept = concept or {}
    if concept.get("text"):
        return str(concept["text"])
    for coding in _codings(concept):
        return str(coding.get("display") or coding.get("code"))
    return "(no words given)"


def _date(value: Any, what: str) -> str:
    try:
        return dt.date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        raise Rejected(f"{what} is not a date (got {value!r})") from None


def _whole(value: Any) -> float | int:
    return int(value) if float(value).is_integer() else float(value)


@dataclass
class _Person:
    """What one patient's resources say, gathered before anything is written."""

    key: str
    name: str
    document: dict[str, Any]
    genetics: dict[str, Any] = field(default_factory=dict)
    clinical: dict[str, Any] = field(default_factory=dict)
    labs: dict[str, Any] = field(default_factory=dict)
    courses: dict[str, dict[str, Any]] = field(default_factory=dict)
    doses: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    assessments: list[dict[str, Any]] = field(default_factory=list)
    consents: list[tuple[str, int, str, str]] = field(default_factory=list)


def _person(resource: dict[str, Any]) -> _Person:
    identifiers = [i for i in resource.get("identifier", []) if i.get("value")]
    if not identifiers:
        raise Rejected("it has no identifier, so a second import could not recognise it")
    first = identifiers[0]
    digest = hashlib.sha256(f"{first.get('system', '')}|{first['value']}".encode()).hexdigest()
    if not resource.get("birthDate"):
        raise Rejected("it has no date of birth, which smanav needs for every age-related answer")
    names = resource.get("name") or []
    name = ""
    if names:
        name = (
            names[0].get("text") or " ".join([*names[0].get("given", []), names[0].get("family", "")]).strip()
        )
    document: dict[str, Any] = {"birth_date": _date(resource["birthDate"], "the date of birth")}
    gender = resource.get("gender")
    if gender in {s.value for s in Sex}:
        document["sex"] = gender
    for extension in resource.get("extension", []):
        if extension.get("url") == codes.REGION_EXTENSION:
            region = extension.get("valueCode")
            if region not in {r.value for r in Region}:
                raise Rejected(f"its region {region!r} is not one smanav knows (US, EU, UK, CA, JP, AU)")
            document["region"] = region
    return _Person(
        key=f"fhir:{digest[:56]}",
        name=(name or f"Imported record {resource.get('id', digest)[:8]}")[:120],
        document=document,
    )


def _observation(person: _Person, resource: dict[str, Any], not_carried: list[str]) -> None:
    code = resource.get("code")
    field_path = _code_in(code, codes.RECORD_FIELD_SYSTEM)
    if field_path is not None:
        _record_field(person, field_path, resource)
        return
    if _code_in(code, codes.LOINC) == codes.VARIANT_ASSESSMENT.code:
        _variant(person, resource, not_carried)
        return
    instrument = _code_in(code, codes.INSTRUMENT_SYSTEM) or _LOINC_INSTRUMENTS.get(
        _code_in(code, codes.LOINC) or ""
    )
    if instrument is None:
        raise Rejected(f"smanav records no observation of this kind ({_text(code)})")
    if instrument not in {i.value for i in Instrument}:
        raise Rejected(f"the measure {instrument!r} is not one smanav records")
    quantity = resource.get("valueQuantity") or {}
    expected = codes.MEASURES[Instrument(instrument)].unit_code
    if quantity.get("value") is None:
        raise Rejected(f"the measurement ({_text(code)}) has no value")
    if quantity.get("code") not in (None, expected):
        raise Rejected(
            f"the unit {quantity.get('code')!r} of {_text(code)} is not {expected!r}, the one smanav uses"
        )
    if not resource.get("effectiveDateTime"):
        raise Rejected(f"the measurement ({_text(code)}) has no date")
    person.assessments.append(
        {
            "date": _date(resource["effectiveDateTime"], "the measurement's date"),
            "instrument": instrument,
            "value": _whole(quantity["value"]),
        }
    )


def _record_field(person: _Person, path: str, resource: dict[str, Any]) -> None:
    if path not in RECORD_FIELDS:
        raise Rejected(f"the record has no field {path!r}")
    if "valueBoolean" in resource:
        value: Any = bool(resource["valueBoolean"])
    elif "valueQuantity" in resource:
        value = _whole(resource["valueQuantity"]["value"])
    elif "valueString" in resource:
        text = str(resource["valueString"])
        value = [part for part in text.split(";") if part] if path in LIST_FIELDS else text
    else:
        raise Rejected(f"{RECORD_FIELDS[path]} has no value")
    section, _, key = path.rpartition(".")
    target = {"genetics": person.genetics, "clinical": person.clinical, "labs": person.labs}.get(section)
    if target is None:
        person.document[key] = value
    else:
        target[key] = value


def _variant(person: _Person, resource: dict[str, Any], not_carried: list[str]) -> None:
    """An SMN1 or SMN2 copy number in the Genomics Reporting guide's Variant pattern."""
    gene = copies = comparator = variant = None
    for component in resource.get("component", []):
        kind = _code_in(component.get("code"), codes.LOINC)
        if kind == codes.GENE_STUDIED.code:
            gene = _GENES.get(_code_in(component.get("valueCodeableConcept"), codes.HGNC) or "")
            if gene is None:
                raise Rejected(f"the gene {_text(component.get('valueCodeableConcept'))} is not SMN1 or SMN2")
        elif kind == codes.COPY_NUMBER.code:
            quantity = component.get("valueQuantity") or {}
            copies, comparator = quantity.get("value"), quantity.get("comparator")
        elif kind == codes.CODING_HGVS.code:
            variant = _text(component.get("valueCodeableConcept"))
    if gene is None or copies is None or not float(copies).is_integer():
        raise Rejected("a genetic result needs the gene studied (SMN1 or SMN2) and a whole copy number")
    key = gene.lower()
    person.genetics[f"{key}_copies"] = int(copies)
    if gene == "SMN2" and comparator == ">=":
        person.genetics["smn2_copies_is_minimum"] = True
    elif comparator:
        raise Rejected(f"the {gene} copy number is given as {comparator} {copies}, which smanav cannot keep")
    if gene == "SMN1" and variant:
        person.genetics["smn1_intragenic_variant"] = variant
    method = resource.get("method")
    if method:
        code = _code_in(method, codes.GENETIC_METHOD_SYSTEM)
        if code is not None:
            person.genetics["method"] = code
        else:
            not_carried.append(
                f"{person.name}: the method of the {gene} test ({_text(method)}): smanav records newborn "
                "screening, MLPA, qPCR, ddPCR or NGS and does not guess which this is"
            )


def _statement(person: _Person, resource: dict[str, Any]) -> None:
    medication = resource.get("medicationCodeableConcept")
    therapy = _code_in(medication, codes.THERAPY_SYSTEM) or _ATC_THERAPIES.get(
        _code_in(medication, codes.ATC) or ""
    )
    if therapy not in {t.value for t in TreatmentTherapy}:
        raise Rejected(f"the treatment {_text(medication)} is not one smanav can name")
    period = resource.get("effectivePeriod") or {}
    if not period.get("start"):
        raise Rejected(f"the treatment {_text(medication)} has no start date")
    course: dict[str, Any] = {
        "therapy": therapy,
        "start_date": _date(period["start"], "the treatment's start"),
    }
    if period.get("end"):
        course["end_date"] = _date(period["end"], "the treatment's end")
    for extension in resource.get("extension", []):
        if extension.get("url") == codes.REGIMEN_EXTENSION:
            if extension.get("valueCode") not in {r.value for r in Regimen}:
                raise Rejected(f"the regimen {extension.get('valueCode')!r} is not one smanav knows")
            course["regimen"] = extension["valueCode"]
    person.courses[f"MedicationStatement/{resource.get('id')}"] = course


def _administration(person: _Person, resource: dict[str, Any]) -> None:
    parts = [r.get("reference") for r in resource.get("supportingInformation", []) if isinstance(r, dict)]
    course = next((ref for ref in parts if str(ref).startswith("MedicationStatement/")), None)
    if course is None:
        raise Rejected("a dose names no treatment course (supportingInformation)")
    if not resource.get("effectiveDateTime"):
        raise Rejected("a dose has no date")
    dose: dict[str, Any] = {"date": _date(resource["effectiveDateTime"], "the dose's date")}
    amount = ((resource.get("dosage") or {}).get("dose")) or {}
    if amount.get("value") is not None:
        if amount.get("code", "mg") != "mg":
            raise Rejected(f"a dose is given in {amount.get('code')!r}; smanav keeps doses in mg")
        dose["amount_mg"] = _whole(amount["value"])
    person.doses.append((str(course), dose))


def _consent(person: _Person, resource: dict[str, Any], texts: dict[tuple[str, int], ConsentText]) -> None:
    if resource.get("status") != "active":
        raise Rejected(f"a consent that is {resource.get('status')!r}, not in force")
    purpose = None
    for concept in resource.get("category", []):
        purpose = purpose or _code_in(concept, codes.CONSENT_PURPOSE_SYSTEM)
    if purpose not in {p.value for p in ConsentPurpose}:
        raise Rejected("a consent names no purpose smanav knows")
    version = None
    for policy in resource.get("policy", []):
        uri = str(policy.get("uri", ""))
        if uri.startswith(f"{codes.CONSENT_TEXT_URI}{purpose}/"):
            version = uri.rsplit("/", 1)[1]
    if version is None or not version.isdigit() or (purpose, int(version)) not in texts:
        raise Rejected(f"the consent to {purpose} names no text published on this installation")
    if not resource.get("dateTime"):
        raise Rejected(f"the consent to {purpose} has no date")
    performers = [str(p.get("reference", "")) for p in resource.get("performer", [])]
    given_as = (
        ConsentGivenAs.PARENT
        if any(p.startswith("RelatedPerson/") for p in performers)
        else ConsentGivenAs.SELF
    )
    person.consents.append(
        (purpose, int(version), given_as, _date(resource["dateTime"], "the consent's date"))
    )


# --- writing ----------------------------------------------------------------------------------------


def _read_person(
    owner: str,
    resources: list[tuple[str, dict[str, Any]]],
    texts: dict[tuple[str, int], ConsentText],
    report: FhirImportReport,
) -> _Person | None:
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
        person = _person(patient)
    except Rejected as refusal:
        report.rejected_patients.append(f"{where} ({owner}): {refusal}{others}")
        return None
    readers = {
        "Observation": lambda r: _observation(person, r, report.not_carried),
        "MedicationStatement": lambda r: _statement(person, r),
        "MedicationAdministration": lambda r: _administration(person, r),
        "Consent": lambda r: _consent(person, r, texts),
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


def _document(person: _Person) -> dict[str, Any]:
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
    person: _Person, document: dict[str, Any], texts: dict[tuple[str, int], ConsentText], source: str
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
    person: _Person,
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
