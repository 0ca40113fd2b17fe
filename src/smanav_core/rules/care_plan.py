"""Individual care plan from the 2018 standards of care, by diagnosis, current functional group and age.

The diagnosis and functional group select a precomputed, domain-ordered list of items
(`CareFile.items_for`); this module checks the remaining per-person conditions (age, Cobb angle, breathing
support, feeding, region, treatments), works out due dates, and merges the treatment-monitoring items of
`rules.treatment_monitoring`. A condition on a fact the record does not give (an unknown Cobb angle, say)
does not hold: the item is left out rather than assuming a value, and the group-wide items say what to
record.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
from collections.abc import Callable
from typing import Any

from smanav_core.codes import Instrument
from smanav_core.facts import PatientFacts, add_months
from smanav_core.knowledge.loader import Knowledge
from smanav_core.knowledge.schema.care import DOMAIN_ORDER, CareItem
from smanav_core.record import Assessment

_DOMAIN_RANK: dict[str, int] = {domain.value: rank for domain, rank in DOMAIN_ORDER.items()}

ItemSource = Callable[[PatientFacts, Knowledge], list[dict[str, Any]]]


def latest_cobb(facts: PatientFacts) -> tuple[float, dt.date | None] | None:
    """Latest Cobb angle in degrees with its date: the newest COBB_DEG assessment, else the record's field."""
    assessment = facts.latest(Instrument.COBB_DEG)
    if assessment is not None:
        return assessment.value, assessment.date
    clinical = facts.record.clinical
    if clinical is None or clinical.scoliosis_cobb_deg is None:
        return None
    return clinical.scoliosis_cobb_deg, None


def latest_assessment(facts: PatientFacts) -> Assessment | None:
    """The most recent assessment of any instrument (a proxy for the last clinic review)."""
    newest: Assessment | None = None
    for history in facts.assessments.values():
        if newest is None or history[-1].date > newest.date:
            newest = history[-1]
    return newest


def item_holds(item: CareItem, facts: PatientFacts) -> bool:
    """The per-person conditions of an item whose diagnosis and group conditions already hold."""
    if item.min_age_months is not None and facts.age_months < item.min_age_months:
        return False
    if item.max_age_months is not None and facts.age_months >= item.max_age_months:
        return False
    if item.regions and facts.region not in item.regions:
        return False
    if item.requires_gene_therapy and not facts.had_gene_therapy:
        return False
    if item.requires_any_treatment and not facts.treatments:
        return False
    clinical = facts.record.clinical
    if item.ventilation and (clinical is None or clinical.ventilation not in item.ventilation):
        return False
    if item.feeding and (clinical is None or clinical.feeding not in item.feeding):
        return False
    if item.needs_cobb:
        return _cobb_holds(item, latest_cobb(facts))
    return True


def _cobb_holds(item: CareItem, cobb: tuple[float, dt.date | None] | None) -> bool:
    if cobb is None:
        return False
    angle = cobb[0]
    if item.cobb_above_deg is not None and not angle > item.cobb_above_deg:
        return False
    return item.cobb_below_deg is None or angle < item.cobb_below_deg


def last_done(item: CareItem, facts: PatientFacts) -> dt.date | None:
    """Date of the latest assessment the item's due date is counted from, if the record has one."""
    if item.due_from_any_assessment:
        newest = latest_assessment(facts)
        return None if newest is None else newest.date
    dates = [
        assessment.date
        for instrument in item.due_from_instruments
        if (assessment := facts.latest(instrument)) is not None
    ]
    return max(dates, default=None)


def due_date(item: CareItem, facts: PatientFacts) -> dt.date | None:
    """Latest relevant assessment + the item's interval; None when either is missing."""
    last = last_done(item, facts)
    if last is None or item.interval_months is None:
        return None
    return add_months(last, item.interval_months)


def build_care_plan(facts: PatientFacts, kb: Knowledge) -> list[dict[str, Any]]:
    """The care-plan items that apply to this person on `facts.as_of`, ordered by domain."""
    plan: list[dict[str, Any]] = []
    for prepared in kb.care_plan.items_for(facts.diagnosis, facts.functional_group):
        if prepared.per_person and not item_holds(prepared.item, facts):
            continue
        entry = dict(prepared.output)
        # The output's `sources` list is shared with the knowledge base: hand out a copy.
        entry["sources"] = list(entry["sources"])
        if prepared.dated:
            due = due_date(prepared.item, facts)
            if due is not None:
                entry["due_date"] = due.isoformat()
        plan.append(entry)
    extra = treatment_monitoring_source("treatment_monitoring_items")
    added = [] if extra is None else extra(facts, kb)
    if added:
        # The plan is already in domain order and every added item is of one domain: put them after
        # our own items of that domain (file order is kept within a domain).
        rank = _DOMAIN_RANK.get(added[0]["domain"], len(_DOMAIN_RANK))
        at = len(plan)
        for index, entry in enumerate(plan):
            if _DOMAIN_RANK.get(entry["domain"], len(_DOMAIN_RANK)) > rank:
                at = index
                break
        plan[at:at] = added
    return plan


@functools.cache
def treatment_monitoring_source(name: str) -> ItemSource | None:
    """A function of `rules.treatment_monitoring`, written separately; None until that module exists."""
    try:
        module = importlib.import_module("smanav_core.rules.treatment_monitoring")
    except ImportError:  # pragma: no cover - only while the module is being written
        return None
    found: ItemSource | None = getattr(module, name, None)
    return found
