"""Puts an evaluation or a triage result into words for the pages.

Every sentence about the person comes from the result itself (and so from the cited knowledge base);
this module only chooses headings, groups the care plan by domain, and names the contract's codes with
the same words as the CLI's text report, passed through translation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from smanav.vocabulary import REGION_LABELS, evaluation_age_label, label, therapy_status_label
from smanav_core import Evaluation, TriageResult, report
from smanav_core.codes import CareDomain, TriageRecommendation
from smanav_core.evaluation import CarePlanItem, Reason, TherapyAssessment

# Visual weight of each status; the words always say the status too, colour is never alone.
STATUS_TONE = {
    "eligible": "good",
    "eligible_with_cautions": "warn",
    "needs_information": "info",
    "not_eligible": "bad",
    "not_approved_in_region": "bad",
}
URGENCY_TONE = {"urgent": "bad", "prompt": "warn", "routine": "good", "emergency": "bad"}
SEVERITY_TONE = {"high": "bad", "medium": "warn", "low": "info"}


def words(table: Mapping[str, str], code: object, **values: str) -> str:
    """The words for `code` from one of the report's tables, translated; the code itself if unknown."""
    if code is None:
        return _("Not known")
    text = table.get(str(code))
    return _(text).format(**values) if text else str(code)


@dataclass(frozen=True)
class CareLine:
    """A care-plan item and how often it recurs, in words."""

    title: str
    detail: str
    sources: tuple[str, ...]
    interval_words: str


@dataclass(frozen=True)
class CareGroup:
    domain: str
    title: str
    items: list[CareLine] = field(default_factory=list)


@dataclass(frozen=True)
class TherapyLine:
    """A therapy as the page names it, with its status in words and the reasons."""

    therapy: str
    name: str
    status_words: str
    tone: str
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class AlertLine:
    text: str
    sources: tuple[str, ...]
    severity_words: str
    tone: str


@dataclass(frozen=True)
class NumberLine:
    """A number to call in an emergency, with its region in words."""

    number: str
    region_label: str
    region_name: str
    sources: tuple[str, ...]


def care_plan_by_domain(items: Sequence[CarePlanItem]) -> list[CareGroup]:
    """Care plan items grouped by domain, in the contract's order of domains, each item's order kept."""
    groups = {
        domain.value: CareGroup(domain.value, words(report.DOMAIN_NAMES, domain.value))
        for domain in CareDomain
    }
    for item in items:
        domain = item.domain.value
        line = CareLine(item.title, item.detail, item.sources, _(report.interval_words(item.interval_months)))
        groups.setdefault(domain, CareGroup(domain, domain)).items.append(line)
    return [group for group in groups.values() if group.items]


def _therapy_line(therapy: TherapyAssessment, region: str) -> TherapyLine:
    # Ours for the contract's therapies (translated), else the knowledge base's name.
    if therapy.therapy in report.THERAPY_NAMES:
        name = words(report.THERAPY_NAMES, therapy.therapy)
    else:
        name = therapy.name or therapy.therapy
    return TherapyLine(
        therapy=therapy.therapy,
        name=name,
        status_words=therapy_status_label(therapy.status, region),
        tone=STATUS_TONE.get(therapy.status.value, "info"),
        reasons=therapy.reasons,
    )


def evaluation_view(result: Evaluation) -> dict[str, object]:
    """What the evaluation template shows."""
    region = result.region.value
    classification = result.classification
    distribution = result.diagnosis.predicted_type_distribution or {}
    level = result.urgency.level.value
    return {
        "result": result,
        # A date, so the page writes it the reader's way ("21 Nov 2026", "Nov. 21, 2026").
        "as_of_date": result.as_of,
        "region_name": report.REGION_NAMES.get(region, region),
        "age_words": evaluation_age_label(result),
        "diagnosis_words": words(report.DIAGNOSIS_WORDS, result.diagnosis.status.value),
        "type_distribution": [
            (_("Type %(type)s") % {"type": sma_type}, _(report.share_words(share)))
            for sma_type, share in distribution.items()
        ],
        "type_words": words(report.TYPE_WORDS, classification.sma_type.value)
        if classification.sma_type
        else _("Not determined (not confirmed, or not enough information)"),
        "group_words": words(
            report.GROUP_WORDS,
            None if classification.functional_group is None else classification.functional_group.value,
        ),
        "urgency_words": words(report.URGENCY_WORDS, level),
        "urgency_tone": URGENCY_TONE.get(level, "info"),
        "therapies": [_therapy_line(therapy, region) for therapy in result.therapies],
        "care_groups": care_plan_by_domain(result.care_plan),
        "alerts": [
            AlertLine(
                text=alert.text,
                sources=alert.sources,
                severity_words=words(report.SEVERITY_WORDS, alert.severity.value),
                tone=SEVERITY_TONE.get(alert.severity.value, "info"),
            )
            for alert in result.alerts
        ],
    }


def triage_view(result: TriageResult) -> dict[str, object]:
    """What the triage result template shows.

    A result that recommends emergency care leads with that advice and the number to call (the
    region's, or every region's in a short list when the answers gave none), said once on the page.
    """
    emergency = result.recommendation is TriageRecommendation.SEEK_EMERGENCY_CARE
    numbers = [
        NumberLine(
            number=item.number,
            region_label=label(REGION_LABELS, item.region),
            region_name=words(report.REGION_NAMES, item.region.value),
            sources=item.sources,
        )
        for item in result.emergency_numbers or ()
    ]
    return {
        "result": result,
        "emergency": emergency,
        "emergency_numbers": numbers,
        "emergency_sources": list(dict.fromkeys(source for item in numbers for source in item.sources)),
        "pattern_words": words(report.PATTERN_WORDS, result.pattern.value),
        "recommendation_words": words(report.RECOMMENDATION_WORDS, result.recommendation.value),
        "urgency_words": words(report.TRIAGE_URGENCY_WORDS, result.urgency.value),
        "urgency_tone": URGENCY_TONE.get(result.urgency.value, "info"),
    }
