"""What changed for a person without anyone editing their record: "New since your last visit".

A knowledge update (a treatment approved in the person's region, a changed interval, a new
recommendation) or the passing of time (a child turning two) can change what smanav says about a record.
Each record keeps a baseline of what matters to the person (`RecordBaseline`: every therapy's status,
every care-plan item and its interval). When the nightly re-evaluation (and every bulk refresh) finds a
difference, it is written as `RecordNews` in plain words with the sources of the new answer. When a
person edits the record themselves, the baseline follows silently: nobody is told news of their own
change, unless the knowledge base changed since the baseline, which is then told too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from smanav.accounts.models import User
from smanav.patients.models import NewsKind, Patient, RecordBaseline, RecordNews, RecordNewsSeen
from smanav.vocabulary import therapy_status_label
from smanav_core.evaluation import Evaluation, JsonDocument

# The baseline's shape, so that a later change of what is kept can tell an old baseline from a new one.
BASELINE_FORMAT = 1


def what_matters(evaluation: Evaluation) -> JsonDocument:
    """The parts of an evaluation whose change is worth telling the person, as JSON."""
    return {
        "format": BASELINE_FORMAT,
        "region": evaluation.region.value,
        "therapies": {
            therapy.therapy: {
                "name": therapy.name,
                "status": therapy.status.value,
                "sources": sorted({key for reason in therapy.reasons for key in reason.sources}),
            }
            for therapy in evaluation.therapies
        },
        "plan": {
            item.id: {
                "title": item.title,
                "interval_months": item.interval_months,
                "sources": list(item.sources),
            }
            for item in evaluation.care_plan
        },
    }


@dataclass(frozen=True, slots=True)
class Difference:
    kind: NewsKind
    subject: str
    text: str
    sources: tuple[str, ...]


def _every(months: float | None) -> str:
    if months is None:
        return _("no set interval")
    if float(months) == int(months):
        count = int(months)
        return _("every month") if count == 1 else _("every %(count)d months") % {"count": count}
    return _("every %(months)s months") % {"months": f"{months:g}"}


def differences(before: JsonDocument, after: JsonDocument) -> list[Difference]:
    """What changed between two baselines, in the words a family reads. Empty when the region changed
    (the person chose another region: their own edit) or the baselines are of another format."""
    if before.get("format") != BASELINE_FORMAT or before.get("region") != after.get("region"):
        return []
    region = after.get("region")
    found: list[Difference] = []
    old_therapies, new_therapies = before.get("therapies", {}), after.get("therapies", {})
    for therapy, now in new_therapies.items():
        was = old_therapies.get(therapy)
        status_now = therapy_status_label(now["status"], region)
        if was is None:
            text = _("%(name)s is new in smanav's knowledge: %(status)s.") % {
                "name": now["name"],
                "status": status_now.lower(),
            }
            found.append(Difference(NewsKind.THERAPY_NEW, therapy, text, tuple(now["sources"])))
        elif was["status"] != now["status"]:
            text = _("%(name)s: %(status)s (before: %(was)s).") % {
                "name": now["name"],
                "status": status_now.lower(),
                "was": therapy_status_label(was["status"], region).lower(),
            }
            found.append(Difference(NewsKind.THERAPY, therapy, text, tuple(now["sources"])))
    old_plan, new_plan = before.get("plan", {}), after.get("plan", {})
    for item, now in new_plan.items():
        was = old_plan.get(item)
        if was is None:
            text = _("New in the care plan: %(title)s.") % {"title": now["title"]}
            found.append(Difference(NewsKind.PLAN_NEW, item, text, tuple(now["sources"])))
        elif was["interval_months"] != now["interval_months"]:
            text = _("%(title)s: now %(every)s (before: %(was)s).") % {
                "title": now["title"],
                "every": _every(now["interval_months"]),
                "was": _every(was["interval_months"]),
            }
            found.append(Difference(NewsKind.PLAN_INTERVAL, item, text, tuple(now["sources"])))
    for item, was in old_plan.items():
        if item not in new_plan:
            text = _("No longer in the care plan: %(title)s.") % {"title": was["title"]}
            found.append(Difference(NewsKind.PLAN_GONE, item, text, ()))
    return found


def _news(
    patient: Patient, baseline: RecordBaseline, matters: JsonDocument, knowledge_version: str
) -> list[RecordNews]:
    return [
        RecordNews(
            patient=patient,
            kind=difference.kind,
            subject=difference.subject,
            text=difference.text[:500],
            sources=list(difference.sources),
            knowledge_before=baseline.knowledge_version,
            knowledge_after=knowledge_version,
        )
        for difference in differences(baseline.matters, matters)
    ]


def news_compare(*, patient: Patient, evaluation: Evaluation | None, edited: bool) -> list[RecordNews]:
    """Compare the record's new evaluation with its baseline, keep the new baseline, and write the news.

    `edited`: the evaluation follows a change a person made to the record; their own change is not
    news, unless the knowledge base changed too since the baseline. Call inside the transaction that
    writes the record's summary (the services do)."""
    return _compare([(patient, evaluation)], edited=edited)


def news_compare_many(pairs: Iterable[tuple[Patient, Evaluation | None]]) -> int:
    """`news_compare` for a bulk refresh, where nobody edited the records. Answers how many news rows."""
    return len(_compare(pairs, edited=False))


def _compare(pairs: Iterable[tuple[Patient, Evaluation | None]], *, edited: bool) -> list[RecordNews]:
    """The one comparison: the baselines of all `pairs` in one query, the news, new and changed baselines
    written in bulk. A record without a baseline gets one and no news."""
    evaluated = [(patient, evaluation) for patient, evaluation in pairs if evaluation is not None]
    baselines = RecordBaseline.objects.in_bulk([patient.pk for patient, _evaluation in evaluated])
    news: list[RecordNews] = []
    new_baselines: list[RecordBaseline] = []
    changed: list[RecordBaseline] = []
    for patient, evaluation in evaluated:
        matters, version = what_matters(evaluation), evaluation.knowledge_version
        baseline = baselines.get(patient.pk)
        if baseline is None:
            new_baselines.append(RecordBaseline(patient=patient, knowledge_version=version, matters=matters))
            continue
        if not edited or baseline.knowledge_version != version:
            news.extend(_news(patient, baseline, matters, version))
        if baseline.matters != matters or baseline.knowledge_version != version:
            # bulk_update does not stamp `auto_now` fields itself.
            baseline.matters, baseline.knowledge_version, baseline.updated_at = (
                matters,
                version,
                timezone.now(),
            )
            changed.append(baseline)
    RecordBaseline.objects.bulk_create(new_baselines)
    RecordBaseline.objects.bulk_update(changed, ["matters", "knowledge_version", "updated_at"])
    return RecordNews.objects.bulk_create(news)


# When an account opens a record it has never opened since news began to be kept, it is shown the news
# of this many days.
FIRST_VISIT_DAYS = 30


@dataclass(frozen=True, slots=True)
class NewsSinceLastVisit:
    items: list[RecordNews]
    # When the account last opened the record; None on its first visit.
    last_visit: dt.datetime | None


def news_since_last_visit(*, user: User, patient: Patient, now: dt.datetime) -> NewsSinceLastVisit:
    """The record's news since `user` last opened it, newest first; the visit is noted (`now`), so a
    reload shows nothing new. The caller has already been allowed to read the record."""
    seen = RecordNewsSeen.objects.filter(user=user, patient=patient).first()
    since = now - dt.timedelta(days=FIRST_VISIT_DAYS) if seen is None else seen.seen_at
    items = list(RecordNews.objects.filter(patient=patient, created_at__gt=since)[:50])
    if seen is None:
        RecordNewsSeen.objects.create(user=user, patient=patient, seen_at=now)
    else:
        RecordNewsSeen.objects.filter(pk=seen.pk).update(seen_at=now)
    return NewsSinceLastVisit(items=items, last_visit=None if seen is None else seen.seen_at)
