"""Which alerts of a record a clinician has acknowledged.

An alert is known by its fingerprint: a digest of the whole alert as the contract writes it (code,
measure, sentence, dates, values, rule, sources). The record page has the core's typed alert, the worklist
the same alert as its summary kept it; both give the same fingerprint, so an acknowledgement shows in
both places. New data that brings the alert back (another fall, a later due date, an item now overdue)
changes what it says, so it shows as new again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from smanav.patients.models import AlertAcknowledgement

if TYPE_CHECKING:
    from smanav_core.evaluation import Alert


def alert_fingerprint(alert: Alert | Mapping[str, object]) -> str:
    """The digest of an alert (a typed alert of the core, or its document as a summary keeps it)."""
    document: Mapping[str, object] = alert if isinstance(alert, Mapping) else alert.to_json()
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:40]


@dataclass(frozen=True)
class ShownAlert:
    """An alert as a page shows it: the alert, its fingerprint and its latest acknowledgement, if any."""

    alert: object
    fingerprint: str
    acknowledgement: AlertAcknowledgement | None


def latest_acknowledgements(*, patient_ids: Iterable[int]) -> dict[tuple[int, str], AlertAcknowledgement]:
    """The newest acknowledgement of each (patient, fingerprint) among these records, in one query."""
    latest: dict[tuple[int, str], AlertAcknowledgement] = {}
    rows = AlertAcknowledgement.objects.filter(patient_id__in=list(patient_ids)).order_by("at", "id")
    for row in rows:
        latest[(row.patient_id, row.fingerprint)] = row
    return latest


def shown_alerts(
    alerts: Iterable[Alert | Mapping[str, object]],
    *,
    patient_id: int,
    acknowledged: Mapping[tuple[int, str], AlertAcknowledgement],
) -> list[ShownAlert]:
    shown = []
    for alert in alerts:
        fingerprint = alert_fingerprint(alert)
        shown.append(ShownAlert(alert, fingerprint, acknowledged.get((patient_id, fingerprint))))
    return shown
