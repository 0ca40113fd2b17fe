"""What kind of account a user is. Every access decision starts here."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from smanav.accounts.models import Clinic, StaffMembership, StaffRole


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    FAMILY = "family"
    CLINICIAN = "clinician"
    COORDINATOR = "coordinator"
    ADMINISTRATOR = "administrator"


def membership_of(user: Any) -> StaffMembership | None:
    """The user's clinic membership, cached on the user object for the rest of the request."""
    if not user.is_authenticated:
        return None
    if "_smanav_membership" in user.__dict__:
        cached: StaffMembership | None = user.__dict__["_smanav_membership"]
        return cached
    membership = StaffMembership.objects.select_related("clinic").filter(user_id=user.pk).first()
    user.__dict__["_smanav_membership"] = membership
    return membership


def clinic_of(user: Any) -> Clinic | None:
    membership = membership_of(user)
    return None if membership is None else membership.clinic


def role_of(user: Any) -> Role:
    if not user.is_authenticated:
        return Role.ANONYMOUS
    if user.is_superuser:
        return Role.ADMINISTRATOR
    membership = membership_of(user)
    if membership is None:
        return Role.FAMILY
    if membership.role == StaffRole.COORDINATOR:
        return Role.COORDINATOR
    return Role.CLINICIAN


def is_staff_member(user: Any) -> bool:
    return role_of(user) in (Role.CLINICIAN, Role.COORDINATOR)


def has_verified_second_factor(user: Any) -> bool:
    """Clinic staff must have passed a TOTP check in this session (django-otp sets `is_verified`)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified is not None and is_verified())
