"""Builders for test records: a valid base record, changed only where a scenario says so."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

AS_OF = dt.date(2026, 11, 21)


def born_months_ago(months: float, as_of: dt.date = AS_OF) -> str:
    return (as_of - dt.timedelta(days=round(months * 365.25 / 12))).isoformat()


def record(**changes: Any) -> dict[str, Any]:
    """A confirmed, presymptomatic one-month-old with 2 SMN2 copies in the US, with `changes` applied.

    Keys with dots change nested fields (`"genetics.smn2_copies": 3`); a value of `...` removes the field.
    """
    base: dict[str, Any] = {
        "id": "test",
        "region": "US",
        "birth_date": born_months_ago(1),
        "weight_kg": 4.2,
        "genetics": {"smn1_copies": 0, "smn2_copies": 2, "method": "mlpa"},
        "clinical": {"symptomatic": False, "current_motor_function": "non_sitter"},
    }
    result = copy.deepcopy(base)
    for key, value in changes.items():
        target = result
        parts = key.split(".")
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        if value is ...:
            target.pop(parts[-1], None)
        else:
            target[parts[-1]] = value
    return result
