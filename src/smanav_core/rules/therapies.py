"""Therapy eligibility by region (stub: filled in by the therapy rules work)."""

from __future__ import annotations

from typing import Any

from smanav_core.codes import TherapyId
from smanav_core.facts import PatientFacts
from smanav_core.knowledge.loader import Knowledge


def assess_therapies(facts: PatientFacts, kb: Knowledge) -> list[dict[str, Any]]:
    return [
        {"therapy": therapy.value, "status": "needs_information",
         "reasons": [{"code": "not_implemented", "text": "Not implemented yet.", "sources": []}]}
        for therapy in TherapyId
    ]
