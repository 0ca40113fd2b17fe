"""Standards-of-care items: what the care plan can recommend, for whom, and how often.

An item's conditions are plain data read by `rules.care_plan` (never evaluated strings). The conditions
that depend only on the diagnosis and the functional group are resolved once, when the knowledge base is
loaded (`CareFile.items_for`); the few that depend on the person's age, spine, breathing support, feeding,
region or treatments are checked per evaluation on that short list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Self

from pydantic import Field, PrivateAttr, model_validator

from smanav_core.codes import (
    CareDomain,
    DiagnosisStatus,
    Feeding,
    FunctionalGroup,
    Instrument,
    Region,
    Ventilation,
)
from smanav_core.knowledge.schema.base import Entry, KnowledgeFile

DOMAIN_ORDER: dict[CareDomain, int] = {domain: rank for rank, domain in enumerate(CareDomain)}

# The key of the precomputed index: a diagnosis and a functional group (None = not known).
IndexKey = tuple[DiagnosisStatus, FunctionalGroup | None]


@dataclass(frozen=True, slots=True)
class PlanEntry:
    """An item prepared at load time, and whether anything is left to check per person."""

    item: CareItem
    per_person: bool
    dated: bool


class CareItem(Entry):
    """One recommendation of the standards of care.

    `interval_months` is the longest gap the source allows between two occurrences; absent for one-off or
    trigger-driven items, and absent whenever the source gives no confirmed interval (the `detail` then
    says so). Every condition left empty applies to everyone.
    """

    domain: CareDomain
    title: str = Field(min_length=3)
    detail: str = Field(min_length=3)
    interval_months: int | None = Field(default=None, ge=1, le=120)
    # Whose plan the item belongs in.
    diagnoses: tuple[DiagnosisStatus, ...] = (DiagnosisStatus.CONFIRMED_5Q_SMA,)
    functional_groups: tuple[FunctionalGroup, ...] = Field(
        default=(), description="current functional groups the item is for; empty = every group"
    )
    only_when_group_unknown: bool = False
    min_age_months: float | None = Field(default=None, ge=0, description="inclusive")
    max_age_months: float | None = Field(default=None, gt=0, description="exclusive")
    cobb_above_deg: float | None = Field(default=None, ge=0, le=150, description="latest Cobb angle > this")
    cobb_below_deg: float | None = Field(default=None, gt=0, le=150, description="latest Cobb angle < this")
    ventilation: tuple[Ventilation, ...] = Field(default=(), description="current support is one of these")
    feeding: tuple[Feeding, ...] = Field(default=(), description="current feeding is one of these")
    regions: tuple[Region, ...] = ()
    requires_gene_therapy: bool = False
    requires_any_treatment: bool = False
    # What the due date is worked out from: the latest value of one of these instruments, or the latest
    # assessment of any kind (a proxy for the last clinic review).
    due_from_instruments: tuple[Instrument, ...] = ()
    due_from_any_assessment: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.only_when_group_unknown and self.functional_groups:
            raise ValueError("an item for an unknown group cannot also name functional groups")
        if (self.due_from_instruments or self.due_from_any_assessment) and self.interval_months is None:
            raise ValueError("a due date needs an interval")
        if (
            self.min_age_months is not None
            and self.max_age_months is not None
            and self.min_age_months >= self.max_age_months
        ):
            raise ValueError("min_age_months must be below max_age_months")
        if (
            self.cobb_above_deg is not None
            and self.cobb_below_deg is not None
            and self.cobb_above_deg >= self.cobb_below_deg
        ):
            raise ValueError("cobb_above_deg must be below cobb_below_deg")
        return self

    @property
    def needs_cobb(self) -> bool:
        return self.cobb_above_deg is not None or self.cobb_below_deg is not None

    @property
    def per_person(self) -> bool:
        """Whether a condition beyond diagnosis and functional group has to be checked for each person."""
        return bool(
            self.min_age_months is not None
            or self.max_age_months is not None
            or self.needs_cobb
            or self.ventilation
            or self.feeding
            or self.regions
            or self.requires_gene_therapy
            or self.requires_any_treatment
        )

    def applies_to(self, diagnosis: DiagnosisStatus, group: FunctionalGroup | None) -> bool:
        """The static part of the conditions: diagnosis and functional group."""
        if diagnosis not in self.diagnoses:
            return False
        if self.only_when_group_unknown:
            return group is None
        if not self.functional_groups:
            return True
        return group in self.functional_groups


class CareFile(KnowledgeFile):
    care_item: tuple[CareItem, ...] = ()

    _index: dict[IndexKey, tuple[PlanEntry, ...]] = PrivateAttr(default_factory=dict)
    _by_id: dict[str, CareItem] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: object, /) -> None:
        # Resolved once per process so that an evaluation only filters a short, already ordered list.
        ordered = [
            PlanEntry(
                item=item,
                per_person=item.per_person,
                dated=bool(item.due_from_instruments or item.due_from_any_assessment),
            )
            for item in sorted(self.care_item, key=lambda item: DOMAIN_ORDER[item.domain])
        ]
        for diagnosis in DiagnosisStatus:
            for group in (*FunctionalGroup, None):
                self._index[(diagnosis, group)] = tuple(
                    entry for entry in ordered if entry.item.applies_to(diagnosis, group)
                )
        self._by_id = {item.id: item for item in self.care_item}

    def items_for(self, diagnosis: DiagnosisStatus, group: FunctionalGroup | None) -> tuple[PlanEntry, ...]:
        """Items whose diagnosis and group conditions hold, ordered by domain (file order within one)."""
        return self._index[(diagnosis, group)]

    @property
    def by_id(self) -> Mapping[str, CareItem]:
        return self._by_id
