"""The trials app's entry points for the API, the page and the CLI (the imports are in `importing.py`),
and where a family wants to hear of newly recruiting trials (the notices page)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from smanav.accounts.models import User
from smanav.geo.models import ATTRIBUTION
from smanav.geo.selectors import Location, Unresolved, locate
from smanav.trials.models import TrialNewsPlace
from smanav.trials.selectors import DISCLAIMER, match_trials, patient_facts
from smanav_core.ages import age_words
from smanav_core.evaluation import JsonDocument
from smanav_core.knowledge.loader import load_knowledge


def trials_match_document(
    record: object,
    *,
    as_of: dt.date,
    near: str | None = None,
    country: str | None = None,
    prefer_country: str | None = None,
) -> JsonDocument:
    """The match as a JSON-ready document. Raises the core's `InvalidInput` for a bad record.

    `prefer_country` (the reader's, see `smanav.user_locale`) decides a place found in several
    countries; without it such a place is not found and the answer lists the choices."""
    facts = patient_facts(record, as_of=as_of)
    location: Location | None = None
    place: dict[str, object] | None = None
    if near and near.strip():
        found = locate(near, country, prefer=prefer_country)
        if isinstance(found, Unresolved):
            place = {
                "found": False,
                "query": near,
                "ambiguous": found.ambiguous,
                "suggestions": list(found.suggestions),
                "choices": [
                    {"near": c.near, "name": c.name, "country": c.country_code} for c in found.choices
                ],
            }
        else:
            location = found
            place = {
                "found": True,
                "label": found.label,
                "name": found.display_name,
                "latitude": found.latitude,
                "longitude": found.longitude,
            }
    matches = match_trials(facts, location=location)
    return {
        "as_of": as_of.isoformat(),
        # The curated trial criteria are part of the knowledge base: the answer says which one it read.
        "knowledge_version": load_knowledge().version,
        "person": {
            "age_months": round(facts.age_months, 1),
            "age_label": age_words(facts.record.birth_date, as_of),
            "diagnosis": facts.diagnosis.value,
            "sma_type": None if facts.sma_type is None else facts.sma_type.value,
            "functional_group": None if facts.functional_group is None else facts.functional_group.value,
            "smn2_copies": facts.smn2_copies,
        },
        "near": place,
        "trials": [match.as_dict() for match in matches],
        "disclaimer": DISCLAIMER,
        "attribution": ATTRIBUTION if location is not None else None,
    }


# How far a family may ask to hear of trials, in km: beyond this a trial is "anywhere" rather than near.
TRIAL_NEWS_MAX_KM = 1000


@transaction.atomic
def trial_news_place_set(
    *, user: User, query: str, place: Location, distance_km: int, by_email: bool
) -> TrialNewsPlace:
    """Keep where the account wants to hear of newly recruiting trials (a place already resolved with
    `geo.selectors.locate`) and how far, in km, it would travel."""
    if not 1 <= distance_km <= TRIAL_NEWS_MAX_KM:
        raise ValueError(f"distance_km must be from 1 to {TRIAL_NEWS_MAX_KM}")
    found, _created = TrialNewsPlace.objects.update_or_create(
        user=user,
        defaults={
            "query": " ".join(query.split())[:200],
            "label": place.display_name[:300],
            "country_code": place.country_code[:2],
            "latitude": place.latitude,
            "longitude": place.longitude,
            "distance_km": distance_km,
            "by_email": by_email,
        },
    )
    return found


def trial_news_place_clear(*, user: User) -> None:
    """No more trial news for the account: its place is forgotten."""
    TrialNewsPlace.objects.filter(user=user).delete()


def trial_news_place_of(user: User) -> TrialNewsPlace | None:
    return TrialNewsPlace.objects.filter(user=user).first()
