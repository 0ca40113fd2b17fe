"""Reads of the registry. `consented_patients` is the one way an export, a dashboard or a count of the
registry finds its patients: a patient without a consent that counts today for that purpose (never
asked, withdrawn, or given by a parent for someone who has since come of age) is not in it.

These selectors are not audited themselves: they hand out no record to a person. The exports that read
the records they select write the audit events (`registry.exports`).
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.db.models import Exists, Min, OuterRef, Q, QuerySet

from smanav.patients.models import Patient
from smanav.registry.consent import (
    ANY_REGION,
    ConsentState,
    ages_by_region,
    decides_for_themselves,
    review_due_on,
    review_months,
)
from smanav.registry.models import Consent, ConsentGivenAs, ConsentPurpose, ConsentText
from smanav_core.facts import add_months


def latest_birth_date_of_age(*, on: dt.date, years: int) -> dt.date:
    """The latest date of birth of someone who is `years` old on `on` (consent.birthday's inverse)."""
    cutoff = add_months(on, -12 * years)
    # Born on 29 February: `birthday` puts the birthday on 28 February in other years.
    if (on.month, on.day) == (2, 28) and not calendar.isleap(on.year) and calendar.isleap(cutoff.year):
        cutoff = cutoff.replace(day=29)
    return cutoff


def _still_a_child(on: dt.date) -> Q:
    """Patients who on `on` have not reached their region's consent age (see `registry.consent`)."""
    ages = dict(ages_by_region())
    default_age = ages.pop(ANY_REGION)
    condition = ~Q(region__in=list(ages)) & Q(
        birth_date__gt=latest_birth_date_of_age(on=on, years=default_age)
    )
    for region, years in ages.items():
        condition |= Q(region=region, birth_date__gt=latest_birth_date_of_age(on=on, years=years))
    return condition


def consented_patients(*, purpose: ConsentPurpose, on: dt.date) -> QuerySet[Patient]:
    """Every patient whose consent to `purpose` counts on `on`: given on or before that day, not
    withdrawn, and given by the person themselves or, while they are still a child, by a parent."""
    active = Consent.objects.filter(
        patient=OuterRef("pk"), purpose=purpose, withdrawn_at__isnull=True, given_on__lte=on
    )
    by_self = active.filter(given_as=ConsentGivenAs.SELF)
    by_parent = active.filter(given_as=ConsentGivenAs.PARENT)
    return Patient.objects.filter(Q(Exists(by_self)) | (Q(Exists(by_parent)) & _still_a_child(on)))


def current_texts(*, on: dt.date) -> dict[str, ConsentText]:
    """The newest published text of each purpose on `on`."""
    texts: dict[str, ConsentText] = {}
    for text in ConsentText.objects.filter(published_on__lte=on).order_by("purpose", "-version"):
        texts.setdefault(text.purpose, text)
    return texts


def consent_history(*, patient: Patient) -> QuerySet[Consent]:
    return Consent.objects.filter(patient=patient).select_related("text", "given_by", "withdrawn_by")


def consent_states(*, patient: Patient, on: dt.date) -> list[ConsentState]:
    """How each purpose stands for `patient` on `on`, in the order of `ConsentPurpose`."""
    texts = current_texts(on=on)
    latest: dict[str, Consent] = {}
    for row in consent_history(patient=patient).order_by("purpose", "-created_at", "-id"):
        latest.setdefault(row.purpose, row)
    adult = decides_for_themselves(birth_date=patient.birth_date, region=patient.region, on=on)
    states = []
    for purpose in ConsentPurpose:
        consent = latest.get(purpose.value)
        current = texts.get(purpose.value)
        if consent is None:
            status = "never_asked"
        elif consent.withdrawn_at is not None:
            status = "withdrawn"
        elif consent.given_as == ConsentGivenAs.PARENT and adult:
            status = "ask_again"
        else:
            status = "given"
        active = consent is not None and consent.withdrawn_at is None
        states.append(
            ConsentState(
                purpose=purpose.value,
                status=status,
                counts=status == "given" and consent is not None and consent.given_on <= on,
                text_version=None if consent is None else consent.text.version,
                given_on=None if consent is None else consent.given_on,
                given_as=None if consent is None else consent.given_as,
                withdrawn_on=None
                if consent is None or consent.withdrawn_at is None
                else consent.withdrawn_at.date(),
                review_due_on=review_due_on(consent.reviewed_on) if active and consent is not None else None,
                newer_text_version=(
                    current.version
                    if current is not None
                    and consent is not None
                    and active
                    and current.version > consent.text.version
                    else None
                ),
            )
        )
    return states


def review_due_date(*, patient: Patient) -> dt.date | None:
    """When this participant is next to be invited to review their data: the earliest review date of
    their consents still in force, plus the review interval. None when no consent is in force."""
    earliest = Consent.objects.filter(patient=patient, withdrawn_at__isnull=True).aggregate(
        first=Min("reviewed_on")
    )["first"]
    return None if earliest is None else review_due_on(earliest)


def participants_due_for_review(*, on: dt.date) -> QuerySet[Patient]:
    """Registry participants whose review invitation is due on or before `on`."""
    reviewed_before = add_months(on, -review_months())
    stale = Consent.objects.filter(
        patient=OuterRef("pk"), withdrawn_at__isnull=True, reviewed_on__lte=reviewed_before
    )
    return consented_patients(purpose=ConsentPurpose.REGISTRY, on=on).filter(Exists(stale))
