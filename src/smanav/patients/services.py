"""The one write path for patient records.

Every change is validated by the clinical core on the whole record it would produce (so forms, the API
and the core report the same problems with the same words), bumps the record's version, keeps the whole
record as it stood afterwards in `PatientRecordVersion`, refreshes the worklist summary and is audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from smanav.accounts.models import Clinic, User
from smanav.accounts.roles import clinic_of
from smanav.audit.models import AuditAction
from smanav.audit.services import audit_record
from smanav.patients.changes import ChangeKind, RecordChange
from smanav.patients.models import (
    Assessment,
    ClinicShare,
    Dose,
    Guardian,
    GuardianRelation,
    LabTest,
    Patient,
    PatientRecordVersion,
    PatientSummary,
    Treatment,
)
from smanav.patients.seam import PatientEvaluation, evaluate_record, record_for_patient
from smanav_core import InvalidInput
from smanav_core.codes import DueStatus, UrgencyLevel
from smanav_core.validation import validate_record

# Top-level fields of the contract's record that live on `Patient` (besides `birth_date`).
DOCUMENT_FIELDS = (
    "region",
    "sex",
    "gestational_age_weeks",
    "weight_kg",
    "pregnant",
    "genetics",
    "clinical",
    "labs",
)
URGENCY_RANK = {UrgencyLevel.ROUTINE.value: 0, UrgencyLevel.PROMPT.value: 1, UrgencyLevel.URGENT.value: 2}
# How many of the dated items the worklist names (the earliest overdue or due soon).
DUE_ITEMS_KEPT = 5


class StaleRecord(Exception):
    """The record changed since the form was opened; saving would overwrite someone else's change."""

    def __init__(self, *, current_version: int) -> None:
        self.current_version = current_version
        super().__init__(f"the record is now at version {current_version}")


class NotInRecord(Exception):
    """The measurement or treatment named is not part of the record (any more): removed already, or
    another record's."""


def _author_label(user: User | None) -> str:
    return "system" if user is None else user.get_username()


def _already_applied(idempotency_key: str | None) -> bool:
    return (
        bool(idempotency_key)
        and PatientRecordVersion.objects.filter(idempotency_key=idempotency_key).exists()
    )


def _apply_document(patient: Patient, document: dict[str, Any]) -> None:
    """Copy a validated record document's own fields onto the row (lists are rows of their own)."""
    patient.birth_date = dt.date.fromisoformat(str(document["birth_date"]))
    for name in DOCUMENT_FIELDS:
        value = document.get(name)
        if name in ("region", "sex"):
            value = value or ""
        setattr(patient, name, value)


def _lock(patient_id: int) -> Patient:
    return Patient.objects.select_for_update().get(pk=patient_id)


def _snapshot(
    patient: Patient,
    *,
    record: dict[str, Any],
    author: User,
    change: RecordChange,
    idempotency_key: str | None,
) -> None:
    PatientRecordVersion.objects.create(
        patient=patient,
        version=patient.version,
        record=record,
        summary=change.english(),
        change=change.kind.value,
        change_values=dict(change.values),
        author=author,
        author_label=_author_label(author),
        idempotency_key=idempotency_key or None,
    )


def _bump(
    patient: Patient, *, author: User, change: RecordChange, idempotency_key: str | None, as_of: dt.date
) -> None:
    patient.version += 1
    patient.save()
    # The record as saved, read once for the version that keeps it and for the worklist summary.
    record = record_for_patient(patient)
    _snapshot(patient, record=record, author=author, change=change, idempotency_key=idempotency_key)
    patient_summary_refresh(patient=patient, as_of=as_of, record=record)
    audit_record(actor=author, patient_id=patient.pk, action=AuditAction.CHANGE, what=change.english())


@transaction.atomic
def patient_create(
    *,
    author: User,
    display_name: str,
    document: dict[str, Any],
    as_of: dt.date,
    relation: str = GuardianRelation.PARENT,
    creation_key: str | None = None,
) -> Patient:
    """Create a record from a contract document (without treatments and assessments).

    A family member becomes its guardian; clinic staff share it with their clinic at once. The same
    `creation_key` twice (a double-submitted form) answers the record created the first time.
    """
    if creation_key:
        existing = Patient.objects.filter(creation_key=creation_key).first()
        if existing is not None:
            return existing
    validate_record({**document, "treatments": [], "assessments": []}, as_of=as_of)
    patient = Patient(display_name=display_name, creation_key=creation_key or None, created_by=author)
    _apply_document(patient, document)
    try:
        with transaction.atomic():
            patient.save()
    except IntegrityError:
        # Two submissions of one form raced: the other one won, answer its record.
        return Patient.objects.get(creation_key=creation_key)
    clinic = clinic_of(author)
    if clinic is None:
        Guardian.objects.create(patient=patient, user=author, relation=relation)
    else:
        ClinicShare.objects.create(patient=patient, clinic=clinic, invited_by=author)
    # A new record has no measurements or treatments yet: nothing to read.
    record = record_for_patient(patient, assessments=(), treatments=())
    _snapshot(
        patient, record=record, author=author, change=RecordChange(ChangeKind.CREATED), idempotency_key=None
    )
    patient_summary_refresh(patient=patient, as_of=as_of, record=record)
    audit_record(actor=author, patient_id=patient.pk, action=AuditAction.CREATE, what="record created")
    return patient


@transaction.atomic
def patient_update(
    *,
    author: User,
    patient_id: int,
    base_version: int,
    display_name: str,
    document: dict[str, Any],
    as_of: dt.date,
    idempotency_key: str | None = None,
) -> Patient:
    """Replace the record's own fields. Refused with `StaleRecord` if someone saved in between."""
    if _already_applied(idempotency_key):
        return Patient.objects.get(pk=patient_id)
    patient = _lock(patient_id)
    if patient.version != base_version:
        raise StaleRecord(current_version=patient.version)
    current = record_for_patient(patient)
    # The record's own fields from the form; its lists as they are.
    lists: dict[str, Any] = {
        key: current[key] for key in ("treatments", "assessments", "lab_tests") if key in current
    }
    candidate = {**document, **lists}
    validate_record(candidate, as_of=as_of)
    patient.display_name = display_name
    _apply_document(patient, document)
    _bump(
        patient,
        author=author,
        change=RecordChange(ChangeKind.DETAILS_CHANGED),
        idempotency_key=idempotency_key,
        as_of=as_of,
    )
    return patient


def _validate_with(
    patient: Patient, *, as_of: dt.date, key: str, entry: dict[str, Any], replace: int | None = None
) -> int:
    """Validate the whole record with `entry` appended to (or replacing one item of) list `key`.

    Answers the entry's index, so that the caller can tell its problems (`assessments[12].value`) apart.
    """
    record = record_for_patient(patient)
    items = record[key]
    if replace is None:
        items.append(entry)
        index = len(items) - 1
    else:
        items[replace] = entry
        index = replace
    validate_record(record, as_of=as_of)
    return index


@transaction.atomic
def assessment_record(
    *,
    author: User,
    patient_id: int,
    date: Any,
    instrument: Any,
    value: Any,
    as_of: dt.date,
    idempotency_key: str | None = None,
) -> Assessment | None:
    """Add one measurement. Values arrive as typed; the core judges them (ranges, dates, instruments)."""
    if _already_applied(idempotency_key):
        return None
    patient = _lock(patient_id)
    _validate_with(
        patient,
        as_of=as_of,
        key="assessments",
        entry={"date": date, "instrument": instrument, "value": value},
    )
    assessment = Assessment.objects.create(
        patient=patient,
        date=dt.date.fromisoformat(str(date)),
        instrument=str(instrument),
        value=float(value),
        recorded_by=author,
    )
    change = RecordChange(
        ChangeKind.ASSESSMENT_RECORDED,
        {
            "instrument": assessment.instrument,
            "value": f"{assessment.value:g}",
            "date": assessment.date.isoformat(),
        },
    )
    _bump(patient, author=author, change=change, idempotency_key=idempotency_key, as_of=as_of)
    return assessment


@transaction.atomic
def assessment_delete(*, author: User, patient_id: int, assessment_id: int, as_of: dt.date) -> None:
    """Remove a measurement entered in error. The versions keep the record as it was before."""
    patient = _lock(patient_id)
    assessment = patient.assessments.filter(pk=assessment_id).first()
    if assessment is None:
        raise NotInRecord(f"record {patient_id} has no measurement {assessment_id}")
    change = RecordChange(
        ChangeKind.ASSESSMENT_REMOVED,
        {
            "instrument": assessment.instrument,
            "value": f"{assessment.value:g}",
            "date": assessment.date.isoformat(),
        },
    )
    assessment.delete()
    _bump(patient, author=author, change=change, idempotency_key=None, as_of=as_of)


@transaction.atomic
def treatment_record(
    *,
    author: User,
    patient_id: int,
    therapy: Any,
    start_date: Any,
    end_date: Any,
    as_of: dt.date,
    regimen: str | None = None,
    idempotency_key: str | None = None,
) -> Treatment | None:
    if _already_applied(idempotency_key):
        return None
    patient = _lock(patient_id)
    entry = {"therapy": therapy, "start_date": start_date, "end_date": end_date}
    if regimen:
        entry["regimen"] = regimen
    _validate_with(patient, as_of=as_of, key="treatments", entry=entry)
    treatment = Treatment.objects.create(
        patient=patient,
        therapy=str(therapy),
        start_date=dt.date.fromisoformat(str(start_date)),
        end_date=None if end_date is None else dt.date.fromisoformat(str(end_date)),
        regimen=regimen or "",
        recorded_by=author,
    )
    _bump(
        patient,
        author=author,
        change=RecordChange(
            ChangeKind.TREATMENT_RECORDED,
            {"therapy": treatment.therapy, "start_date": treatment.start_date.isoformat()},
        ),
        idempotency_key=idempotency_key,
        as_of=as_of,
    )
    return treatment


def _course(patient: Patient, treatment_id: int) -> tuple[int, Treatment, dict[str, Any]]:
    """A course of this record: its index in the record's `treatments`, its row and the record as it is.

    `NotInRecord` if the record has no such course (removed, or another record's).
    """
    record = record_for_patient(patient)
    rows = sorted(patient.treatments.all(), key=lambda t: (t.start_date, t.pk))
    index = next((i for i, t in enumerate(rows) if t.pk == treatment_id), None)
    if index is None:
        raise NotInRecord(f"record {patient.pk} has no treatment {treatment_id}")
    return index, rows[index], record


@transaction.atomic
def treatment_end(
    *,
    author: User,
    patient_id: int,
    treatment_id: int,
    end_date: Any,
    as_of: dt.date,
    idempotency_key: str | None = None,
) -> None:
    """Record that an ongoing treatment stopped on `end_date`."""
    if _already_applied(idempotency_key):
        return
    patient = _lock(patient_id)
    index, treatment, record = _course(patient, treatment_id)
    if end_date is None:
        raise InvalidInput([(f"treatments[{index}].end_date", "is required")])
    record["treatments"][index]["end_date"] = end_date
    validate_record(record, as_of=as_of)
    treatment.end_date = dt.date.fromisoformat(str(end_date))
    treatment.save(update_fields=["end_date"])
    _bump(
        patient,
        author=author,
        change=RecordChange(
            ChangeKind.TREATMENT_ENDED,
            {"therapy": treatment.therapy, "end_date": treatment.end_date.isoformat()},
        ),
        idempotency_key=idempotency_key,
        as_of=as_of,
    )


@transaction.atomic
def treatment_regimen_set(
    *,
    author: User,
    patient_id: int,
    treatment_id: int,
    regimen: str,
    as_of: dt.date,
    idempotency_key: str | None = None,
) -> None:
    """Record which labelled regimen a course follows (its dose dates depend on it)."""
    if _already_applied(idempotency_key):
        return
    patient = _lock(patient_id)
    index, treatment, record = _course(patient, treatment_id)
    record["treatments"][index]["regimen"] = regimen
    validate_record(record, as_of=as_of)
    treatment.regimen = regimen
    treatment.save(update_fields=["regimen"])
    change = RecordChange(ChangeKind.REGIMEN_SET, {"therapy": treatment.therapy, "regimen": regimen})
    _bump(patient, author=author, change=change, idempotency_key=idempotency_key, as_of=as_of)


@transaction.atomic
def dose_record(
    *,
    author: User,
    patient_id: int,
    treatment_id: int,
    date: Any,
    amount_mg: float | None,
    given_by: str,
    as_of: dt.date,
    idempotency_key: str | None = None,
) -> Dose | None:
    """Record a dose given in a course. The core judges it (inside the course, not in the future)."""
    if _already_applied(idempotency_key):
        return None
    patient = _lock(patient_id)
    index, treatment, record = _course(patient, treatment_id)
    entry: dict[str, Any] = {"date": date}
    if amount_mg is not None:
        entry["amount_mg"] = amount_mg
    record["treatments"][index].setdefault("doses", []).append(entry)
    validate_record(record, as_of=as_of)
    dose = Dose.objects.create(
        treatment=treatment,
        date=dt.date.fromisoformat(str(date)),
        amount_mg=amount_mg,
        given_by=given_by.strip()[:200],
        recorded_by=author,
    )
    change = RecordChange(
        ChangeKind.DOSE_RECORDED, {"therapy": treatment.therapy, "date": dose.date.isoformat()}
    )
    _bump(patient, author=author, change=change, idempotency_key=idempotency_key, as_of=as_of)
    return dose


@transaction.atomic
def dose_delete(*, author: User, patient_id: int, dose_id: int, as_of: dt.date) -> None:
    """Remove a dose recorded in error. The versions keep the record as it was before."""
    patient = _lock(patient_id)
    dose = Dose.objects.filter(pk=dose_id, treatment__patient=patient).select_related("treatment").first()
    if dose is None:
        raise NotInRecord(f"record {patient_id} has no dose {dose_id}")
    change = RecordChange(
        ChangeKind.DOSE_REMOVED, {"therapy": dose.treatment.therapy, "date": dose.date.isoformat()}
    )
    dose.delete()
    _bump(patient, author=author, change=change, idempotency_key=None, as_of=as_of)


@transaction.atomic
def lab_tests_record(
    *,
    author: User,
    patient_id: int,
    date: Any,
    tests: Iterable[str],
    as_of: dt.date,
    idempotency_key: str | None = None,
) -> list[LabTest]:
    """Record that these safety tests were done on `date` (one or several at once)."""
    if _already_applied(idempotency_key):
        return []
    chosen = list(dict.fromkeys(tests))
    if not chosen:
        raise InvalidInput([("lab_tests", "choose at least one test")])
    patient = _lock(patient_id)
    record = record_for_patient(patient)
    record.setdefault("lab_tests", []).extend({"date": date, "test": test} for test in chosen)
    validate_record(record, as_of=as_of)
    day = dt.date.fromisoformat(str(date))
    rows = LabTest.objects.bulk_create(
        [LabTest(patient=patient, date=day, test=test, recorded_by=author) for test in chosen]
    )
    change = RecordChange(ChangeKind.LAB_TESTS_RECORDED, {"tests": " ".join(chosen), "date": day.isoformat()})
    _bump(patient, author=author, change=change, idempotency_key=idempotency_key, as_of=as_of)
    return rows


@transaction.atomic
def lab_test_delete(*, author: User, patient_id: int, lab_test_id: int, as_of: dt.date) -> None:
    """Remove a safety test recorded in error."""
    patient = _lock(patient_id)
    test = patient.lab_tests.filter(pk=lab_test_id).first()
    if test is None:
        raise NotInRecord(f"record {patient_id} has no lab test {lab_test_id}")
    change = RecordChange(ChangeKind.LAB_TEST_REMOVED, {"tests": test.test, "date": test.date.isoformat()})
    test.delete()
    _bump(patient, author=author, change=change, idempotency_key=None, as_of=as_of)


@transaction.atomic
def clinic_share_invite(*, author: User, patient_id: int, clinic: Clinic) -> ClinicShare:
    """Let a clinic's team see the record (and its clinicians change it). Inviting twice is harmless."""
    patient = _lock(patient_id)
    share = ClinicShare.objects.filter(patient=patient, clinic=clinic, withdrawn_at__isnull=True).first()
    if share is not None:
        return share
    share = ClinicShare.objects.create(patient=patient, clinic=clinic, invited_by=author)
    audit_record(
        actor=author, patient_id=patient.pk, action=AuditAction.SHARE, what=f"shared with {clinic.name}"
    )
    return share


@transaction.atomic
def clinic_share_withdraw(*, author: User, patient_id: int, share_id: int) -> None:
    """End a clinic's access now. The share row stays, with who withdrew it and when."""
    patient = _lock(patient_id)
    share = ClinicShare.objects.select_related("clinic").get(pk=share_id, patient=patient)
    if share.withdrawn_at is not None:
        return
    share.withdrawn_at = timezone.now()
    share.withdrawn_by = author
    share.save(update_fields=["withdrawn_at", "withdrawn_by"])
    audit_record(
        actor=author,
        patient_id=patient.pk,
        action=AuditAction.UNSHARE,
        what=f"access of {share.clinic.name} withdrawn",
    )


def summary_values(evaluation: PatientEvaluation, *, as_of: dt.date) -> dict[str, Any]:
    """The worklist headline of one evaluation (also used by bulk refreshes)."""
    assessments = evaluation.record["assessments"]
    last = max((a["date"] for a in assessments), default=None)
    values: dict[str, Any] = {
        "evaluated_on": as_of,
        "last_assessment_on": None if last is None else dt.date.fromisoformat(last),
    }
    result = evaluation.result
    if result is None:
        values.update(
            knowledge_version="",
            diagnosis="",
            sma_type="",
            functional_group="",
            urgency="",
            urgency_rank=0,
            alerts=[],
            alert_count=0,
            high_alert_count=0,
            alert_codes="",
            overdue_count=0,
            due_soon_count=0,
            due_items=[],
            problem="; ".join(f"{field}: {message}" for field, message in evaluation.problems)[:300],
        )
        return values
    alerts = result.get("alerts", [])
    classification = result.get("classification", {})
    urgency = result.get("urgency", {}).get("level", "")
    values.update(
        knowledge_version=result.get("knowledge_version", ""),
        diagnosis=result.get("diagnosis", {}).get("status", ""),
        sma_type=classification.get("sma_type") or "",
        functional_group=classification.get("functional_group") or "",
        urgency=urgency,
        urgency_rank=URGENCY_RANK.get(urgency, 0),
        alerts=alerts,
        alert_count=len(alerts),
        high_alert_count=sum(1 for a in alerts if a.get("severity") == "high"),
        alert_codes=" ".join(sorted({str(a.get("code", "")) for a in alerts}))[:300],
        problem="",
        **_due_values(result.get("care_plan", [])),
    )
    return values


def _due_values(care_plan: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The worklist's counts of overdue and due-soon items, and the earliest of them by name."""
    dated = [
        item
        for item in care_plan
        if item.get("due_status") in (DueStatus.OVERDUE.value, DueStatus.DUE_SOON.value)
    ]
    dated.sort(key=lambda item: str(item["due_on"]))
    return {
        "overdue_count": sum(1 for item in dated if item["due_status"] == DueStatus.OVERDUE.value),
        "due_soon_count": sum(1 for item in dated if item["due_status"] == DueStatus.DUE_SOON.value),
        "due_items": [
            {"title": item["title"], "due_on": item["due_on"], "status": item["due_status"]}
            for item in dated[:DUE_ITEMS_KEPT]
        ],
    }


def patient_summary_refresh(
    *, patient: Patient, as_of: dt.date, record: dict[str, Any] | None = None
) -> PatientSummary:
    """Evaluate the record and keep the headline the worklist sorts and filters on. A caller that has
    just built the record from the rows passes it as `record`, so they are not read again."""
    if record is None:
        record = record_for_patient(patient)
    evaluation = evaluate_record(record, as_of=as_of)
    summary, _ = PatientSummary.objects.update_or_create(
        patient=patient, defaults=summary_values(evaluation, as_of=as_of)
    )
    return summary


@transaction.atomic
def patient_summaries_rebuild(*, patients: Iterable[Patient], as_of: dt.date) -> int:
    """Re-evaluate many records at once (nightly job, imports, benchmarks): patients should come with
    their assessments, treatments (with their doses) and lab tests prefetched; summaries are replaced in
    bulk."""
    rows = []
    for patient in patients:
        record = record_for_patient(
            patient,
            assessments=patient.assessments.all(),
            treatments=patient.treatments.all(),
            lab_tests=patient.lab_tests.all(),
        )
        rows.append(
            PatientSummary(
                patient=patient, **summary_values(evaluate_record(record, as_of=as_of), as_of=as_of)
            )
        )
    PatientSummary.objects.filter(patient__in=[row.patient for row in rows]).delete()
    PatientSummary.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
