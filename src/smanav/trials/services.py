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
    record: object, *, as_of: dt.date, near: str | None = None, country: str | None = None
) -> JsonDocument:
    """The match as a JSON-ready document. Raises the core's `InvalidInput` for a bad record."""
    facts = patient_facts(record, as_of=as_of)
    location: Location | None = None
    place: dict[str, object] | None = None
    if near and near.strip():
        found = locate(near, country)
        if isinstance(found, Unresolved):
            place = {"found": False, "query": near, "suggestions": list(found.suggestions)}
        else:
            location = found
            place = {
                "found": True,
                "label": found.label,
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
