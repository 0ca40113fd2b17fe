"""Reads for the administrators' page."""

from __future__ import annotations

from django.db.models import QuerySet

from smanav.accounts.models import AdministratorGrant, ResearcherGrant, StaffMembership


def staff_waiting() -> QuerySet[StaffMembership]:
    """Staff accounts asked for and not yet confirmed, oldest first."""
    return (
        StaffMembership.objects.filter(confirmed_at__isnull=True)
        .select_related("user", "clinic", "requested_by")
        .order_by("requested_at", "pk")
    )


def administrators_waiting() -> QuerySet[AdministratorGrant]:
    """Administrator accounts asked for and not yet confirmed, oldest first."""
    return (
        AdministratorGrant.objects.filter(confirmed_at__isnull=True)
        .select_related("user", "requested_by")
        .order_by("requested_at", "pk")
    )


def researchers_waiting() -> QuerySet[ResearcherGrant]:
    """Researcher accounts asked for and not yet confirmed, oldest first."""
    return (
        ResearcherGrant.objects.filter(confirmed_at__isnull=True)
        .select_related("user", "requested_by")
        .order_by("requested_at", "pk")
    )


def researchers_confirmed() -> QuerySet[ResearcherGrant]:
    """Researcher accounts with their powers, by user name."""
    return (
        ResearcherGrant.objects.filter(confirmed_at__isnull=False)
        .select_related("user", "confirmed_by")
        .order_by("user__username", "pk")
    )
