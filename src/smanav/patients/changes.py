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
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from smanav.patients.detail_changes import details_sentences, measurement_words
from smanav.vocabulary import INSTRUMENT_LABELS, LAB_TEST_LABELS, REGIMEN_LABELS, THERAPY_LABELS, label


class ChangeKind(models.TextChoices):
    CREATED = "created", _("record created")
    DETAILS_CHANGED = "details_changed", _("record details changed")
    ASSESSMENT_RECORDED = "assessment_recorded", _("measurement recorded")
    ASSESSMENT_REMOVED = "assessment_removed", _("measurement removed")
    TREATMENT_RECORDED = "treatment_recorded", _("treatment recorded")
    TREATMENT_ENDED = "treatment_ended", _("treatment ended")
    REGIMEN_SET = "regimen_set", _("regimen recorded")
    DOSE_RECORDED = "dose_recorded", _("dose recorded")
    DOSE_REMOVED = "dose_removed", _("dose removed")
    LAB_TESTS_RECORDED = "lab_tests_recorded", _("safety tests recorded")
    LAB_TEST_REMOVED = "lab_test_removed", _("safety test removed")


def _date(value: str) -> str:
    return str(formats.date_format(dt.date.fromisoformat(value), "DATE_FORMAT", use_l10n=True))


def _number(value: str) -> str:
    return str(formats.number_format(float(value), use_l10n=True)).rstrip("0").rstrip(".,") or "0"


# How each stored value is written for the reader.
_WORDS: dict[str, Callable[[str], str]] = {
    "instrument": lambda code: label(INSTRUMENT_LABELS, code),
    "therapy": lambda code: label(THERAPY_LABELS, code),
    "value": _number,
    "date": _date,
    "start_date": _date,
    "end_date": _date,
    "regimen": lambda code: label(REGIMEN_LABELS, code),
    "tests": lambda codes: ", ".join(label(LAB_TEST_LABELS, code) for code in codes.split()),
}
# Each kind's fixed English sentence (`str.format`) and its sentence for pages (translated, `%`), or
# None where the kind's label says it all.
_SENTENCES: dict[ChangeKind, tuple[str, Promise | None]] = {
    ChangeKind.CREATED: ("record created", None),
    ChangeKind.DETAILS_CHANGED: ("record details changed", None),
    ChangeKind.ASSESSMENT_RECORDED: (
        "{instrument} {value} on {date} recorded",
        _("%(measurement)s added for %(date)s"),
    ),
    ChangeKind.ASSESSMENT_REMOVED: (
        "{instrument} {value} on {date} removed",
        _("%(measurement)s of %(date)s removed"),
    ),
    ChangeKind.TREATMENT_RECORDED: (
        "treatment {therapy} from {start_date} recorded",
        _("Treatment recorded: %(therapy)s from %(start_date)s"),
    ),
    ChangeKind.TREATMENT_ENDED: (
        "treatment {therapy} ended on {end_date}",
        _("Treatment ended: %(therapy)s on %(end_date)s"),
    ),
    ChangeKind.REGIMEN_SET: (
        "treatment {therapy}: regimen {regimen} recorded",
        _("Regimen recorded: %(therapy)s, %(regimen)s"),
    ),
    ChangeKind.DOSE_RECORDED: (
        "dose of {therapy} on {date} recorded",
        _("Dose recorded: %(therapy)s on %(date)s"),
    ),
    ChangeKind.DOSE_REMOVED: (
        "dose of {therapy} on {date} removed",
        _("Dose removed: %(therapy)s on %(date)s"),
    ),
    ChangeKind.LAB_TESTS_RECORDED: (
        "safety tests {tests} on {date} recorded",
        _("Safety tests recorded: %(tests)s on %(date)s"),
    ),
    ChangeKind.LAB_TEST_REMOVED: (
        "safety test {tests} on {date} removed",
        _("Safety test removed: %(tests)s on %(date)s"),
    ),
}


@dataclass(frozen=True)
class RecordChange:
    """One change: its kind and the values its sentence quotes (ISO dates, plain numbers, codes)."""

    kind: ChangeKind
    values: Mapping[str, str] = field(default_factory=dict)

    def english(self) -> str:
        """The fixed English sentence stored with the version and written to the audit log."""
        return _SENTENCES[self.kind][0].format(**self.values)[:200]


def change_text(kind: str, values: Mapping[str, str], fallback: str) -> str:
    """The change in the reader's language; `fallback` (the stored English) for unknown or old rows."""
    try:
        known = ChangeKind(kind)
    except ValueError:
        return fallback
    if known is ChangeKind.DETAILS_CHANGED and values.get("changed"):
        said = details_sentences(values["changed"])
        if said:
            return "; ".join(said)
    sentence = _SENTENCES[known][1]
    if sentence is None:
        return str(known.label).capitalize()
    try:
        words = {name: _WORDS[name](value) for name, value in values.items() if name in _WORDS}
        if "instrument" in values and "value" in values:
            words["measurement"] = measurement_words(values["instrument"], values["value"])
        return str(sentence) % words
    except (KeyError, ValueError):
        # A row whose values do not fit its kind is shown as it was stored, never hidden.
        return fallback
