"""Monitoring alerts (stub)."""

from __future__ import annotations

from typing import Any

from smanav_core.facts import PatientFacts
from smanav_core.knowledge.loader import Knowledge


def detect_alerts(facts: PatientFacts, kb: Knowledge) -> list[dict[str, Any]]:
    return []
