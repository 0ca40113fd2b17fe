"""The curated structured layer: SMA-specific criteria of a trial, read by a person from its record.

One TOML file per trial in `curated/`, named after its NCT id. Each criterion quotes the sentence of the
record it was read from, so a family can see where it comes from; the file says when it was reviewed and
which version of the record (its last-update date) the review read, so a newer record shows as "changed
since review". The matcher never uses a criterion that is not in a file like this or in the record's own
structured fields.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from functools import cache
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from smanav_core.codes import DiagnosisStatus, FunctionalGroup, TreatmentTherapy, Ventilation

CURATED_DIR = Path(__file__).resolve().parent / "curated"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Criterion(_Strict):
    quote: str = Field(min_length=3, description="The sentence of the record this was read from, as written.")
    section: Literal["inclusion", "exclusion"] = "inclusion"


class _Range(_Criterion):
    """A criterion on a number: without a bound it would hold for everyone, so one bound at least."""

    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _bounds_given_in_order(self) -> Self:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min:g}) is above max ({self.max:g})")
        return self


class Smn2Copies(_Range):
    kind: Literal["smn2_copies"]
    min: int | None = Field(default=None, ge=0, le=8)
    max: int | None = Field(default=None, ge=0, le=8)


class AgeMonths(_Range):
    kind: Literal["age_months"]
    min: float | None = Field(default=None, ge=0)
    max: float | None = Field(default=None, ge=0)


class WeightKg(_Range):
    kind: Literal["weight_kg"]
    min: float | None = Field(default=None, gt=0)
    max: float | None = Field(default=None, gt=0)


class Diagnosis(_Criterion):
    kind: Literal["diagnosis"]
    required: DiagnosisStatus = DiagnosisStatus.CONFIRMED_5Q_SMA


class PriorTherapy(_Criterion):
    kind: Literal["prior_therapy"]
    excluded: tuple[TreatmentTherapy, ...] = ()
    required_any: tuple[TreatmentTherapy, ...] = ()

    @model_validator(mode="after")
    def _one_list(self) -> Self:
        # The matcher reads one of the two lists; a criterion with both would lose the second unseen.
        if bool(self.excluded) == bool(self.required_any):
            raise ValueError("give either excluded or required_any (one criterion each)")
        return self


class MotorFunction(_Criterion):
    kind: Literal["functional_group"]
    allowed: tuple[FunctionalGroup, ...] = Field(min_length=1)


class VentilationSupport(_Criterion):
    kind: Literal["ventilation"]
    excluded: tuple[Ventilation, ...] = Field(min_length=1)


class Symptomatic(_Criterion):
    kind: Literal["symptomatic"]
    required: bool


Criterion = Annotated[
    Smn2Copies
    | AgeMonths
    | WeightKg
    | Diagnosis
    | PriorTherapy
    | MotorFunction
    | VentilationSupport
    | Symptomatic,
    Field(discriminator="kind"),
]


class CuratedTrial(_Strict):
    nct_id: str = Field(pattern=r"^NCT\d{8}$")
    reviewed_on: dt.date
    reviewed_by: str = Field(min_length=2)
    record_last_update: dt.date | None = Field(
        default=None, description="lastUpdatePostDate of the record read."
    )
    sample: bool = False
    note: str = ""
    criterion: tuple[Criterion, ...] = ()


class CurationError(RuntimeError):
    pass


def load_curated_dir(folder: Path) -> dict[str, CuratedTrial]:
    found: dict[str, CuratedTrial] = {}
    problems: list[str] = []
    for path in sorted(folder.glob("*.toml")):
        try:
            curated = CuratedTrial.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, ValidationError) as error:
            problems.append(f"{path.name}: {error}")
            continue
        if path.stem != curated.nct_id:
            problems.append(f"{path.name}: the file name must be the NCT id ({curated.nct_id})")
            continue
        found[curated.nct_id] = curated
    if problems:
        raise CurationError("invalid curated trial files:\n" + "\n".join(problems))
    return found


@cache
def curated_trials() -> dict[str, CuratedTrial]:
    return load_curated_dir(CURATED_DIR)
