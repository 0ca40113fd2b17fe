"""Match a patient record (the contract's format) against the open SMA trials in the database."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from smanav.geo.distance import haversine_km
from smanav.geo.selectors import Location
from smanav.trials.curation import curated_trials
from smanav.trials.matching import TrialAssessment, TrialFacts, assess_trial
from smanav.trials.models import Trial, TrialSite
from smanav_core import interpret_person
from smanav_core.facts import Person
from smanav_core.knowledge.loader import load_knowledge

OPEN_STATUSES = ("RECRUITING", "NOT_YET_RECRUITING")
NEAREST_SITES = 3
DISCLAIMER = (
    "This list helps you prepare a conversation with your clinical team and the trial's contacts; it does "
    "not decide whether anyone can join. Only the trial team can. Criteria change: check the current record "
    "on ClinicalTrials.gov."
)


def trials_awaiting_news() -> list[Trial]:
    """The SMA trials an import found newly recruiting whose trial news were not worked out yet for that
    moment (`web/trial_news.py`), with their sites."""
    rows = Trial.objects.filter(is_sma=True, overall_status="RECRUITING", recruiting_since__isnull=False)
    return [
        trial
        for trial in rows.prefetch_related("sites").order_by("nct_id")
        if trial.news_worked_for != trial.recruiting_since
    ]


def patient_facts(record: object, *, as_of: dt.date) -> Person:
    """Validate the record and let the clinical core interpret it (diagnosis, type, motor function), as
    the core does for an evaluation; no region is involved (trial criteria are the same everywhere)."""
    return interpret_person(record, as_of=as_of)


def _phase_words(code: str) -> str:
    """A ClinicalTrials.gov phase in words: PHASE2 -> "phase 2", EARLY_PHASE1 -> "early phase 1"."""
    if code == "NA":
        return "phase not applicable"
    return re.sub(r"PHASE(\d)", r"PHASE \1", code).lower().replace("_", " ")


@dataclass
class TrialMatch:
    trial: Trial
    assessment: TrialAssessment
    sites: list[tuple[float | None, TrialSite]]

    @property
    def nearest_km(self) -> float | None:
        return self.sites[0][0] if self.sites and self.sites[0][0] is not None else None

    def sort_key(self) -> tuple[int, int, int, int, int, float, str]:
        a = self.assessment
        return (
            0 if a.possible else 1,
            len(a.of("not_met")),
            -len(a.of("met")),
            len(a.of("to_check")),
            OPEN_STATUSES.index(self.trial.overall_status)
            if self.trial.overall_status in OPEN_STATUSES
            else 9,
            self.nearest_km if self.nearest_km is not None else float("inf"),
            self.trial.nct_id,
        )

    def as_dict(self) -> dict[str, object]:
        a = self.assessment
        trial = self.trial
        return {
            "nct_id": trial.nct_id,
            "title": trial.brief_title,
            "status": trial.overall_status,
            "status_label": trial.overall_status.lower().replace("_", " "),
            "phases": list(trial.phases),
            "phases_label": ", ".join(_phase_words(code) for code in trial.phases),
            "sponsor": trial.sponsor,
            "is_sample": trial.is_sample,
            "record_url": None if trial.is_sample else f"https://clinicaltrials.gov/study/{trial.nct_id}",
            "record_last_updated": trial.last_update_posted.isoformat() if trial.last_update_posted else None,
            "curated_review": (
                {
                    "reviewed_on": a.reviewed_on.isoformat() if a.reviewed_on else None,
                    "changed_since_review": a.changed_since_review,
                }
                if a.curated
                else None
            ),
            "possible": a.possible,
            "criteria": {
                "met": [f.as_dict() for f in a.of("met")],
                "not_met": [f.as_dict() for f in a.of("not_met")],
                "to_check": [f.as_dict() for f in a.of("to_check")],
            },
            "nearest_sites": [
                {
                    "facility": site.facility,
                    "city": site.city,
                    "state": site.state,
                    "country": site.country,
                    "status": site.status,
                    "distance_km": distance,
                }
                for distance, site in self.sites
            ],
        }


def match_trials(
    facts: Person, *, location: Location | None = None, include_samples: bool = True
) -> list[TrialMatch]:
    """Every open SMA trial, assessed and ranked (two queries whatever the number of trials)."""
    curated = curated_trials()
    titles = {key: source.title for key, source in load_knowledge().sources.items()}
    rows = Trial.objects.filter(is_sma=True, overall_status__in=OPEN_STATUSES).prefetch_related("sites")
    if not include_samples:
        rows = rows.filter(is_sample=False)
    matches: list[TrialMatch] = []
    for trial in rows:
        assessment = assess_trial(facts, trial_facts(trial), curated.get(trial.nct_id), titles)
        sites: list[tuple[float | None, TrialSite]] = []
        for site in trial.sites.all():
            distance = None
            if location is not None and site.latitude is not None and site.longitude is not None:
                distance = round(
                    haversine_km(location.latitude, location.longitude, site.latitude, site.longitude), 1
                )
            sites.append((distance, site))
        sites.sort(key=lambda item: (item[0] is None, item[0] or 0.0, item[1].facility))
        matches.append(TrialMatch(trial, assessment, sites[:NEAREST_SITES]))
    matches.sort(key=TrialMatch.sort_key)
    return matches


def trial_facts(trial: Trial) -> TrialFacts:
    """What the matcher reads of a stored trial (`matching.assess_trial`)."""
    return TrialFacts(
        nct_id=trial.nct_id,
        minimum_age=trial.minimum_age,
        maximum_age=trial.maximum_age,
        sex=trial.sex,
        eligibility_criteria=trial.eligibility_criteria,
        last_update_posted=trial.last_update_posted,
    )
