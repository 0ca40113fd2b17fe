"""Dates in the core's sentences: "16 Nov 2026", never "2026-11-16" or "11/16/2026".

Machine-readable fields (`due_on`, `as_of`, `latest.date`) stay ISO 8601; the words a person reads are
written here, the same way in every text, so no reader in any locale can take one date for another.
"""

from __future__ import annotations

import datetime as dt

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_words(day: dt.date) -> str:
    """16 Nov 2026."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
