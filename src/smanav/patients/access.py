"""The access chokepoints for patient records. Views, API endpoints and exports never query patients
directly: they ask here, saying why (`Purpose`), and get the record or "not found".

One condition a line, after Zulip's `access_stream_by_id` and healthchecks' `_get_check_for_user`:

* someone else's record answers "not found" (Http404), never "forbidden", so nobody learns that a
  record exists; administrators run the service but do not read clinical records through it;
* every record handed out, one or a list, is audited here with the purpose given (`audit_reads`), so
  no caller can read a record without leaving a trace;
* clinic staff see what is shared with their clinic only after a second factor: a TOTP check in this
  session, or a call with an API token (`User.via_api_token`).

The registry's consent-scoped reads and the community's posts are to follow the same shape:
`<thing>_get_for_user(user=..., <thing>_id=..., purpose=...)`, "not found" for what the user may not
see, and the audit written by the chokepoint.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from smanav.accounts.models import Clinic, User
from smanav.accounts.roles import Role, clinic_of, has_verified_second_factor, role_of
from smanav.audit.purposes import Purpose
from smanav.audit.services import audit_reads
from smanav.patients.models import ClinicShare, ClinicWorklistCounts, Guardian, Patient
from smanav.patients.selectors import (
    WorklistFilter,
    WorklistPage,
    WorklistPosition,
    patient_worklist_page,
)

NOT_FOUND = "No such patient record."


def _guarded_by(user: User) -> Q:
    return Q(Exists(Guardian.objects.filter(patient=OuterRef("pk"), user_id=user.pk)))


def _shared_with_clinic_of(user: User) -> Q:
    clinic = clinic_of(user)
    if clinic is None:
        return Q(pk__in=[])
    active_share = ClinicShare.objects.filter(
        patient=OuterRef("pk"), clinic=clinic, withdrawn_at__isnull=True
    )
    return Q(Exists(active_share))


def _visible_to(user: User | AnonymousUser) -> QuerySet[Patient]:
    """Every record the user may open: the ones they manage, and for clinic staff past a second factor
    the ones shared with their clinic; for a researcher none. Not audited: only the chokepoints below
    read it."""
    if not isinstance(user, User):
        return Patient.objects.none()
    role = role_of(user)
    if role is Role.ADMINISTRATOR:
        return Patient.objects.filter(_guarded_by(user))
    if role is Role.FAMILY:
        return Patient.objects.filter(_guarded_by(user))
    if role is Role.RESEARCHER:
        # Aggregates of the research cohort only (the registry dashboard), never a record (ADR 0031).
        return Patient.objects.none()
    if not has_verified_second_factor(user):
        return Patient.objects.none()
    return Patient.objects.filter(_guarded_by(user) | _shared_with_clinic_of(user))


def user_manages_patient(*, user: User | AnonymousUser, patient: Patient) -> bool:
    """Guardians (a parent, or the adult themselves) decide who the record is shared with."""
    if not isinstance(user, User):
        return False
    return Guardian.objects.filter(patient=patient, user_id=user.pk).exists()


def user_may_edit_patient(*, user: User | AnonymousUser, patient: Patient) -> bool:
    """Guardians and clinicians of a clinic the record is shared with may change it; coordinators read."""
    if user_manages_patient(user=user, patient=patient):
        return True
    if role_of(user) is not Role.CLINICIAN:
        return False
    if not has_verified_second_factor(user):
        return False
    return ClinicShare.objects.filter(
        patient=patient, clinic=clinic_of(user), withdrawn_at__isnull=True
    ).exists()


def _found(user: User | AnonymousUser, patient_id: int) -> tuple[User, Patient]:
    patient = _visible_to(user).filter(pk=patient_id).first()
    if patient is None or not isinstance(user, User):
        raise Http404(NOT_FOUND)
    return user, patient


def patient_get_for_user(*, user: User | AnonymousUser, patient_id: int, purpose: Purpose) -> Patient:
    """The record, if the user may see it (audited with `purpose`); otherwise Http404."""
    reader, patient = _found(user, patient_id)
    audit_reads(actor=reader, clinic=clinic_of(reader), patient_ids=[patient.pk], purpose=purpose)
    return patient


def patient_get_for_editor(*, user: User | AnonymousUser, patient_id: int, purpose: Purpose) -> Patient:
    """The record, if the user may change it (audited with `purpose`); a record they may only read also
    answers Http404."""
    reader, patient = _found(user, patient_id)
    if not user_may_edit_patient(user=reader, patient=patient):
        raise Http404(NOT_FOUND)
    audit_reads(actor=reader, clinic=clinic_of(reader), patient_ids=[patient.pk], purpose=purpose)
    return patient


def patient_get_for_manager(*, user: User | AnonymousUser, patient_id: int, purpose: Purpose) -> Patient:
    """The record, if the user decides who it is shared with (audited with `purpose`); else Http404."""
    reader, patient = _found(user, patient_id)
    if not user_manages_patient(user=reader, patient=patient):
        raise Http404(NOT_FOUND)
    audit_reads(actor=reader, clinic=clinic_of(reader), patient_ids=[patient.pk], purpose=purpose)
    return patient


def patient_slice_for_user(
    *, user: User | AnonymousUser, offset: int, limit: int, purpose: Purpose, after: int | None = None
) -> tuple[int, list[Patient]]:
    """How many records the user may see, and those from `offset` (at most `limit`, in id order, each
    with its summary), each audited with `purpose`. With `after` (the last id of the previous slice) the
    slice starts after that id instead, read in index order however far on (ADR 0026, 0028)."""
    ids = _visible_ids(user, after=after or 0, count=offset + limit)[offset : offset + limit]
    rows = list(Patient.objects.filter(pk__in=ids).select_related("summary").order_by("id"))
    if isinstance(user, User):
        audit_reads(actor=user, clinic=clinic_of(user), patient_ids=[row.pk for row in rows], purpose=purpose)
    return _visible_count(user, _visible_to(user)), rows


def _visible_ids(user: User | AnonymousUser, *, after: int, count: int) -> list[int]:
    """The first `count` ids after `after` of the records `_visible_to(user)` holds, in order, read from
    two indexes (the user's guardianships, the clinic's active shares by record) instead of asking both
    questions of every record: the same branches as `_visible_to`."""
    if not isinstance(user, User) or count <= 0:
        return []
    guarded = list(
        Guardian.objects.filter(user_id=user.pk, patient_id__gt=after)
        .order_by("patient_id")
        .values_list("patient_id", flat=True)[:count]
    )
    role = role_of(user)
    if role in (Role.ADMINISTRATOR, Role.FAMILY):
        return guarded
    if role is Role.RESEARCHER:
        return []
    if not has_verified_second_factor(user):
        return []
    clinic = clinic_of(user)
    if clinic is None:
        return guarded
    shared = ClinicShare.objects.filter(clinic=clinic, withdrawn_at__isnull=True, patient_id__gt=after)
    ids = shared.order_by("patient_id").values_list("patient_id", flat=True)[:count]
    return sorted({*guarded, *ids})[:count]


def _visible_count(user: User | AnonymousUser, visible: QuerySet[Patient]) -> int:
    """How many records `_visible_to(user)` holds. For clinic staff: the clinic's records, from its
    numbers kept up to date (`ClinicWorklistCounts`), and those the user manages that are not shared with
    it (few); counted otherwise."""
    if not isinstance(user, User) or role_of(user) in (Role.ADMINISTRATOR, Role.FAMILY):
        return visible.count()
    clinic = clinic_of(user)
    if clinic is None or not has_verified_second_factor(user):
        return visible.count()
    kept = ClinicWorklistCounts.objects.filter(clinic=clinic).values_list("shared", flat=True).first()
    if kept is None:
        return visible.count()
    # Read from the user's guardianships (an index), never by probing every record.
    shared_now = ClinicShare.objects.filter(
        patient_id=OuterRef("patient_id"), clinic=clinic, withdrawn_at__isnull=True
    )
    managed_apart = Guardian.objects.filter(user_id=user.pk).exclude(Exists(shared_now)).count()
    return kept + managed_apart


def patient_list_for_family(*, user: User, purpose: Purpose) -> list[Patient]:
    """The records a family account manages, each with its summary and its active clinic shares,
    audited with `purpose`."""
    active_shares = ClinicShare.objects.filter(withdrawn_at__isnull=True).select_related("clinic")
    rows: list[Patient] = list(
        Patient.objects.filter(guardians__user_id=user.pk)
        .select_related("summary")
        .prefetch_related(Prefetch("shares", queryset=active_shares, to_attr="active_shares"))
        .order_by("display_name", "id")
    )
    audit_reads(actor=user, clinic=clinic_of(user), patient_ids=[row.pk for row in rows], purpose=purpose)
    return rows


def patient_worklist_page_for_user(
    *,
    user: User,
    clinic: Clinic,
    filters: WorklistFilter,
    position: WorklistPosition,
    per_page: int,
    purpose: Purpose,
) -> WorklistPage:
    """One page of the clinic's worklist from `position` (a link's cursor), its records audited with
    `purpose`. Only staff of `clinic` past a second factor see it; the cursor only positions the page."""
    if clinic_of(user) != clinic or not has_verified_second_factor(user):
        raise Http404("Not a clinic account.")
    page = patient_worklist_page(clinic=clinic, filters=filters, position=position, per_page=per_page)
    audit_reads(
        actor=user, clinic=clinic_of(user), patient_ids=[row.pk for row in page.object_list], purpose=purpose
    )
    return page
