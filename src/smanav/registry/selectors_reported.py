"""Reads of the registry's reported values, for a record already handed out by the patients'
chokepoint (which audited the read), and for the research export.

Who reported the record's own clinical status is worked out from its history: the author of the latest
version that created the record or changed its details. Clinic staff (a confirmed membership) make it
the clinic's (clinician-reported), a guardian of the record the family's; anyone else (the command
line) leaves it unknown.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from smanav.accounts.models import StaffMembership
from smanav.patients.changes import ChangeKind
from smanav.patients.models import Guardian, Patient, PatientRecordVersion
from smanav.registry.models import ConflictResolution, ReportedBy, ReportedValue
from smanav.registry.reported import Comparison, compare

DETAIL_CHANGES = (ChangeKind.CREATED, ChangeKind.DETAILS_CHANGED)


def reported_values_for(*, patient: Patient) -> QuerySet[ReportedValue]:
    """The record's reports still standing, oldest first."""
    return ReportedValue.objects.filter(patient=patient, removed_at__isnull=True).order_by("created_at", "id")


def _details_author() -> Subquery:
    latest = PatientRecordVersion.objects.filter(patient=OuterRef("pk"), change__in=DETAIL_CHANGES).order_by(
        "-version"
    )
    return Subquery(latest.values("author_id")[:1])


def with_clinical_reporter(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """`patients` annotated with `clinical_by_clinic` and `clinical_by_family` (booleans): who last wrote
    the record's clinical status. One query, for the export's chunks as for one record."""
    annotated = patients.annotate(details_author=_details_author())
    return annotated.annotate(
        clinical_by_clinic=Exists(
            StaffMembership.objects.filter(user_id=OuterRef("details_author"), confirmed_at__isnull=False)
        ),
        clinical_by_family=Exists(
            Guardian.objects.filter(patient=OuterRef("pk"), user_id=OuterRef("details_author"))
        ),
    )


def clinical_reporter(patient: Patient) -> str:
    """ReportedBy.CLINIC or ReportedBy.FAMILY for who last wrote the record's clinical status, '' if
    neither (e.g. made by the command line)."""
    row = with_clinical_reporter(Patient.objects.filter(pk=patient.pk)).first()
    if row is None:
        return ""
    if getattr(row, "clinical_by_clinic", False):
        return ReportedBy.CLINIC
    if getattr(row, "clinical_by_family", False):
        return ReportedBy.FAMILY
    return ""


def comparisons_for(*, patient: Patient) -> list[Comparison]:
    """Every item either side reported, and whether the family's and the clinic's values agree."""
    record = patient.clinical if clinical_reporter(patient) == ReportedBy.CLINIC else None
    return compare(
        rows=list(ReportedValue.objects.filter(patient=patient)),
        record_clinical=record,
        resolutions=list(ConflictResolution.objects.filter(patient=patient)),
    )


def open_conflict_count(*, patient: Patient) -> int:
    return sum(1 for comparison in comparisons_for(patient=patient) if comparison.open)
