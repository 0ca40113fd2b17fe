"""The worklist's rows in the words the page shows, worked out in one pass over the page's records.

The page lists 50 records, each with its alerts, acknowledgements and due items: written cell by cell in
the template, that was a third of a request (a translated sentence, a label looked up in its table and a
date formatted for every item). Here each distinct code is looked up once a page, the stored summary's
alert fingerprints are used as kept, and the template only places finished words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from smanav import vocabulary as labels
from smanav.patients.alerts import ShownAlert, shown_fingerprinted_alerts_of, summary_alerts
from smanav.patients.models import Patient, PatientSummary
from smanav.patients.problem_words import subject_of_label

NOTHING = "—"


@dataclass(frozen=True)
class AlertTag:
    severity: str
    text: str
    # "seen by Ana Ruiz on 07/12/2026", or "" when nobody has acknowledged this alert as it reads now.
    seen: str = ""


@dataclass(frozen=True)
class DueWords:
    text: str
    overdue: bool


@dataclass(frozen=True)
class WorklistRow:
    patient: Patient
    url: str
    born: str
    sma_type: str
    urgency: str
    alerts: list[AlertTag] = field(default_factory=list)
    # "Needs information" when the record could not be evaluated (the summary kept its problem).
    needs_information: str = ""
    due: list[DueWords] = field(default_factory=list)
    last_measurement: str = NOTHING


def worklist_rows(patients: Sequence[Patient]) -> list[WorklistRow]:
    """The rows of one page of the worklist, with each alert's latest acknowledgement (one query)."""
    summaries = {patient.pk: _summary(patient) for patient in patients}
    shown = shown_fingerprinted_alerts_of(
        {
            pk: []
            if summary is None
            else summary_alerts(summary.alerts or [], summary.alert_fingerprints or [])
            for pk, summary in summaries.items()
        }
    )
    words = _Words(record_url=_record_urls())
    return [_row(patient, summaries[patient.pk], shown[patient.pk], words) for patient in patients]


def _record_urls() -> Callable[[int], str]:
    """The record page's address for an id: resolved once a page, not once a row."""
    placeholder = 999_999_999
    pattern = reverse("patients:detail", args=[placeholder])
    head, tail = pattern.split(str(placeholder))
    return lambda pk: f"{head}{pk}{tail}"


def _summary(patient: Patient) -> PatientSummary | None:
    return getattr(patient, "summary", None)


def _row(
    patient: Patient, summary: PatientSummary | None, alerts: list[ShownAlert], words: _Words
) -> WorklistRow:
    if summary is None:
        return WorklistRow(
            patient=patient,
            url=words.record_url(patient.pk),
            born=_day(patient.birth_date),
            sma_type=words.label("sma_type", ""),
            urgency=words.label("urgency", ""),
        )
    return WorklistRow(
        patient=patient,
        url=words.record_url(patient.pk),
        born=_day(patient.birth_date),
        sma_type=words.label("sma_type", summary.sma_type),
        urgency=words.label("urgency", summary.urgency),
        alerts=[_alert_tag(shown, words) for shown in alerts],
        needs_information=words.needs_information if summary.problem else "",
        due=[_due_words(item) for item in summary.due_items or [] if isinstance(item, Mapping)],
        last_measurement=_day(summary.last_assessment_on) or NOTHING,
    )


def _alert_tag(shown: ShownAlert, words: _Words) -> AlertTag:
    alert = shown.alert if isinstance(shown.alert, Mapping) else {}
    text = words.label("alert", alert.get("code"))
    if alert.get("instrument"):
        # "Motor decline (HFMSE)": the measure's name without its range, no parenthesis in a parenthesis.
        text = f"{text} ({subject_of_label(words.label('instrument', alert['instrument']))})"
    seen = ""
    if shown.acknowledgement is not None:
        seen = _("seen by %(who)s on %(when)s") % {
            "who": shown.acknowledgement.by_label,
            "when": _day(timezone.localtime(shown.acknowledgement.at)),
        }
    return AlertTag(severity=str(alert.get("severity", "")), text=text, seen=seen)


def _due_words(item: Mapping[str, Any]) -> DueWords:
    values = {"title": item.get("title", ""), "date": _day(_iso_date(item.get("due_on")))}
    if item.get("status") == "overdue":
        return DueWords(_("%(title)s: overdue since %(date)s") % values, overdue=True)
    return DueWords(_("%(title)s: due %(date)s") % values, overdue=False)


def _iso_date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _day(value: dt.date | None) -> str:
    return "" if value is None else formats.date_format(value, "SHORT_DATE_FORMAT")


class _Words:
    """Labels of codes, each looked up once a page (a page repeats the same few codes many times), and
    the records' addresses."""

    def __init__(self, *, record_url: Callable[[int], str]) -> None:
        self.record_url = record_url
        self._seen: dict[tuple[str, object], str] = {}
        self.needs_information = labels.therapy_status_label("needs_information")

    def label(self, table: str, code: object) -> str:
        key = (table, code)
        if key not in self._seen:
            self._seen[key] = labels.label(_TABLES[table], code)
        return self._seen[key]


_TABLES: Mapping[str, Mapping[Any, Any]] = {
    "alert": labels.ALERT_LABELS,
    "instrument": labels.INSTRUMENT_LABELS,
    "sma_type": labels.SMA_TYPE_LABELS,
    "urgency": labels.URGENCY_LABELS,
}
