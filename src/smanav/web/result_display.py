"""Puts an evaluation or a triage result into words for the pages.

Every sentence about the person comes from the result itself (and so from the cited knowledge base);
this module only chooses headings, groups the care plan by domain, and names the contract's codes with
the same words as the CLI's text report, passed through translation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from smanav.patients.labels import REGION_LABELS, evaluation_age_label, label, therapy_status_label
from smanav_core import report
from smanav_core.codes import CareDomain, TriageRecommendation

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


def words(table: Mapping[str, str], code: Any, **values: str) -> str:
    """The words for `code` from one of the report's tables, translated; the code itself if unknown."""
    if code is None:
        return _("Not known")
    text = table.get(str(code))
    return _(text).format(**values) if text else str(code)


@dataclass(frozen=True)
class CareGroup:
    domain: str
    title: str
    items: list[Mapping[str, Any]] = field(default_factory=list)


def care_plan_by_domain(items: Sequence[Mapping[str, Any]]) -> list[CareGroup]:
    """Care plan items grouped by domain, in the contract's order of domains, each item's order kept."""
    groups = {
        domain.value: CareGroup(domain.value, words(report.DOMAIN_NAMES, domain.value))
        for domain in CareDomain
    }
    for item in items:
        domain = str(item.get("domain"))
        groups.setdefault(domain, CareGroup(domain, domain)).items.append(
            {**item, "interval_words": _(report._interval(item.get("interval_months")))}
        )
    return [group for group in groups.values() if group.items]


def evaluation_view(result: Mapping[str, Any]) -> dict[str, Any]:
    """What the evaluation template shows."""
    region = str(result.get("region", ""))
    region_name = report.REGION_NAMES.get(region, region)
    classification = result.get("classification") or {}
    diagnosis = result.get("diagnosis") or {}
    distribution = diagnosis.get("predicted_type_distribution") or {}
    urgency = result.get("urgency") or {}
    as_of = result.get("as_of")
    return {
        "result": result,
        # A date, so the page writes it the reader's way ("21 Nov 2026", "Nov. 21, 2026").
        "as_of_date": dt.date.fromisoformat(as_of) if isinstance(as_of, str) else None,
        "region_name": region_name,
        "age_words": evaluation_age_label(result),
        "diagnosis_words": words(report.DIAGNOSIS_WORDS, diagnosis.get("status")),
        "type_distribution": [
            (_("Type %(type)s") % {"type": sma_type}, _(report._share_words(share)))
            for sma_type, share in distribution.items()
        ],
        "type_words": words(report.TYPE_WORDS, classification.get("sma_type"))
        if classification.get("sma_type")
        else _("Not determined (not confirmed, or not enough information)"),
        "group_words": words(report.GROUP_WORDS, classification.get("functional_group")),
        "urgency_words": words(report.URGENCY_WORDS, urgency.get("level")),
        "urgency_tone": URGENCY_TONE.get(str(urgency.get("level")), "info"),
        "therapies": [
            {
                **therapy,
                # Ours for the contract's therapies (translated), else the knowledge base's name.
                "name": words(report.THERAPY_NAMES, therapy.get("therapy"))
                if therapy.get("therapy") in report.THERAPY_NAMES
                else report.therapy_name(therapy),
                "status_words": therapy_status_label(therapy.get("status"), region),
                "tone": STATUS_TONE.get(str(therapy.get("status")), "info"),
            }
            for therapy in result.get("therapies") or ()
        ],
        "care_groups": care_plan_by_domain(result.get("care_plan") or ()),
        "alerts": [
            {
                **alert,
                "severity_words": words(report.SEVERITY_WORDS, alert.get("severity")),
                "tone": SEVERITY_TONE.get(str(alert.get("severity")), "info"),
            }
            for alert in result.get("alerts") or ()
        ],
    }


def triage_view(result: Mapping[str, Any]) -> dict[str, Any]:
    """What the triage result template shows.

    A result that recommends emergency care leads with that advice and the number to call (the
    region's, or every region's in a short list when the answers gave none), said once on the page.
    """
    emergency = result.get("recommendation") == TriageRecommendation.SEEK_EMERGENCY_CARE.value
    numbers = [
        {
            **item,
            "region_label": label(REGION_LABELS, item.get("region")),
            "region_name": words(report.REGION_NAMES, item.get("region")),
        }
        for item in result.get("emergency_numbers") or ()
    ]
    return {
        "result": result,
        "emergency": emergency,
        "emergency_numbers": numbers,
        "emergency_sources": list(
            dict.fromkeys(source for item in numbers for source in item.get("sources") or ())
        ),
        "pattern_words": words(report.PATTERN_WORDS, result.get("pattern")),
        "recommendation_words": words(report.RECOMMENDATION_WORDS, result.get("recommendation")),
        "urgency_words": words(report.TRIAGE_URGENCY_WORDS, result.get("urgency")),
        "urgency_tone": URGENCY_TONE.get(str(result.get("urgency")), "info"),
    }
