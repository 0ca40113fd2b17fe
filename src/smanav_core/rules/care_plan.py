"""Individual care plan from the standards of care (stub)."""

from __future__ import annotations

from typing import Any

from smanav_core.facts import PatientFacts
from smanav_core.knowledge.loader import Knowledge


def build_care_plan(facts: PatientFacts, kb: Knowledge) -> list[dict[str, Any]]:
    return []
