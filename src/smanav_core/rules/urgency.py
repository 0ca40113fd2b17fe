"""Urgency (stub, written next)."""

from __future__ import annotations

from typing import Any

from smanav_core.facts import PatientFacts
from smanav_core.knowledge.loader import Knowledge


def assess_urgency(facts: PatientFacts, kb: Knowledge, therapies: list[dict[str, Any]]) -> dict[str, Any]:
    return {"level": "routine", "reasons": []}
