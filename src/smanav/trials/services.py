"""The trials app's entry points for the API, the page and the CLI (the writes are in `importing.py`)."""

from __future__ import annotations

import datetime as dt

from smanav.geo.models import ATTRIBUTION
from smanav.geo.selectors import Location, Unresolved, locate
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
