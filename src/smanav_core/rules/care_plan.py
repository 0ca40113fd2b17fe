"""Individual care plan from the 2018 standards of care, by diagnosis, current functional group and age.

The diagnosis and functional group select a precomputed, domain-ordered list of items
(`CareFile.items_for`); this module checks the remaining per-person conditions (age, Cobb angle, breathing
support, feeding, region, treatments), works out due dates, and merges the treatment-monitoring items of
`rules.treatment_monitoring`. A condition on a fact the record does not give (an unknown Cobb angle, say)
does not hold: the item is left out rather than assuming a value, and the group-wide items say what to
record.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from smanav_core.codes import DiagnosisStatus, DueStatus, FunctionalGroup, Instrument
from smanav_core.evaluation import CarePlanItem
from smanav_core.facts import PatientFacts, add_months
from smanav_core.knowledge.loader import Knowledge
from smanav_core.knowledge.schema.base import NOT_CONFIRMED
from smanav_core.knowledge.schema.care import DOMAIN_ORDER, CareItem, IndexKey, PlanEntry
from smanav_core.rules.treatment_monitoring import Monitoring, treatment_monitoring_items


def latest_cobb(facts: PatientFacts) -> tuple[float, dt.date | None] | None:
    """Latest Cobb angle in degrees with its date: the newest COBB_DEG assessment, else the record's field."""
    assessment = facts.latest(Instrument.COBB_DEG)
    if assessment is not None:
        return assessment.value, assessment.date
    clinical = facts.record.clinical
    if clinical is None or clinical.scoliosis_cobb_deg is None:
        return None
    return clinical.scoliosis_cobb_deg, None


Cobb = tuple[float, dt.date | None] | None
# A per-person test of one item: the facts, and the latest Cobb angle (`latest_cobb`, worked out once).
PersonTest = Callable[[PatientFacts, Cobb], bool]


def _person_test(item: CareItem) -> PersonTest | None:
    """The per-person conditions of an item as one test (None when it has none).

    Only the conditions the item sets are checked; built once per item by the plan's index.
    """
    checks: list[PersonTest] = []
    low, high = item.min_age_months, item.max_age_months
    if low is not None:
        checks.append(lambda facts, cobb: facts.age_months >= low)
    if high is not None:
        checks.append(lambda facts, cobb: facts.age_months < high)
    if item.regions:
        regions = frozenset(item.regions)
        checks.append(lambda facts, cobb: facts.region in regions)
    if item.requires_gene_therapy:
        checks.append(lambda facts, cobb: facts.had_gene_therapy)
    if item.requires_any_treatment:
        checks.append(lambda facts, cobb: bool(facts.treatments))
    if item.ventilation:
        ventilation = frozenset(item.ventilation)
        checks.append(
            lambda facts, cobb: (
                facts.record.clinical is not None and facts.record.clinical.ventilation in ventilation
            )
        )
    if item.feeding:
        feeding = frozenset(item.feeding)
        checks.append(
            lambda facts, cobb: facts.record.clinical is not None and facts.record.clinical.feeding in feeding
        )
    if item.needs_cobb:
        above, below = item.cobb_above_deg, item.cobb_below_deg
        checks.append(lambda facts, cobb: _cobb_between(cobb, above, below))
    if not checks:
        return None
    if len(checks) == 1:
        return checks[0]
    every = tuple(checks)
    return lambda facts, cobb: all(check(facts, cobb) for check in every)


def _cobb_between(cobb: Cobb, above: float | None, below: float | None) -> bool:
    """A known latest Cobb angle above `above` and below `below` (each bound only when set)."""
    if cobb is None:
        return False
    angle = cobb[0]
    if above is not None and not angle > above:
        return False
    return below is None or angle < below


def last_done(from_any: bool, instruments: tuple[Instrument, ...], facts: PatientFacts) -> dt.date | None:
    """Date of the latest assessment a due date is counted from (any assessment, or the latest of these
    instruments), if the record has one."""
    if from_any:
        newest = facts.last_assessment
        return None if newest is None else newest.date
    dates = [
        assessment.date for instrument in instruments if (assessment := facts.latest(instrument)) is not None
    ]
    return max(dates, default=None)


@dataclass(frozen=True, slots=True)
class _PlanItem:
    """An item of the care file ready for the plan: the item as every plan shows it (without a due
    date), its per-person test, and what its due date is counted from (whether any assessment counts,
    which instruments, the interval)."""

    item: CarePlanItem
    holds: PersonTest | None
    due: tuple[bool, tuple[Instrument, ...], int] | None


def _plan_items(kb: Knowledge) -> dict[IndexKey, tuple[_PlanItem, ...]]:
    """Items by diagnosis and functional group, ready for the plan (kept by `Knowledge.prepared`).

    A plain mapping: the care file's own index lives in pydantic private attributes, and every read of one
    of those goes through pydantic's `__getattr__`.
    """
    care = kb.care_plan
    return {
        (diagnosis, group): tuple(_prepare(entry) for entry in care.items_for(diagnosis, group))
        for diagnosis in DiagnosisStatus
        for group in (*FunctionalGroup, None)
    }


def _prepare(entry: PlanEntry) -> _PlanItem:
    item = entry.item
    due = None
    if entry.dated and item.interval_months is not None:
        due = (item.due_from_any_assessment, item.due_from_instruments, item.interval_months)
    holds = _person_test(item) if entry.per_person else None
    output = CarePlanItem(
        id=item.id,
        domain=item.domain,
        title=item.title,
        detail=item.detail if item.confirmed else f"{item.detail} ({NOT_CONFIRMED})",
        interval_months=item.interval_months,
        sources=item.sources,
    )
    return _PlanItem(item=output, holds=holds, due=due)


def due_status(due: dt.date, as_of: dt.date, due_soon_days: float) -> DueStatus:
    """Overdue once the due date has passed; due soon within the knowledge base's window; else scheduled."""
    if due < as_of:
        return DueStatus.OVERDUE
    if (due - as_of).days <= due_soon_days:
        return DueStatus.DUE_SOON
    return DueStatus.SCHEDULED


def build_care_plan(
    facts: PatientFacts, kb: Knowledge, monitoring: Monitoring | None = None
) -> list[CarePlanItem]:
    """The care-plan items that apply to this person on `facts.as_of`, ordered by domain.

    A dated item says when it is next due (`due_on`), from what (`last_done_on`) and how that stands on
    the evaluation date (`due_status`: overdue, due_soon or scheduled).
    """
    plan: list[CarePlanItem] = []
    cobb = latest_cobb(facts)
    due_soon_days = kb.number("monitoring.due_soon_days")
    for prepared in kb.prepared(_plan_items)[(facts.diagnosis, facts.functional_group)]:
        if prepared.holds is not None and not prepared.holds(facts, cobb):
            continue
        item = prepared.item
        if prepared.due is not None:
            from_any, instruments, interval = prepared.due
            last = last_done(from_any, instruments, facts)
            if last is not None:
                due = add_months(last, interval)
                item = CarePlanItem(
                    item.id,
                    item.domain,
                    item.title,
                    item.detail,
                    item.interval_months,
                    item.sources,
                    due,
                    due_status(due, facts.as_of, due_soon_days),
                    last,
                )
        plan.append(item)
    added = treatment_monitoring_items(facts, kb, monitoring)
    if added:
        # The plan is already in domain order and every added item is of one domain: put them after
        # our own items of that domain (file order is kept within a domain).
        at = bisect.bisect_right(plan, _domain_rank(added[0]), key=_domain_rank)
        plan[at:at] = added
    return plan


def _domain_rank(item: CarePlanItem) -> int:
    return DOMAIN_ORDER[item.domain]
