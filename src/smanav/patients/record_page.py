"""The record page's summary and sections, arranged from the core's answer.

The top of the page answers "what needs attention now, and what is next": the urgency, the alerts (with
their acknowledgements), what is overdue and due soon with its date, and the next dated items (doses,
tests, reviews). Below it, a table of contents and the sections, which open on demand. Each section
lists its sources once, at its end, instead of a link after every sentence. No clinical judgement here:
dates and how they stand come from the core.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from smanav_core.codes import DueStatus
from smanav_core.evaluation import CarePlanItem, Evaluation, Reason

# How many scheduled items the summary names as "next".
NEXT_ITEMS_SHOWN = 3


@dataclass(frozen=True)
class Attention:
    """The dated items of the care plan that the summary names, earliest first."""

    overdue: list[CarePlanItem]
    due_soon: list[CarePlanItem]
    upcoming: list[CarePlanItem]

    @property
    def anything(self) -> bool:
        return bool(self.overdue or self.due_soon or self.upcoming)


def _by_date(items: Iterable[CarePlanItem]) -> list[CarePlanItem]:
    return sorted(items, key=lambda item: (item.due_on or dt.date.max, item.title))


def attention(care_plan: Sequence[CarePlanItem]) -> Attention:
    """Overdue and due-soon items, and the next few scheduled ones (the core's `due_status`)."""
    return Attention(
        overdue=_by_date(item for item in care_plan if item.due_status is DueStatus.OVERDUE),
        due_soon=_by_date(item for item in care_plan if item.due_status is DueStatus.DUE_SOON),
        upcoming=_by_date(item for item in care_plan if item.due_status is DueStatus.SCHEDULED)[
            :NEXT_ITEMS_SHOWN
        ],
    )


def _unique(groups: Iterable[Iterable[str]]) -> list[str]:
    seen: dict[str, None] = {}
    for group in groups:
        for key in group:
            seen.setdefault(key, None)
    return list(seen)


def _of_reasons(reasons: Iterable[Reason]) -> list[tuple[str, ...]]:
    return [reason.sources for reason in reasons]


@dataclass(frozen=True)
class Section:
    """One section of the record page below the summary: its anchor, its heading, and its sources."""

    slug: str
    title: str
    sources: list[str]


# The sections in the order of the page; the view lists only those it shows.
SECTION_TITLES = {
    "diagnosis": _("Diagnosis and type"),
    "therapies": _("Treatment options"),
    "care-plan": _("Care plan"),
    "monitoring": _("Charts and measurements"),
    "treatments": _("Treatments, doses and safety tests"),
}


def summary_sources(result: Evaluation) -> list[str]:
    return _unique([*_of_reasons(result.urgency.reasons), *(alert.sources for alert in result.alerts)])


def sections(result: Evaluation | None) -> list[Section]:
    """The table of contents, with each section's sources gathered once."""
    sources: dict[str, list[str]] = {"monitoring": [], "treatments": []}
    if result is not None:
        sources["diagnosis"] = _unique(
            [result.diagnosis.sources, *_of_reasons(result.classification.reasons)]
        )
        sources["therapies"] = _unique(
            reason.sources for therapy in result.therapies for reason in therapy.reasons
        )
        sources["care-plan"] = _unique(item.sources for item in result.care_plan)
    return [
        Section(slug, str(title), sources[slug]) for slug, title in SECTION_TITLES.items() if slug in sources
    ]
