"""Curated eligibility criteria of clinical trials: the SMA-specific criteria of one trial, read by a
person from its ClinicalTrials.gov record.

One TOML file per trial under `data/trials/`, named after its NCT id. Each criterion quotes the sentence
of the record it encodes and cites the bibliography entry (`sources.toml`) of the record version that was
read; the file says when it was reviewed and which version of the record (its last-update date) the
review read, so a newer record shows as "changed since review". The files are part of the knowledge
version: editing one changes `knowledge_version`.

Demonstration reviews of the fictional sample trials use the same shape with `sample = true`; they are
not knowledge and live with the sample data of the web application.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from smanav_core.codes import DiagnosisStatus, FunctionalGroup, TreatmentTherapy, Ventilation

# The folder under `data/` (and the prefix of these files' names in the raw knowledge files).
TRIALS_FOLDER = "trials"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Criterion(_Strict):
    quote: str = Field(min_length=3, description="The sentence of the record this was read from, as written.")
    section: Literal["inclusion", "exclusion"] = "inclusion"
    sources: tuple[str, ...] = Field(
        default=(), description="Keys of sources.toml: the record version the criterion was read from."
    )


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

    @model_validator(mode="after")
    def _every_real_criterion_cites_its_source(self) -> Self:
        if not self.sample:
            missing = [str(number) for number, item in enumerate(self.criterion, start=1) if not item.sources]
            if missing:
                raise ValueError(f"criterion {', '.join(missing)}: cite the record read in `sources`")
        return self

    def cited(self) -> set[str]:
        return {key for item in self.criterion for key in item.sources}


def read_trial_reviews(
    documents: Mapping[str, object], known_sources: Mapping[str, object]
) -> tuple[dict[str, CuratedTrial], set[str], list[str]]:
    """Validate the parsed `trials/NCT*.toml` files: (reviews by NCT id, sources cited, problems)."""
    reviews: dict[str, CuratedTrial] = {}
    cited: set[str] = set()
    problems: list[str] = []
    for name, document in sorted(documents.items()):
        try:
            review = CuratedTrial.model_validate(document)
        except ValidationError as error:
            problems.append(f"{name}: {error}")
            continue
        if name.rsplit("/", 1)[-1].removesuffix(".toml") != review.nct_id:
            problems.append(f"{name}: the file name must be the NCT id ({review.nct_id})")
            continue
        if review.sample:
            problems.append(f"{name}: a sample review is not knowledge (it belongs with the sample data)")
            continue
        for key in sorted(review.cited()):
            if key not in known_sources:
                problems.append(f"{name}: cites unknown source {key!r}")
        cited |= review.cited()
        reviews[review.nct_id] = review
    return reviews, cited, problems
