"""The patient record (input of `evaluate`) and the triage answers (input of `triage`).

Field names, types and ranges follow the contract. Every model forbids unknown fields (a typo must never
be silently ignored) and is strict (no silent coercion: `"3"` is not the number 3, `true` is not 1).
An absent section means "not known", never "normal".
"""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from smanav_core.codes import (
    Feeding,
    FunctionalGroup,
    GeneticMethod,
    Instrument,
    MonitoringTest,
    MotorMilestone,
    Regimen,
    Region,
    Sex,
    TreatmentTherapy,
    TriageCourse,
    TriageHistory,
    TriageOnset,
    TriageSymptom,
    Ventilation,
)

_E = TypeVar("_E", bound=Enum)
# ASCII digits only: a date in other digits is refused as not a date, as it always was.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII).fullmatch
_FROM_ISO = dt.date.fromisoformat


def _parse_calendar_date(value: Any) -> Any:
    """Accept a `datetime.date` or a `YYYY-MM-DD` string that names a real calendar day.

    Called for every date of every record (a hot path of validation): the common case, a string, is
    tested first, by exact class.
    """
    if value.__class__ is str:
        if _ISO_DATE(value) is None:
            raise ValueError("not_a_date")
        try:
            return _FROM_ISO(value)
        except ValueError:
            raise ValueError("not_a_calendar_date") from None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise ValueError("not_a_date")


CalendarDate = Annotated[dt.date, BeforeValidator(_parse_calendar_date)]
# Enumerations arrive as JSON strings: accept exactly the member values (strict mode wants instances).
Lax = Annotated[_E, Field(strict=False)]


class _Record(BaseModel):
    # NaN and infinity are not measurements: refused like any other impossible number (a NaN would also
    # pass every range check, since it compares false with everything).
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class Genetics(_Record):
    smn1_copies: int | None = Field(default=None, ge=0, le=8, description="Copies of SMN1 exon 7.")
    smn1_intragenic_variant: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Pathogenic SMN1 variant on the remaining copy (HGVS, e.g. c.815A>G).",
    )
    smn2_copies: int | None = Field(default=None, ge=0, le=8, description="Copies of SMN2 exon 7.")
    smn2_copies_is_minimum: bool = Field(default=False, description="The assay reported 'this many or more'.")
    smn2_modifiers: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=20, description='SMN2 modifier variants, e.g. ["c.859G>C"].'
    )
    method: Lax[GeneticMethod] | None = None


class Clinical(_Record):
    symptomatic: bool | None = Field(default=None, description="false = no symptoms yet (presymptomatic).")
    symptom_onset_age_months: float | None = Field(default=None, ge=0, le=1500)
    max_motor_milestone: Lax[MotorMilestone] | None = Field(
        default=None, description="The highest ever achieved."
    )
    current_motor_function: Lax[FunctionalGroup] | None = Field(
        default=None, description="What the person can do now."
    )
    ventilation: Lax[Ventilation] | None = None
    feeding: Lax[Feeding] | None = None
    active_infection: bool | None = None
    scoliosis_cobb_deg: float | None = Field(default=None, ge=0, le=150, description="Latest Cobb angle.")


class Labs(_Record):
    anti_aav9_titer: float | None = Field(
        default=None, ge=0, le=1e9, description="Reciprocal titre: 25 means 1:25; 0 means negative."
    )
    alt_uln_ratio: float | None = Field(
        default=None, ge=0, le=1000, description="ALT / upper limit of normal."
    )
    ast_uln_ratio: float | None = Field(
        default=None, ge=0, le=1000, description="AST / upper limit of normal."
    )
    total_bilirubin_uln_ratio: float | None = Field(
        default=None, ge=0, le=1000, description="Total bilirubin / upper limit of normal."
    )
    platelets_10e9_per_l: float | None = Field(default=None, ge=0, le=10000)
    date: CalendarDate | None = Field(default=None, description="When the labs were taken.")


class Dose(_Record):
    date: CalendarDate = Field(description="When the dose was given.")
    amount_mg: float | None = Field(default=None, gt=0, le=1000, description="The dose given, if recorded.")


class Treatment(_Record):
    therapy: Lax[TreatmentTherapy]
    start_date: CalendarDate
    end_date: CalendarDate | None = Field(default=None, description="null = ongoing")
    regimen: Lax[Regimen] | None = Field(
        default=None, description="The labelled regimen, for a therapy that has several (nusinersen)."
    )
    doses: list[Dose] = Field(
        default_factory=list, max_length=500, description="Each dose given in this course, by date."
    )


class LabTest(_Record):
    date: CalendarDate
    test: Lax[MonitoringTest]


class Assessment(_Record):
    date: CalendarDate
    instrument: Lax[Instrument]
    value: float


class PatientRecord(_Record):
    id: str | None = Field(default=None, max_length=200, description="Caller's identifier, echoed back.")
    region: Lax[Region] | None = None
    birth_date: CalendarDate
    sex: Lax[Sex] | None = None
    gestational_age_weeks: float | None = Field(default=None, ge=22, le=44)
    weight_kg: float | None = Field(default=None, gt=0, lt=300, description="Current weight.")
    pregnant: bool | None = None
    genetics: Genetics | None = None
    clinical: Clinical | None = None
    labs: Labs | None = None
    treatments: list[Treatment] = Field(default_factory=list, max_length=200)
    assessments: list[Assessment] = Field(default_factory=list, max_length=5000)
    lab_tests: list[LabTest] = Field(
        default_factory=list,
        max_length=5000,
        description="Safety tests a therapy's label asks for, each with the date it was done.",
    )


class TriageAnswers(_Record):
    age_years: float = Field(ge=0, le=120)
    sex: Lax[Sex] | None = None
    region: Lax[Region] | None = Field(
        default=None,
        description=(
            "Where the person is (the patient record's regions): chooses the emergency number a red-flag "
            "result gives. Absent: every region's number is given."
        ),
    )
    history: list[Lax[TriageHistory]] = Field(default_factory=list, max_length=20)
    symptoms: list[Lax[TriageSymptom]] = Field(default_factory=list, max_length=40)
    onset: Lax[TriageOnset] | None = None
    course: Lax[TriageCourse] | None = None
    genetics: Genetics | None = None
