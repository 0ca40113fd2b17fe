"""The access chokepoints for patient records. Views and API endpoints never query patients directly.

Someone else's record answers "not found" (Http404), never "forbidden", so that nobody learns that a
record exists. Administrators run the service but do not read clinical records through it.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from smanav.accounts.models import User
from smanav.accounts.roles import Role, clinic_of, has_verified_second_factor, role_of
from smanav.patients.models import ClinicShare, Guardian, Patient


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


def patients_visible_to(user: User | AnonymousUser) -> QuerySet[Patient]:
    """Every record the user may open: the ones they manage, and for verified clinic staff the ones
    shared with their clinic."""
    if not isinstance(user, User):
        return Patient.objects.none()
    role = role_of(user)
    if role is Role.ADMINISTRATOR:
        return Patient.objects.filter(_guarded_by(user))
    if role is Role.FAMILY:
        return Patient.objects.filter(_guarded_by(user))
    if not has_verified_second_factor(user):
        return Patient.objects.none()
    return Patient.objects.filter(_guarded_by(user) | _shared_with_clinic_of(user))


def patient_get_for_user(*, user: User | AnonymousUser, patient_id: int) -> Patient:
    """The record, if the user may see it; otherwise Http404."""
    patient = patients_visible_to(user).filter(pk=patient_id).first()
    if patient is None:
        raise Http404("No such patient record.")
    return patient


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


def patient_get_for_editor(*, user: User | AnonymousUser, patient_id: int) -> Patient:
    """The record, if the user may change it; a record they may only read also answers Http404."""
    patient = patient_get_for_user(user=user, patient_id=patient_id)
    if not user_may_edit_patient(user=user, patient=patient):
        raise Http404("No such patient record.")
    return patient


def patient_get_for_manager(*, user: User | AnonymousUser, patient_id: int) -> Patient:
    patient = patient_get_for_user(user=user, patient_id=patient_id)
    if not user_manages_patient(user=user, patient=patient):
        raise Http404("No such patient record.")
    return patient
