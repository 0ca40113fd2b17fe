"""Reading FHIR R4 resources into the contract's record, for the bulk import (`registry.fhir_import`).

Each reader takes one resource of a patient and adds what it says to that patient's `Person`, or raises
`Rejected` with the reason in words. Codes smanav wrote itself are read first (its instrument, therapy,
method, record field and consent purpose codes), then the standard ones where a code names exactly one
thing (LOINC for a measure, ATC for a medicine that has one route, HGNC for SMN1 and SMN2). Nothing is
guessed: a method, unit or comparator smanav does not keep is refused or reported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from smanav.fhir import codes
from smanav.registry.fhir_export import LIST_FIELDS, RECORD_FIELDS
from smanav.registry.models import ConsentGivenAs, ConsentPurpose, ConsentText
from smanav_core.codes import Instrument, Regimen, Region, Sex, TreatmentTherapy

_LOINC_INSTRUMENTS = {m.loinc.code: i.value for i, m in codes.MEASURES.items() if m.loinc is not None}
# Only the ATC codes that name one therapy: onasemnogene's code is shared by both routes.
_ATC_THERAPIES = {
    c.code: t.value
    for t, c in codes.THERAPY_ATC.items()
    if sum(other.code == c.code for other in codes.THERAPY_ATC.values()) == 1
}
_GENES = {c.code: gene for gene, c in codes.GENES.items()}


class Rejected(Exception):
    """One resource (or one patient) cannot be imported; the message says why, in words."""


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
class Person:
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


def person_of(resource: dict[str, Any]) -> Person:
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
    return Person(
        key=f"fhir:{digest[:56]}",
        name=(name or f"Imported record {resource.get('id', digest)[:8]}")[:120],
        document=document,
    )


def read_observation(person: Person, resource: dict[str, Any], not_carried: list[str]) -> None:
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


def _record_field(person: Person, path: str, resource: dict[str, Any]) -> None:
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


def _variant(person: Person, resource: dict[str, Any], not_carried: list[str]) -> None:
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


def read_statement(person: Person, resource: dict[str, Any]) -> None:
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


def read_administration(person: Person, resource: dict[str, Any]) -> None:
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


def read_consent(person: Person, resource: dict[str, Any], texts: dict[tuple[str, int], ConsentText]) -> None:
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
