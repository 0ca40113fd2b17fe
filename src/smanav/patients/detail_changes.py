"""What a change of a record's own details changed, from what to what, in words a family reads.

`patient_update` keeps the fields that differ (`details_diff`) with the version, as the contract's paths
and values; the history page says them as sentences ("SMN2 copies changed from 3 to 4"), naming each field
as the record's form does and each value in words (dates in the reader's format, codes by their names, a
missing value as "not known").
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smanav import vocabulary
from smanav.patients.problem_words import record_subject, subject_of_label, unit_of

# Fields of the record's own details that a change may touch: top-level names and section names.
_SECTIONS = ("genetics", "clinical", "labs")
_FIELD_NAMES = {
    "display_name": gettext_lazy("Name or nickname"),
    "pregnant": gettext_lazy("Pregnant now"),
    "genetics.method": gettext_lazy("Test method"),
    "genetics.smn2_copies_is_minimum": gettext_lazy("SMN2 copies reported as a minimum"),
    "clinical.symptomatic": gettext_lazy("Has symptoms of SMA"),
    "clinical.symptom_onset_age_months": gettext_lazy("Age when symptoms began (months)"),
    "clinical.max_motor_milestone": gettext_lazy("Highest motor milestone ever reached"),
    "clinical.current_motor_function": gettext_lazy("What the person can do now"),
    "clinical.ventilation": gettext_lazy("Breathing support"),
    "clinical.feeding": gettext_lazy("Feeding"),
    "clinical.active_infection": gettext_lazy("Has an infection now"),
    "clinical.scoliosis_cobb_deg": gettext_lazy("Latest Cobb angle (degrees)"),
    "labs.anti_aav9_titer": gettext_lazy("Anti-AAV9 antibody titre"),
    "labs.alt_uln_ratio": gettext_lazy("ALT ÷ upper limit of normal"),
    "labs.ast_uln_ratio": gettext_lazy("AST ÷ upper limit of normal"),
    "labs.total_bilirubin_uln_ratio": gettext_lazy("Total bilirubin ÷ upper limit of normal"),
    "labs.platelets_10e9_per_l": gettext_lazy("Platelets (10⁹ per litre)"),
}
_CODE_TABLES: dict[str, Mapping[Any, Any]] = {
    "region": vocabulary.REGION_LABELS,
    "sex": vocabulary.SEX_LABELS,
    "genetics.method": vocabulary.METHOD_LABELS,
    "clinical.max_motor_milestone": vocabulary.MILESTONE_LABELS,
    "clinical.current_motor_function": vocabulary.FUNCTIONAL_GROUP_LABELS,
    "clinical.ventilation": vocabulary.VENTILATION_LABELS,
    "clinical.feeding": vocabulary.FEEDING_LABELS,
}
# At most this many fields are kept per change (a whole new record is "details changed" enough).
KEPT = 20


def _flat(document: Mapping[str, object], display_name: str) -> dict[str, object]:
    flat: dict[str, object] = {"display_name": display_name}
    for key, value in document.items():
        if key in ("treatments", "assessments", "lab_tests", "id"):
            continue
        if key in _SECTIONS:
            section = value if isinstance(value, Mapping) else {}
            for inner, inner_value in section.items():
                flat[f"{key}.{inner}"] = inner_value
        else:
            flat[key] = value
    return flat


def details_diff(
    before: Mapping[str, object], after: Mapping[str, object], *, name_before: str, name_after: str
) -> str:
    """The fields that differ between two record documents, as JSON `[[path, old, new], ...]`."""
    old, new = _flat(before, name_before), _flat(after, name_after)
    changed = [
        [path, old.get(path), new.get(path)]
        for path in sorted(set(old) | set(new))
        if old.get(path) != new.get(path)
        and not (old.get(path) in (None, "") and new.get(path) in (None, ""))
    ]
    return json.dumps(changed[:KEPT], default=str)


def field_name(path: str) -> str:
    name = _FIELD_NAMES.get(path)
    return str(name) if name is not None else record_subject(path)


def value_words(path: str, value: object) -> str:
    if value is None or value == "" or value == []:
        return _("not known")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if path in _CODE_TABLES:
        return vocabulary.label(_CODE_TABLES[path], value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, str) and path.endswith("date"):
        try:
            return str(formats.date_format(dt.date.fromisoformat(value), "DATE_FORMAT"))
        except ValueError:
            return value
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def details_sentences(stored: str) -> list[str]:
    """The sentences of a kept diff; none when it cannot be read (the change's label then says it)."""
    try:
        rows = json.loads(stored)
    except (TypeError, ValueError):
        return []
    sentences = []
    for row in rows if isinstance(rows, list) else []:
        if not (isinstance(row, list) and len(row) == 3 and isinstance(row[0], str)):
            continue
        path, old, new = row
        sentences.append(
            _("%(field)s changed from %(old)s to %(new)s")
            % {"field": field_name(path), "old": value_words(path, old), "new": value_words(path, new)}
        )
    return sentences


def flat_details(record: Mapping[str, object]) -> list[tuple[str, object]]:
    """A record's own details (not its lists), each known field once, for reading."""
    flat = _flat(record, "")
    flat.pop("display_name", None)
    flat.pop("birth_date", None)
    return [(path, value) for path, value in sorted(flat.items()) if value not in (None, "", [])]


def entry_sentences(record: Mapping[str, object]) -> list[str]:
    """The record's measurements, treatments (with their doses) and safety tests, one sentence each."""
    sentences: list[str] = []
    for entry in _entries(record, "assessments"):
        sentences.append(
            _("%(measurement)s on %(date)s")
            % {
                "measurement": measurement_words(str(entry.get("instrument")), str(entry.get("value"))),
                "date": value_words("date", entry.get("date")),
            }
        )
    for entry in _entries(record, "treatments"):
        therapy = vocabulary.label(vocabulary.THERAPY_LABELS, entry.get("therapy"))
        start = value_words("start_date", entry.get("start_date"))
        if entry.get("end_date"):
            sentences.append(
                _("%(therapy)s from %(start)s to %(end)s")
                % {"therapy": therapy, "start": start, "end": value_words("end_date", entry.get("end_date"))}
            )
        else:
            sentences.append(_("%(therapy)s since %(start)s") % {"therapy": therapy, "start": start})
        doses = entry.get("doses")
        for dose in doses if isinstance(doses, list) else []:
            if isinstance(dose, Mapping):
                sentences.append(
                    _("A dose of %(therapy)s on %(date)s")
                    % {"therapy": therapy, "date": value_words("date", dose.get("date"))}
                )
    for entry in _entries(record, "lab_tests"):
        sentences.append(
            _("%(test)s on %(date)s")
            % {
                "test": vocabulary.label(vocabulary.LAB_TEST_LABELS, entry.get("test")),
                "date": value_words("date", entry.get("date")),
            }
        )
    return sentences


def _entries(record: Mapping[str, object], key: str) -> list[Mapping[str, object]]:
    rows = record.get(key)
    return [row for row in rows if isinstance(row, Mapping)] if isinstance(rows, list) else []


def measurement_words(instrument: str, value: str) -> str:
    """ "Weight 14.2 kg", "HFMSE 30": the measure's name, the value (as the reader writes numbers) and its
    unit."""
    name = subject_of_label(vocabulary.label(vocabulary.INSTRUMENT_LABELS, instrument))
    unit = unit_of(instrument)
    try:
        number = str(formats.number_format(float(value), use_l10n=True)).rstrip("0").rstrip(".,") or "0"
    except ValueError:
        number = value
    return f"{name} {number}{'' if unit in ('', '%') else ' '}{unit}"
