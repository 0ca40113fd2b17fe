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
from collections.abc import Iterable, Mapping, Sequence
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


# An alert (typed, or its document) with its fingerprint.
FingerprintedAlert = tuple["Alert | Mapping[str, object]", str]


@dataclass(frozen=True)
class ShownAlert:
    """An alert as a page shows it: the alert, its fingerprint and its latest acknowledgement, if any."""

    alert: object
    fingerprint: str
    acknowledgement: AlertAcknowledgement | None


def shown_alerts_of(
    alerts_by_patient: Mapping[int, Iterable[Alert | Mapping[str, object]]],
) -> dict[int, list[ShownAlert]]:
    """Each record's alerts with their latest acknowledgements, read in one query for all the records
    (only the acknowledgements of the alerts shown now: older ones are of alerts that have changed)."""
    return shown_fingerprinted_alerts_of(
        {
            patient_id: [(alert, alert_fingerprint(alert)) for alert in alerts]
            for patient_id, alerts in alerts_by_patient.items()
        }
    )


def summary_alerts(
    alerts: Sequence[Mapping[str, object]], fingerprints: Sequence[str]
) -> list[FingerprintedAlert]:
    """A summary's alerts with the fingerprints kept beside them; worked out again for a summary kept
    before they were (its next refresh keeps them)."""
    if len(fingerprints) != len(alerts):
        fingerprints = [alert_fingerprint(alert) for alert in alerts]
    return list(zip(alerts, fingerprints, strict=True))


def shown_fingerprinted_alerts_of(
    fingerprinted: Mapping[int, Sequence[FingerprintedAlert]],
) -> dict[int, list[ShownAlert]]:
    """`shown_alerts_of` for alerts whose fingerprints are known already (a summary keeps them)."""
    wanted = {fingerprint for pairs in fingerprinted.values() for _, fingerprint in pairs}
    latest: dict[tuple[int, str], AlertAcknowledgement] = {}
    if wanted:
        rows = AlertAcknowledgement.objects.filter(
            patient_id__in=list(fingerprinted), fingerprint__in=list(wanted)
        ).order_by("at", "id")
        for row in rows:
            latest[(row.patient_id, row.fingerprint)] = row
    return {
        patient_id: [
            ShownAlert(alert, fingerprint, latest.get((patient_id, fingerprint)))
            for alert, fingerprint in pairs
        ]
        for patient_id, pairs in fingerprinted.items()
    }
