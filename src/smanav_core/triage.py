"""Triage for adults with weakness or back problems (stub)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from smanav_core.knowledge.loader import Knowledge, load_knowledge
from smanav_core.validation import validate_triage_answers

TRIAGE_SCHEMA = "smanav.triage/1"


def triage(answers: Mapping[str, Any], *, as_of: dt.date, knowledge: Knowledge | None = None) -> dict[str, Any]:
    from smanav_core.engine import DISCLAIMER

    kb = knowledge or load_knowledge()
    validate_triage_answers(answers)
    del kb
    return {
        "schema": TRIAGE_SCHEMA,
        "as_of": as_of.isoformat(),
        "pattern": "nonspecific",
        "recommendation": "see_primary_care_or_spine_specialist",
        "urgency": "routine",
        "reasons": [],
        "next_steps": [],
        "disclaimer": DISCLAIMER,
    }
