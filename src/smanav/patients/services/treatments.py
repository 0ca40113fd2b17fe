"""Treatment courses, the doses given in them and the safety tests a therapy's label asks for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction

from smanav.accounts.models import User
from smanav.patients.changes import ChangeKind, RecordChange
from smanav.patients.models import Dose, LabTest, Patient, Treatment
from smanav.patients.seam import RecordDraft, dose_entry, lab_test_entry, record_draft, treatment_entry
from smanav.patients.services.versioning import NotInRecord, already_applied, bump, lock
from smanav_core import InvalidInput
from smanav_core.codes import MonitoringTest, Regimen, TreatmentTherapy
from smanav_core.validation import validate_record


def _course(patient: Patient, treatment_id: int) -> tuple[int, Treatment, RecordDraft]:
    """A course of this record: its index in the record's `treatments`, its row and the record as it is.

    `NotInRecord` if the record has no such course (removed, or another record's).
    """
    draft = record_draft(patient)
    index = draft.course_index(treatment_id)
    if index is None:
        raise NotInRecord(f"record {patient.pk} has no treatment {treatment_id}")
    return index, draft.courses[index], draft


@transaction.atomic
def treatment_record(
    *,
    author: User,
    patient_id: int,
    therapy: TreatmentTherapy,
    start_date: dt.date,
    end_date: dt.date | None,
    as_of: dt.date,
    regimen: Regimen | None = None,
    idempotency_key: str | None = None,
) -> Treatment | None:
    """Add a treatment course (ongoing when `end_date` is None)."""
    if already_applied(idempotency_key):
        return None
    patient = lock(patient_id)
    treatment = Treatment(
        patient=patient,
        therapy=str(therapy),
        start_date=start_date,
        end_date=end_date,
        regimen=regimen or "",
        recorded_by=author,
    )
    draft = record_draft(patient)
    draft.treatments.append(treatment_entry(treatment))
    validate_record(draft.document(), as_of=as_of)
    treatment.save()
    change = RecordChange(
        ChangeKind.TREATMENT_RECORDED, {"therapy": treatment.therapy, "start_date": start_date.isoformat()}
    )
    bump(patient, author=author, change=change, idempotency_key=idempotency_key, as_of=as_of)
    return treatment


@transaction.atomic
def treatment_end(
    *,
    author: User,
    patient_id: int,
    treatment_id: int,
    end_date: dt.date | None,
    as_of: dt.date,
    idempotency_key: str | None = None,
) -> None:
    """Record that an ongoing treatment stopped on `end_date`."""
    if already_applied(idempotency_key):
        return
    patient = lock(patient_id)
    index, treatment, draft = _course(patient, treatment_id)
    if end_date is None:
        raise InvalidInput([(f"treatments[{index}].end_date", "is required")])
    draft.treatments[index] = treatment_entry(treatment, end_date=end_date)
    validate_record(draft.document(), as_of=as_of)
    treatment.end_date = end_date
    treatment.save(update_fields=["end_date"])
    change = RecordChange(
        ChangeKind.TREATMENT_ENDED, {"therapy": treatment.therapy, "end_date": end_date.isoformat()}
    )
    bump(patient, author=author, change=change, idempotency_key=idempotency_key, as_of=as_of)


@transaction.atomic
def treatment_regimen_set(
    *,
    author: User,
    patient_id: int,
    treatment_id: int,
    regimen: Regimen,
    as_of: dt.date,
    idempotency_key: str | None = None,
) -> None:
    """Record which labelled regimen a course follows (its dose dates depend on it)."""
    if already_applied(idempotency_key):
        return
    patient = lock(patient_id)
    index, treatment, draft = _course(patient, treatment_id)
    draft.treatments[index] = treatment_entry(treatment, regimen=regimen)
    validate_record(draft.document(), as_of=as_of)
    treatment.regimen = str(regimen)
    treatment.save(update_fields=["regimen"])
    change = RecordChange(ChangeKind.REGIMEN_SET, {"therapy": treatment.therapy, "regimen": str(regimen)})
    bump(patient, author=author, change=change, idempotency_key=idempotency_key, as_of=as_of)


@transaction.atomic
def dose_record(
    *,
    author: User,
    patient_id: int,
    treatment_id: int,
    date: dt.date,
    amount_mg: float | None,
    given_by: str,
    as_of: dt.date,
    idempotency_key: str | None = None,
) -> Dose | None:
    """Record a dose given in a course. The core judges it (inside the course, not in the future)."""
    if already_applied(idempotency_key):
        return None
    patient = lock(patient_id)
    index, treatment, draft = _course(patient, treatment_id)
    draft.treatments[index] = treatment_entry(treatment, dose=dose_entry(date, amount_mg))
    validate_record(draft.document(), as_of=as_of)
    dose = Dose.objects.create(
        treatment=treatment,
        date=date,
        amount_mg=amount_mg,
        given_by=given_by.strip()[:200],
        recorded_by=author,
    )
    change = RecordChange(ChangeKind.DOSE_RECORDED, {"therapy": treatment.therapy, "date": date.isoformat()})
    bump(patient, author=author, change=change, idempotency_key=idempotency_key, as_of=as_of)
    return dose


@transaction.atomic
def dose_delete(*, author: User, patient_id: int, dose_id: int, as_of: dt.date) -> None:
    """Remove a dose recorded in error. The versions keep the record as it was before."""
    patient = lock(patient_id)
    dose = Dose.objects.filter(pk=dose_id, treatment__patient=patient).select_related("treatment").first()
    if dose is None:
        raise NotInRecord(f"record {patient_id} has no dose {dose_id}")
    change = RecordChange(
        ChangeKind.DOSE_REMOVED, {"therapy": dose.treatment.therapy, "date": dose.date.isoformat()}
    )
    dose.delete()
    bump(patient, author=author, change=change, idempotency_key=None, as_of=as_of)


@transaction.atomic
def lab_tests_record(
    *,
    author: User,
    patient_id: int,
    date: dt.date,
    tests: Iterable[MonitoringTest],
    as_of: dt.date,
    idempotency_key: str | None = None,
) -> list[LabTest]:
    """Record that these safety tests were done on `date` (one or several at once)."""
    if already_applied(idempotency_key):
        return []
    chosen = list(dict.fromkeys(tests))
    if not chosen:
        raise InvalidInput([("lab_tests", "choose at least one test")])
    patient = lock(patient_id)
    draft = record_draft(patient)
    draft.lab_tests.extend(lab_test_entry(date, test) for test in chosen)
    validate_record(draft.document(), as_of=as_of)
    rows = LabTest.objects.bulk_create(
        [LabTest(patient=patient, date=date, test=str(test), recorded_by=author) for test in chosen]
    )
    change = RecordChange(
        ChangeKind.LAB_TESTS_RECORDED,
        {"tests": " ".join(str(test) for test in chosen), "date": date.isoformat()},
    )
    bump(patient, author=author, change=change, idempotency_key=idempotency_key, as_of=as_of)
    return rows


@transaction.atomic
def lab_test_delete(*, author: User, patient_id: int, lab_test_id: int, as_of: dt.date) -> None:
    """Remove a safety test recorded in error."""
    patient = lock(patient_id)
    test = patient.lab_tests.filter(pk=lab_test_id).first()
    if test is None:
        raise NotInRecord(f"record {patient_id} has no lab test {lab_test_id}")
    change = RecordChange(ChangeKind.LAB_TEST_REMOVED, {"tests": test.test, "date": test.date.isoformat()})
    test.delete()
    bump(patient, author=author, change=change, idempotency_key=None, as_of=as_of)
