"""What kind of account a user is. Every access decision starts here."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

from django.contrib.auth.models import AnonymousUser

from smanav.accounts.models import (
    AdministratorGrant,
    Clinic,
    ResearcherGrant,
    StaffMembership,
    StaffRole,
    User,
)

T = TypeVar("T")


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    FAMILY = "family"
    CLINICIAN = "clinician"
    COORDINATOR = "coordinator"
    RESEARCHER = "researcher"
    ADMINISTRATOR = "administrator"


def _cached(user: User, key: str, load: Callable[[], T]) -> T:
    """`load()` once per user object: the answers hold for the rest of the request."""
    if key not in user.__dict__:
        user.__dict__[key] = load()
    found: T = user.__dict__[key]
    return found


def membership_of(user: User | AnonymousUser) -> StaffMembership | None:
    """The user's confirmed clinic membership. One still waiting for confirmation gives nothing."""
    if not user.is_authenticated:
        return None
    membership: StaffMembership | None = _cached(
        user,
        "_smanav_membership",
        lambda: (
            StaffMembership.objects.select_related("clinic")
            .filter(user_id=user.pk, confirmed_at__isnull=False)
            .first()
        ),
    )
    return membership


def is_administrator(user: User | AnonymousUser) -> bool:
    """A superuser whose administrator grant was confirmed. The superuser flag alone (set by a shell, by
    `createsuperuser` while waiting for confirmation, or by hand in the database) grants nothing."""
    if not user.is_authenticated or not user.is_active or not user.is_superuser:
        return False
    confirmed: bool = _cached(
        user,
        "_smanav_administrator",
        lambda: AdministratorGrant.objects.filter(user_id=user.pk, confirmed_at__isnull=False).exists(),
    )
    return confirmed


def is_researcher(user: User | AnonymousUser) -> bool:
    """An account whose researcher grant was confirmed (one still waiting gives nothing)."""
    if not user.is_authenticated:
        return False
    confirmed: bool = _cached(
        user,
        "_smanav_researcher",
        lambda: ResearcherGrant.objects.filter(user_id=user.pk, confirmed_at__isnull=False).exists(),
    )
    return confirmed


def clinic_of(user: User | AnonymousUser) -> Clinic | None:
    membership = membership_of(user)
    return None if membership is None else membership.clinic


def role_of(user: User | AnonymousUser) -> Role:
    if not user.is_authenticated:
        return Role.ANONYMOUS
    if is_administrator(user):
        return Role.ADMINISTRATOR
    membership = membership_of(user)
    if membership is None:
        return Role.RESEARCHER if is_researcher(user) else Role.FAMILY
    if membership.role == StaffRole.COORDINATOR:
        return Role.COORDINATOR
    return Role.CLINICIAN


def is_staff_member(user: User | AnonymousUser) -> bool:
    return role_of(user) in (Role.CLINICIAN, Role.COORDINATOR)


def needs_second_factor(user: User | AnonymousUser) -> bool:
    """Every account with powers beyond its own records, or asking for them, passes a TOTP check before
    any signed-in page: clinic staff, researchers, administrators, and any account Django flags as
    superuser or staff, confirmed or still waiting."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    has_grant: bool = _cached(
        user,
        "_smanav_has_grant",
        lambda: (
            StaffMembership.objects.filter(user_id=user.pk).exists()
            or ResearcherGrant.objects.filter(user_id=user.pk).exists()
            or AdministratorGrant.objects.filter(user_id=user.pk).exists()
        ),
    )
    return has_grant


def has_verified_second_factor(user: User | AnonymousUser) -> bool:
    """Whether the user passed a TOTP check in this session (django-otp's `is_verified`), or the request
    came with an API token, which only a session that passed one can make (`User.via_api_token`)."""
    if not isinstance(user, User):
        return False
    if user.via_api_token:
        return True
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified is not None and is_verified())
