"""Where the family's and the clinic's values of a registry item agree, and where they do not.

Each comparable item has a key: `symptom_onset`, `ventilation_hours`, `feeding`, `highest_milestone`,
and `milestone_achieved:<milestone>` / `milestone_lost:<milestone>` (when it happened). The family's
value is their latest report of the key. The clinic's value is the clinic's latest report on the
registry page, or else the record's clinical status when clinic staff last wrote it (then the record's
value is the clinic's: symptom onset age, highest milestone, breathing support and feeding). Hospital
stays and unwanted effects are events: both sides' reports are listed, never compared.

Values are compared as canonical text (a number written `%g`, a code, an ISO date); a disagreement is
never merged: it stays on the record until a clinician resolves it (`ConflictResolution`, matched by the
key and both values, so a changed value shows again).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from smanav.registry.models import ConflictResolution, ReportedBy, ReportedItem, ReportedValue
from smanav.vocabulary import FEEDING_LABELS, MILESTONE_LABELS, VENTILATION_LABELS, label
from smanav_core.codes import MotorMilestone, Ventilation

MILESTONE_ORDER = [m.value for m in MotorMilestone]
# Which of the record's breathing-support codes fit a number of hours a day on the breathing machine.
_VENTILATION_FOR_HOURS = {
    "none": {Ventilation.NONE.value},
    "part": {Ventilation.NIV_SLEEP_ONLY.value, Ventilation.NIV_UNDER_16H.value},
    "most": {Ventilation.NIV_16H_OR_MORE.value, Ventilation.TRACHEOSTOMY.value},
}
COMPARED_ITEMS = (
    ReportedItem.SYMPTOM_ONSET,
    ReportedItem.VENTILATION_HOURS,
    ReportedItem.FEEDING,
    ReportedItem.MILESTONE_ACHIEVED,
    ReportedItem.MILESTONE_LOST,
)


def hours_band(hours: float) -> str:
    if hours <= 0:
        return "none"
    return "part" if hours < 16 else "most"


def number_text(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


@dataclass(frozen=True, slots=True)
class Side:
    """One side's value of a key: canonical `value`, the row it came from (None: the record)."""

    value: str
    row: ReportedValue | None


@dataclass(frozen=True, slots=True)
class Comparison:
    key: str
    family: Side | None
    clinic: Side | None
    agrees: bool
    resolution: ConflictResolution | None

    @property
    def open(self) -> bool:
        return not self.agrees and self.resolution is None

    @property
    def status(self) -> str:
        """'', 'open', or the decision that resolved it ('family', 'clinic', 'noted')."""
        if self.agrees:
            return ""
        return "open" if self.resolution is None else self.resolution.decision


def key_of(row: ReportedValue) -> str | None:
    if row.item in (ReportedItem.MILESTONE_ACHIEVED, ReportedItem.MILESTONE_LOST):
        return f"{row.item}:{row.code}"
    if row.item in (ReportedItem.SYMPTOM_ONSET, ReportedItem.VENTILATION_HOURS, ReportedItem.FEEDING):
        return str(row.item)
    return None


def _value_of(row: ReportedValue) -> str:
    if row.item in (ReportedItem.SYMPTOM_ONSET, ReportedItem.VENTILATION_HOURS):
        return number_text(row.number)
    if row.item == ReportedItem.FEEDING:
        return row.code
    return "" if row.date is None else row.date.isoformat()


def _latest(rows: Iterable[ReportedValue], source: str) -> dict[str, ReportedValue]:
    latest: dict[str, ReportedValue] = {}
    for row in sorted(rows, key=lambda r: (r.created_at, r.pk)):
        key = key_of(row)
        if key is not None and row.reported_by == source and row.removed_at is None:
            latest[key] = row
    return latest


def _highest(rows: Mapping[str, ReportedValue]) -> ReportedValue | None:
    achieved = [row for key, row in rows.items() if key.startswith(ReportedItem.MILESTONE_ACHIEVED + ":")]
    known = [row for row in achieved if row.code in MILESTONE_ORDER]
    return max(known, key=lambda row: MILESTONE_ORDER.index(row.code), default=None)


def compare(
    *,
    rows: Sequence[ReportedValue],
    record_clinical: Mapping[str, object] | None,
    resolutions: Sequence[ConflictResolution],
) -> list[Comparison]:
    """Every key either side reported, in a stable order, with whether the two sides agree.

    `record_clinical` is the record's clinical section when clinic staff last wrote it, else None."""
    family = _latest(rows, ReportedBy.FAMILY)
    clinic = _latest(rows, ReportedBy.CLINIC)
    record = record_clinical or {}
    sides: dict[str, tuple[Side | None, Side | None]] = {}
    for key in sorted(set(family) | set(clinic)):
        f, c = family.get(key), clinic.get(key)
        sides[key] = (
            None if f is None else Side(_value_of(f), f),
            None if c is None else Side(_value_of(c), c),
        )
    # The record's own clinical status stands for the clinic where the clinic has no registry report.
    for key, field in (
        ("symptom_onset", "symptom_onset_age_months"),
        ("feeding", "feeding"),
        ("ventilation_hours", "ventilation"),
    ):
        value = record.get(field)
        if key in family and key not in clinic and value not in (None, ""):
            text = number_text(float(value)) if isinstance(value, int | float) else str(value)
            sides[key] = (sides[key][0], Side(text, None))
    highest_family, highest_clinic = _highest(family), _highest(clinic)
    record_highest = record.get("max_motor_milestone")
    if highest_family is not None:
        clinic_side = None
        if highest_clinic is not None:
            clinic_side = Side(highest_clinic.code, highest_clinic)
        elif record_highest:
            clinic_side = Side(str(record_highest), None)
        sides["highest_milestone"] = (Side(highest_family.code, highest_family), clinic_side)
    decided = {(r.key, r.family_value, r.clinic_value): r for r in sorted(resolutions, key=lambda r: r.at)}
    comparisons = []
    for key, (f_side, c_side) in sides.items():
        agrees = f_side is None or c_side is None or _agree(key, f_side, c_side)
        resolution = None
        if not agrees and f_side is not None and c_side is not None:
            resolution = decided.get((key, f_side.value, c_side.value))
        comparisons.append(Comparison(key, f_side, c_side, agrees, resolution))
    return comparisons


def _agree(key: str, family: Side, clinic: Side) -> bool:
    if key == "ventilation_hours" and clinic.row is None:
        # The record says a kind of breathing support; the family says hours a day.
        try:
            hours = float(family.value)
        except ValueError:
            return False
        return clinic.value in _VENTILATION_FOR_HOURS[hours_band(hours)]
    return family.value == clinic.value


def key_words(key: str) -> str:
    """The key as a family reads it: "Movement milestone reached: Sits without support"."""
    item, _sep, code = key.partition(":")
    if item == "highest_milestone":
        return _("Highest movement milestone reached")
    words = str(ReportedItem(item).label)
    return f"{words}: {label(MILESTONE_LABELS, code)}" if code else words


def value_words(key: str, side: Side) -> str:
    """A side's value in words, as the record page shows it."""
    item = key.partition(":")[0]
    if item == "highest_milestone":
        return label(MILESTONE_LABELS, side.value)
    if item == "feeding":
        return label(FEEDING_LABELS, side.value)
    if item == "ventilation_hours" and side.row is None:
        return label(VENTILATION_LABELS, side.value)
    if item == "ventilation_hours":
        return _("%(hours)s hours a day") % {"hours": side.value}
    if item == "symptom_onset":
        return _("at %(months)s months of age") % {"months": side.value}
    return side.value
