"""Trial news (issue 15, part 1): a newly recruiting trial a record may fit, within the distance its
family chose.

When an import finds an SMA trial newly recruiting (new, or changed to recruiting: `trials.importing`),
the records of families who chose a place for trial news (`trials.TrialNewsPlace`, on the notices page)
and whose consent to "Being contacted about clinical trials" is in force today (`registry.selectors`)
are matched against it with the trial finder's own matcher (`trials.matching.assess_trial`). A record
gets news when one of its family's places is within the distance chosen of one of the trial's open sites
and no criterion of the trial fails for it ("may fit"); what the record does not say stays "could not
be checked", never "fits". The news is a `patients.RecordNews` of kind `trial`: shown once at the top
of the record ("New since your last visit") and on the clinic worklist's "changed" filter, like the
other news. Each family account whose place was near enough and that asked for it gets one email per
trial (key `trials.news:<account>:<trial>`: never twice), with no health detail in the subject.

It lives here, above the apps, because it joins the trials, the registry's consent and the records, and
those apps do not import each other. Work is split into ranges of record ids, one job each (`tasks.py`),
like the nightly refresh; a range run twice writes nothing twice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse

from smanav.accounts.models import ReminderPreference, User
from smanav.audit.purposes import Purpose
from smanav.audit.services import audit_reads_many
from smanav.geo.distance import haversine_km
from smanav.outbox.services import Message, messages_queue, rendered
from smanav.patients.models import Guardian, NewsKind, Patient, RecordNews
from smanav.patients.seam import record_for_patient
from smanav.registry.models import ConsentPurpose
from smanav.registry.selectors import consented_patients
from smanav.trials.curation import curated_trials
from smanav.trials.matching import assess_trial
from smanav.trials.models import Trial, TrialNewsPlace, TrialSite
from smanav.trials.selectors import DISCLAIMER, patient_facts, trial_facts, trials_awaiting_news
from smanav_core import InvalidInput
from smanav_core.knowledge.loader import load_knowledge

TRIAL_NEWS_PURPOSE = Purpose.job("email about a newly recruiting trial the record may fit")
# Records per job: matching is a few milliseconds a record and trial.
RANGE_SIZE = 2000
# A site's own status in the record: these are the sites a family could go to (empty: not given).
OPEN_SITE_STATUSES = ("", "RECRUITING", "NOT_YET_RECRUITING")


def _families(on: dt.date) -> QuerySet[Patient]:
    """The records that may get trial news on `on`: consent to trial contact in force, and a family
    account that chose a place."""
    return (
        consented_patients(purpose=ConsentPurpose.TRIAL_CONTACT, on=on)
        .filter(guardians__user__trial_news_place__isnull=False, guardians__user__is_active=True)
        .distinct()
    )


def _ranges(ids: list[int], size: int) -> list[tuple[int, int]]:
    return [(ids[start], ids[min(start + size, len(ids)) - 1]) for start in range(0, len(ids), size)]


@dataclass(frozen=True, slots=True)
class Plan:
    trial_ids: list[int]
    ranges: list[tuple[int, int]]
    # Each trial's recruiting moment the plan works out (what `trials_news_worked` marks).
    moments: dict[int, dt.datetime]


def trial_news_plan(*, on: dt.date, range_size: int = RANGE_SIZE, mark: bool = True) -> Plan:
    """The trials awaiting news and the ranges of records to match them against. With `mark`, the
    trials are marked as worked out: call it in the transaction that queues the ranges, so that both
    happen or neither does. Without, mark them with `trials_news_worked` once every range is done."""
    trials = trials_awaiting_news()
    if not trials:
        return Plan([], [], {})
    moments = {trial.pk: trial.recruiting_since for trial in trials if trial.recruiting_since is not None}
    if mark:
        trials_news_worked(moments)
    ids = sorted(set(_families(on).values_list("pk", flat=True)))
    return Plan([trial.pk for trial in trials], _ranges(ids, range_size), moments)


def trials_news_worked(moments: dict[int, dt.datetime]) -> None:
    """Mark each trial's news as worked out for the recruiting moment planned (a trial that began
    recruiting again since then stays awaiting news)."""
    for trial_id, moment in moments.items():
        Trial.objects.filter(pk=trial_id, recruiting_since=moment).update(news_worked_for=moment)


@dataclass(frozen=True, slots=True)
class Near:
    distance_km: float
    site: TrialSite
    place: TrialNewsPlace


def _nearest(trial: Trial, place: TrialNewsPlace) -> Near | None:
    """The trial's open site nearest to the place, if one is within the distance the family chose."""
    best: Near | None = None
    for site in trial.sites.all():
        if site.status.upper() not in OPEN_SITE_STATUSES or site.latitude is None or site.longitude is None:
            continue
        km = haversine_km(place.latitude, place.longitude, site.latitude, site.longitude)
        if km <= place.distance_km and (best is None or km < best.distance_km):
            best = Near(km, site, place)
    return best


def _where(site: TrialSite) -> str:
    return ", ".join(part for part in (site.facility, site.city, site.state, site.country) if part)


def _news_for(
    patient: Patient, trial: Trial, near: Near, to_check: list[str], sources: list[str]
) -> RecordNews:
    km = round(near.distance_km)
    text = (
        "A clinical trial newly recruiting may fit this record: {title}. "
        "Its nearest site is about {km} km from {place}."
    )
    return RecordNews(
        patient=patient,
        kind=NewsKind.TRIAL,
        subject=trial.nct_id,
        text=text.format(km=km, place=near.place.label, title=trial.brief_title)[:500],
        sources=[],
        knowledge_before="",
        knowledge_after=load_knowledge().version,
        trial={
            "nct_id": trial.nct_id,
            "title": trial.brief_title,
            "place": near.place.label,
            "distance_km": km,
            "site": _where(near.site),
            "to_check": to_check,
            "sources": sources,
            "record_url": None if trial.is_sample else f"https://clinicaltrials.gov/study/{trial.nct_id}",
            "disclaimer": DISCLAIMER,
        },
    )


def trial_news_range(*, trial_ids: list[int], first_id: int, last_id: int, on: dt.date, site_url: str) -> int:
    """Match the trials against the consenting records `first_id` to `last_id`: write the news and queue
    the emails, in one transaction. Answers how many news were written. Run twice, it writes nothing
    twice (a record is told of a trial once)."""
    trials = list(
        Trial.objects.filter(pk__in=trial_ids, is_sma=True, overall_status="RECRUITING")
        .prefetch_related("sites")
        .order_by("nct_id")
    )
    patients = list(_families(on).filter(pk__gte=first_id, pk__lte=last_id).order_by("pk"))
    if not trials or not patients:
        return 0
    ids = [patient.pk for patient in patients]
    told = set(
        RecordNews.objects.filter(
            patient_id__in=ids, kind=NewsKind.TRIAL, subject__in=[t.nct_id for t in trials]
        ).values_list("patient_id", "subject")
    )
    places: dict[int, list[TrialNewsPlace]] = defaultdict(list)
    for guardian in Guardian.objects.filter(
        patient_id__in=ids, user__is_active=True, user__trial_news_place__isnull=False
    ).select_related("user__trial_news_place"):
        places[guardian.patient_id].append(guardian.user.trial_news_place)
    curated = curated_trials()
    titles = {key: source.title for key, source in load_knowledge().sources.items()}
    news: list[RecordNews] = []
    # (account, trial) -> the records it is told of, the news, and where.
    mails: dict[tuple[int, int], list[tuple[Patient, RecordNews, Near]]] = defaultdict(list)
    for patient in patients:
        wanted = [t for t in trials if (patient.pk, t.nct_id) not in told]
        if not wanted:
            continue
        try:
            facts = patient_facts(record_for_patient(patient), as_of=on)
        except InvalidInput:
            continue  # a record the core cannot read is matched against nothing
        for trial in wanted:
            nears = [near for place in places[patient.pk] if (near := _nearest(trial, place)) is not None]
            if not nears:
                continue
            assessment = assess_trial(facts, trial_facts(trial), curated.get(trial.nct_id), titles)
            if not assessment.possible:
                continue
            findings = assessment.of("met") + assessment.of("to_check")
            sources = list(dict.fromkeys(finding.source for finding in findings))
            to_check = [finding.text for finding in assessment.of("to_check")]
            item = _news_for(patient, trial, min(nears, key=lambda n: n.distance_km), to_check, sources)
            news.append(item)
            for near in nears:
                if near.place.by_email:
                    mails[(near.place.user_id, trial.pk)].append((patient, item, near))
    with transaction.atomic():
        # A parallel run of the same range wrote them first: theirs stand (`news_trial_once`), and the
        # emails' keys are the same, so nothing is told twice.
        RecordNews.objects.bulk_create(news, ignore_conflicts=True)
        _queue_emails(mails, site_url)
    return len(news)


def _queue_emails(
    mails: dict[tuple[int, int], list[tuple[Patient, RecordNews, Near]]], site_url: str
) -> None:
    if not mails:
        return
    users = User.objects.in_bulk({user_id for user_id, _trial in mails})
    details = set(
        ReminderPreference.objects.filter(user_id__in=list(users), news_details=True).values_list(
            "user_id", flat=True
        )
    )
    shared = {
        "site_url": site_url,
        "login_url": f"{site_url}{reverse('accounts:login')}?next={reverse('patients:dashboard')}",
        "preferences_url": f"{site_url}{reverse('notices')}",
        "finder_url": f"{site_url}{reverse('trials')}",
    }
    messages: list[Message] = []
    reads: list[tuple[User, None, list[int]]] = []
    for (user_id, trial_id), told in sorted(mails.items()):
        user = users.get(user_id)
        if user is None or not user.email or not user.is_active:
            continue
        _patient, item, near = told[0]
        messages.append(
            rendered(
                key=f"trials.news:{user_id}:{trial_id}",
                kind="trials.news",
                to=user.email,
                template="web/email/trial_news",
                context={
                    **shared,
                    "user": user,
                    "names": sorted({patient.display_name for patient, _item, _near in told}),
                    "place": near.place.label,
                    "distance_km": near.place.distance_km,
                    "details": user_id in details,
                    "trial": item.trial,
                },
            )
        )
        reads.append((user, None, sorted({patient.pk for patient, _item, _near in told})))
    audit_reads_many(reads=reads, purpose=TRIAL_NEWS_PURPOSE)
    messages_queue(messages)


def trial_news_now(*, on: dt.date, site_url: str) -> int:
    """Plan and work out every range in this process (the command without `--enqueue`, tests);
    answers how many news were written. The trials are marked as worked out only after the last range:
    stopped half-way, the next run does it all again and writes nothing twice."""
    plan = trial_news_plan(on=on, mark=False)
    written = sum(
        trial_news_range(trial_ids=plan.trial_ids, first_id=first, last_id=last, on=on, site_url=site_url)
        for first, last in plan.ranges
    )
    trials_news_worked(plan.moments)
    return written
