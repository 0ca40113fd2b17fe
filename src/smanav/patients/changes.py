"""What one change to a record was, kept as a code and its values so every reader sees it in their language.

A version row stores the change's kind and values (`PatientRecordVersion.change`, `.change_values`) as
well as a fixed English sentence (`summary`), which the audit log and the API keep for machines and for
rows written before the kind existed. Pages call `change_text`, which translates the sentence and writes
dates, numbers and names the way the reader's locale does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.db import models
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from smanav.patients.labels import INSTRUMENT_LABELS, THERAPY_LABELS, label


class ChangeKind(models.TextChoices):
    CREATED = "created", _("record created")
    DETAILS_CHANGED = "details_changed", _("record details changed")
    ASSESSMENT_RECORDED = "assessment_recorded", _("measurement recorded")
    ASSESSMENT_REMOVED = "assessment_removed", _("measurement removed")
    TREATMENT_RECORDED = "treatment_recorded", _("treatment recorded")
    TREATMENT_ENDED = "treatment_ended", _("treatment ended")


@dataclass(frozen=True)
class RecordChange:
    """One change: its kind and the values its sentence quotes (ISO dates, plain numbers, codes)."""

    kind: ChangeKind
    values: Mapping[str, str] = field(default_factory=dict)

    def english(self) -> str:
        """The fixed English sentence stored with the version and written to the audit log."""
        v = self.values
        sentences: dict[ChangeKind, Callable[[], str]] = {
            ChangeKind.CREATED: lambda: "record created",
            ChangeKind.DETAILS_CHANGED: lambda: "record details changed",
            ChangeKind.ASSESSMENT_RECORDED: lambda: f"{v['instrument']} {v['value']} on {v['date']} recorded",
            ChangeKind.ASSESSMENT_REMOVED: lambda: f"{v['instrument']} {v['value']} on {v['date']} removed",
            ChangeKind.TREATMENT_RECORDED: lambda: (
                f"treatment {v['therapy']} from {v['start_date']} recorded"
            ),
            ChangeKind.TREATMENT_ENDED: lambda: f"treatment {v['therapy']} ended on {v['end_date']}",
        }
        return sentences[self.kind]()[:200]


def _date(value: str) -> str:
    return str(formats.date_format(dt.date.fromisoformat(value), "DATE_FORMAT", use_l10n=True))


def _number(value: str) -> str:
    return str(formats.number_format(float(value), use_l10n=True)).rstrip("0").rstrip(".,") or "0"


def change_text(kind: str, values: Mapping[str, str], fallback: str) -> str:
    """The change in the reader's language; `fallback` (the stored English) for unknown or old rows."""
    try:
        known = ChangeKind(kind)
    except ValueError:
        return fallback
    v = values
    try:
        if known is ChangeKind.ASSESSMENT_RECORDED or known is ChangeKind.ASSESSMENT_REMOVED:
            words = {
                "instrument": label(INSTRUMENT_LABELS, v["instrument"]),
                "value": _number(v["value"]),
                "date": _date(v["date"]),
            }
            if known is ChangeKind.ASSESSMENT_RECORDED:
                return gettext("Measurement recorded: %(instrument)s %(value)s on %(date)s") % words
            return gettext("Measurement removed: %(instrument)s %(value)s on %(date)s") % words
        if known is ChangeKind.TREATMENT_RECORDED:
            return gettext("Treatment recorded: %(therapy)s from %(date)s") % {
                "therapy": label(THERAPY_LABELS, v["therapy"]),
                "date": _date(v["start_date"]),
            }
        if known is ChangeKind.TREATMENT_ENDED:
            return gettext("Treatment ended: %(therapy)s on %(date)s") % {
                "therapy": label(THERAPY_LABELS, v["therapy"]),
                "date": _date(v["end_date"]),
            }
    except (KeyError, ValueError):
        # A row whose values do not fit its kind is shown as it was stored, never hidden.
        return fallback
    return str(known.label).capitalize()
