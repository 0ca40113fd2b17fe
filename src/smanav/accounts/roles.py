"""What kind of account a user is. Every access decision starts here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef

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


@dataclass(frozen=True, slots=True)
class Grants:
    """What the account was granted or asked for, read in one query per request."""

    staff: bool  # a clinic membership, confirmed or waiting
    researcher: bool  # a researcher grant, confirmed or waiting
    researcher_confirmed: bool
    administrator: bool  # an administrator grant, confirmed or waiting


def _grants(user: User) -> Grants:
    def load() -> Grants:
        mine = {"user_id": OuterRef("pk")}
        row = (
            User.objects.filter(pk=user.pk)
            .annotate(
                grant_staff=Exists(StaffMembership.objects.filter(**mine)),
                grant_researcher=Exists(ResearcherGrant.objects.filter(**mine)),
                grant_researcher_confirmed=Exists(
                    ResearcherGrant.objects.filter(**mine, confirmed_at__isnull=False)
                ),
                grant_administrator=Exists(AdministratorGrant.objects.filter(**mine)),
            )
            .values_list(
                "grant_staff", "grant_researcher", "grant_researcher_confirmed", "grant_administrator"
            )
            .first()
        )
        return Grants(*(bool(value) for value in row)) if row else Grants(False, False, False, False)

    found: Grants = _cached(user, "_smanav_grants", load)
    return found


def membership_of(user: User | AnonymousUser) -> StaffMembership | None:
    """The user's confirmed clinic membership. One still waiting for confirmation gives nothing."""
    if not user.is_authenticated or not _grants(user).staff:
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
    return _grants(user).researcher_confirmed


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
    grants = _grants(user)
    return grants.staff or grants.researcher or grants.administrator


def has_verified_second_factor(user: User | AnonymousUser) -> bool:
    """Whether the user passed a TOTP check in this session (django-otp's `is_verified`), or the request
    came with an API token, which only a session that passed one can make (`User.via_api_token`)."""
    if not isinstance(user, User):
        return False
    if user.via_api_token:
        return True
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified is not None and is_verified())
