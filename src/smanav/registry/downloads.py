"""The registry's part of a record's "Download my data": every consent decision (given, withdrawn,
reviewed, to which version of which text, by whom) and every registry report with who made it. Free text
the family wrote is theirs and is included; nothing of another record is."""

from __future__ import annotations

import datetime as dt
from typing import Any

from smanav.patients.models import Patient
from smanav.registry.models import ReportedValue
from smanav.registry.selectors import consent_history


def _when(moment: dt.datetime | dt.date | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _who(user: Any) -> str | None:
    return None if user is None else str(user.get_username())


def consents_section(patient: Patient) -> list[dict[str, object]]:
    return [
        {
            "purpose": c.purpose,
            "text_version": c.text.version,
            "text_title": c.text.title,
            "given_as": c.given_as,
            "given_on": _when(c.given_on),
            "given_by": _who(c.given_by),
            "reviewed_on": _when(c.reviewed_on),
            "withdrawn_at": _when(c.withdrawn_at),
            "withdrawn_by": _who(c.withdrawn_by),
        }
        for c in consent_history(patient=patient).order_by("created_at", "id")
    ]


def reports_section(patient: Patient) -> list[dict[str, object]]:
    rows = ReportedValue.objects.filter(patient=patient).select_related("author", "removed_by")
    return [
        {
            "item": r.item,
            "reported_by": r.reported_by,
            "code": r.code or None,
            "number": r.number,
            "date": _when(r.date),
            "end_date": _when(r.end_date),
            "note": r.note or None,
            "author": _who(r.author),
            "created_at": _when(r.created_at),
            "removed_at": _when(r.removed_at),
            "removed_by": _who(r.removed_by),
        }
        for r in rows.order_by("created_at", "id")
    ]
