"""When a consent counts: the age from which a person decides for themselves, and when a participant is
due to be invited to review their data.

Both are settings, not clinical facts (ADR 0017). `SMANAV_CONSENT_AGE_BY_REGION` reads like
`"*:18,UK:16"`: the age in whole years from which the person's own consent is asked for, per region, with
`*` for every region not named. The UK registry of the TREAT-NMD network lets a patient hold their own
account from 16 (docs/registry.md cites it); 18 elsewhere is a project decision, to be set by each
installation from its own law. `SMANAV_CONSENT_REVIEW_MONTHS` (default 6, as in that registry) is how
often participants are invited to review their data and consents.

A consent a parent gave for a child stops counting on the day the child reaches that age: until the
person gives it themselves the record is left out of every export and dashboard (fail closed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from smanav_core.facts import add_months

DEFAULT_AGE_BY_REGION = "*:18,UK:16"
DEFAULT_REVIEW_MONTHS = 6
ANY_REGION = "*"


def parse_ages(text: str) -> dict[str, int]:
    """`"*:18,UK:16"` as `{"*": 18, "UK": 16}`; a malformed value stops the application (fail closed)."""
    ages: dict[str, int] = {}
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        region, _, years = part.partition(":")
        if not region.strip() or not years.strip().isdigit() or not 10 <= int(years) <= 25:
            raise ImproperlyConfigured(
                f"SMANAV_CONSENT_AGE_BY_REGION: {part!r} is not REGION:AGE with an age from 10 to 25"
            )
        ages[region.strip().upper()] = int(years)
    if ANY_REGION not in ages:
        raise ImproperlyConfigured("SMANAV_CONSENT_AGE_BY_REGION must give an age for every region ('*:AGE')")
    return ages


def ages_by_region() -> Mapping[str, int]:
    return parse_ages(getattr(settings, "SMANAV_CONSENT_AGE_BY_REGION", DEFAULT_AGE_BY_REGION))


def review_months() -> int:
    months = int(getattr(settings, "SMANAV_CONSENT_REVIEW_MONTHS", DEFAULT_REVIEW_MONTHS))
    if months < 1:
        raise ImproperlyConfigured("SMANAV_CONSENT_REVIEW_MONTHS must be at least 1")
    return months


def consent_age(region: str) -> int:
    """The age (years) from which a person of `region` gives consent themselves."""
    ages = ages_by_region()
    return ages.get(region.upper(), ages[ANY_REGION])


def birthday(birth_date: dt.date, years: int) -> dt.date:
    """The day a person born on `birth_date` is `years` old (28 February for 29 February outside leap
    years)."""
    return add_months(birth_date, 12 * years)


def comes_of_age_on(*, birth_date: dt.date, region: str) -> dt.date:
    return birthday(birth_date, consent_age(region))


def decides_for_themselves(*, birth_date: dt.date, region: str, on: dt.date) -> bool:
    return on >= comes_of_age_on(birth_date=birth_date, region=region)


def review_due_on(reviewed_on: dt.date) -> dt.date:
    return add_months(reviewed_on, review_months())


@dataclass(frozen=True, slots=True)
class ConsentState:
    """How one purpose stands for one person on one day, as the family's page and the API say it."""

    purpose: str
    # "given", "withdrawn", "never_asked", or "ask_again" (a parent's consent lapsed at coming of age).
    status: str
    counts: bool
    text_version: int | None
    given_on: dt.date | None
    given_as: str | None
    withdrawn_on: dt.date | None
    review_due_on: dt.date | None
    newer_text_version: int | None
