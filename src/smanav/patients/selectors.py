"""Reads of patient records. Every function takes what the access chokepoints already allowed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TypedDict, cast

from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet

from smanav.accounts.models import Clinic, User
from smanav.patients.keyset import (
    EarliestIfMissing,
    KeyKind,
    KeysetSort,
    Negated,
    SortKey,
    cursor_decode,
    cursor_encode,
)
from smanav.patients.models import (
    Assessment,
    ClinicShare,
    ClinicWorklistCounts,
    Dose,
    LabTest,
    Patient,
    PatientRecordVersion,
    PatientSummary,
    RecordNews,
    Treatment,
)
from smanav_core.codes import UrgencyLevel

# Each sort is one index of the summaries (`PatientSummary.Meta.indexes`), read in its order, a page at a
# time from the row a link names (`keyset.py`, ADR 0028).
_ID = SortKey("k_id", F("patient_id"), KeyKind.INTEGER)
_NAME = SortKey("k_name", F("display_name"), KeyKind.TEXT)
WORKLIST_SORTS: dict[str, KeysetSort] = {
    "priority": KeysetSort(
        (
            SortKey("k_urgency", Negated("urgency_rank"), KeyKind.INTEGER),
            SortKey("k_high_alerts", Negated("high_alert_count"), KeyKind.INTEGER),
            SortKey("k_alerts", Negated("alert_count"), KeyKind.INTEGER),
            _NAME,
            _ID,
        )
    ),
    "name": KeysetSort((_NAME, _ID)),
    # Youngest first: the index read backwards (twins listed the later-made record first).
    "age": KeysetSort(
        (SortKey("k_born", EarliestIfMissing("birth_date"), KeyKind.DATE), _ID), descending=True
    ),
    "alerts": KeysetSort((SortKey("k_alerts", Negated("alert_count"), KeyKind.INTEGER), _NAME, _ID)),
    "overdue": KeysetSort((SortKey("k_overdue", Negated("overdue_count"), KeyKind.INTEGER), _NAME, _ID)),
    # Longest since the last measurement first, those never measured before everyone.
    "last_seen": KeysetSort(
        (SortKey("k_seen", EarliestIfMissing("last_assessment_on"), KeyKind.DATE), _NAME, _ID)
    ),
}
# Beyond this many matches a filtered worklist says "more than 1,000" instead of counting them all.
MATCHES_COUNTED_UP_TO = 1000


WORKLIST_COLUMNS = (
    "id",
    "display_name",
    "birth_date",
    "summary__sma_type",
    "summary__urgency",
    "summary__urgency_rank",
    "summary__alerts",
    "summary__alert_fingerprints",
    "summary__alert_count",
    "summary__high_alert_count",
    "summary__overdue_count",
    "summary__due_soon_count",
    "summary__due_items",
    "summary__last_assessment_on",
    "summary__problem",
)


def family_looks_after_records(*, user: User) -> bool:
    """Whether the account manages at least one record as its family (a parent, carer or the person)."""
    return Patient.objects.filter(guardians__user_id=user.pk).exists()


def family_record_regions(*, user: User) -> set[str]:
    """The regions named by the records a family account manages (empty ones left out), for the reader's
    locale (`smanav.user_locale`): units, distances and paper size, never a clinical answer."""
    return set(
        Patient.objects.filter(guardians__user_id=user.pk)
        .exclude(region="")
        .values_list("region", flat=True)
        .distinct()
    )


@dataclass(frozen=True)
class WorklistFilter:
    query: str = ""
    urgency: str = ""
    alert: str = ""
    # "overdue": only records with an overdue item; "due_soon": only records with an item due soon.
    due: str = ""
    sort: str = "priority"
    # Only records with news ("what changed for me", `services/news.py`) since this moment.
    changed_since: dt.datetime | None = None


@dataclass(frozen=True)
class WorklistPage:
    """One page of the worklist and where its links lead: `next_cursor` (the last row's keys) and
    `previous_cursor` (the first row's), empty where there is no such page; the previous page of page 2
    is the first page itself, whose link carries no cursor. `number` is the page's number as the links
    carry it (1 without a cursor). `cursor_refused`: the link's cursor did not decode, so this is the
    first page."""

    object_list: list[Patient]
    number: int
    next_cursor: str = ""
    previous_cursor: str = ""
    has_previous: bool = False
    cursor_refused: bool = False

    def __iter__(self) -> Iterator[Patient]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_next(self) -> bool:
        return bool(self.next_cursor)

    @property
    def previous_is_first(self) -> bool:
        return self.has_previous and (self.number <= 2 or not self.previous_cursor)


@dataclass(frozen=True)
class WorklistPosition:
    """Where a worklist page starts: after the row named by `after`, before the one named by `before`, or
    at the start; `number` is the page number the link carries (only shown)."""

    after: str = ""
    before: str = ""
    number: int = 1


def patient_worklist_page(
    *, clinic: Clinic, filters: WorklistFilter, position: WorklistPosition, per_page: int
) -> WorklistPage:
    """One page of the worklist in two queries (three on going back to the first page), whatever the
    clinic's size and however deep the page.

    The first query walks the summaries in the order of the sort's own index from the page's position
    (a row comparison bounds the index scan), keeps those shared with the clinic now and matching the
    filters, and stops after one row more than the page; the second reads what the page shows of those
    records. A record is listed once its summary is worked out (at its creation; the worklist counts and
    queues those without one). The cursor only positions the page: the clinic's share is asked of every
    row (ADR 0028).
    """
    sort = WORKLIST_SORTS.get(filters.sort, WORKLIST_SORTS["priority"])
    cursor = position.after or position.before
    values = cursor_decode(cursor, sort) if cursor else None
    if values is None:
        keys = _worklist_keys(clinic, filters, sort, None, backwards=False, limit=per_page + 1)
        return _page(keys, per_page=per_page, number=1, has_previous=False, refused=bool(cursor))
    number = max(2, position.number)
    if position.after:
        keys = _worklist_keys(clinic, filters, sort, values, backwards=False, limit=per_page + 1)
        return _page(keys, per_page=per_page, number=number, has_previous=True)
    keys = _worklist_keys(clinic, filters, sort, values, backwards=True, limit=per_page + 1)
    if len(keys) <= per_page:
        # Back at the start: the first page as it reads now.
        keys = _worklist_keys(clinic, filters, sort, None, backwards=False, limit=per_page + 1)
        return _page(keys, per_page=per_page, number=1, has_previous=False)
    keys = list(reversed(keys[:per_page]))
    # There is a page after this one: the one the link came from.
    return _page([*keys, keys[-1]], per_page=per_page, number=number, has_previous=True)


def _page(
    keys: list[tuple[object, ...]], *, per_page: int, number: int, has_previous: bool, refused: bool = False
) -> WorklistPage:
    shown_keys = keys[:per_page]
    ids = [int(cast(int, row[-1])) for row in shown_keys]
    shown = Patient.objects.filter(pk__in=ids).select_related("summary").only(*WORKLIST_COLUMNS).in_bulk()
    # A record removed between the two queries is left out.
    rows = [shown[pk] for pk in ids if pk in shown]
    return WorklistPage(
        object_list=rows,
        number=max(1, number),
        next_cursor=cursor_encode(shown_keys[-1]) if len(keys) > per_page else "",
        previous_cursor=cursor_encode(shown_keys[0]) if has_previous and shown_keys else "",
        has_previous=has_previous,
        cursor_refused=refused,
    )


def _worklist_keys(
    clinic: Clinic,
    filters: WorklistFilter,
    sort: KeysetSort,
    values: list[object] | None,
    *,
    backwards: bool,
    limit: int,
) -> list[tuple[object, ...]]:
    """The sort keys (the record's id last) of at most `limit` rows from a position, in the order read."""
    rows = _worklist_summaries(clinic=clinic, filters=filters).annotate(**sort.annotations())
    if values is not None:
        rows = rows.filter(sort.beyond(values, backwards=backwards))
    names = [key.name for key in sort.keys]
    return list(rows.order_by(*sort.ordering(backwards=backwards)).values_list(*names)[:limit])


def _worklist_summaries(*, clinic: Clinic, filters: WorklistFilter) -> QuerySet[PatientSummary]:
    """The summaries of the clinic's patients (records shared with it now), filtered."""
    return PatientSummary.objects.filter(Exists(_shared_now(clinic))).filter(_summary_condition(filters))


def _shared_now(clinic: Clinic) -> QuerySet[ClinicShare]:
    """The summary's record is shared with `clinic` now (a subquery on the summary's `patient_id`)."""
    return ClinicShare.objects.filter(
        patient_id=OuterRef("patient_id"), clinic=clinic, withdrawn_at__isnull=True
    )


def _summary_condition(filters: WorklistFilter) -> Q:
    """The worklist's filters on the summary table itself (`_worklist_condition` on the records)."""
    condition = Q()
    if filters.query:
        condition &= Q(display_name__icontains=filters.query)
    if filters.urgency:
        condition &= Q(urgency=filters.urgency)
    if filters.alert:
        # The same condition as the code's partial index (`PatientSummary.Meta`), which serves it.
        condition &= Q(alert_codes__contains=filters.alert)
    if filters.due == "overdue":
        condition &= Q(overdue_count__gt=0)
    elif filters.due == "due_soon":
        condition &= Q(due_soon_count__gt=0)
    if filters.changed_since is not None:
        news = RecordNews.objects.filter(
            patient_id=OuterRef("patient_id"), created_at__gte=filters.changed_since
        )
        condition &= Q(Exists(news))
    return condition


def _worklist_condition(filters: WorklistFilter) -> Q:
    condition = Q()
    if filters.query:
        condition &= Q(display_name__icontains=filters.query)
    if filters.urgency:
        condition &= Q(summary__urgency=filters.urgency)
    if filters.alert:
        condition &= Q(summary__alert_codes__contains=filters.alert)
    if filters.due == "overdue":
        condition &= Q(summary__overdue_count__gt=0)
    elif filters.due == "due_soon":
        condition &= Q(summary__due_soon_count__gt=0)
    if filters.changed_since is not None:
        news = RecordNews.objects.filter(patient=OuterRef("pk"), created_at__gte=filters.changed_since)
        condition &= Q(Exists(news))
    return condition


class WorklistCounts(TypedDict):
    """The worklist's headline numbers (`clinic_counts`)."""

    total: int
    urgent: int
    with_alerts: int
    overdue: int
    due_soon: int
    matching: int
    # The filtered worklist has more than `matching` (= MATCHES_COUNTED_UP_TO) records: not counted on.
    more_than_matching: bool
    summaries_from: dt.date | None
    without_summary: int


def clinic_counts(*, clinic: Clinic, filters: WorklistFilter | None = None) -> WorklistCounts:
    """Headline numbers for the top of the worklist, and how many records the page lists in all.

    The numbers are read from the clinic's row of `ClinicWorklistCounts`, kept up to date as records
    change (ADR 0026); a clinic without one yet (none of its records changed since the table was made)
    is counted here. How many match is that row's number of summaries without filters, and counted
    through the sort's index with them. `summaries_from` is the date the oldest summary was worked out
    (None without any), read from its index; `without_summary` how many records have none yet.
    """
    filters = filters or WorklistFilter()
    stored = ClinicWorklistCounts.objects.filter(clinic=clinic).first()
    if stored is None:
        return _counted(clinic=clinic, filters=filters)
    condition = _summary_condition(filters)
    oldest = (
        PatientSummary.objects.filter(Exists(_shared_now(clinic)))
        .order_by("evaluated_on")
        .values_list("evaluated_on", flat=True)
        .first()
    )
    return WorklistCounts(
        total=stored.shared,
        urgent=stored.urgent,
        with_alerts=stored.with_alerts,
        overdue=stored.overdue,
        due_soon=stored.due_soon,
        **_matching(clinic=clinic, filters=filters, stored=stored, filtered=bool(condition)),
        summaries_from=oldest,
        without_summary=max(0, stored.shared - stored.summarised),
    )


class _Matching(TypedDict):
    matching: int
    more_than_matching: bool


def _matching(
    *, clinic: Clinic, filters: WorklistFilter, stored: ClinicWorklistCounts, filtered: bool
) -> _Matching:
    """How many records the worklist lists with these filters: a kept number where one filter alone is
    one of the headline numbers, otherwise counted up to MATCHES_COUNTED_UP_TO and no further."""
    if not filtered:
        return _Matching(matching=stored.summarised, more_than_matching=False)
    kept = _kept_filter_count(filters, stored)
    if kept is not None:
        return _Matching(matching=kept, more_than_matching=False)
    found = _worklist_summaries(clinic=clinic, filters=filters).values("patient_id")[
        : MATCHES_COUNTED_UP_TO + 1
    ]
    counted = found.count()
    if counted > MATCHES_COUNTED_UP_TO:
        return _Matching(matching=MATCHES_COUNTED_UP_TO, more_than_matching=True)
    return _Matching(matching=counted, more_than_matching=False)


def _kept_filter_count(filters: WorklistFilter, stored: ClinicWorklistCounts) -> int | None:
    """The kept number that is exactly this filter's count, if there is one (urgent only, overdue only,
    due soon only)."""
    if filters == WorklistFilter(urgency=UrgencyLevel.URGENT.value, sort=filters.sort):
        return stored.urgent
    if filters == WorklistFilter(due="overdue", sort=filters.sort):
        return stored.overdue
    if filters == WorklistFilter(due="due_soon", sort=filters.sort):
        return stored.due_soon
    return None


def _counted(*, clinic: Clinic, filters: WorklistFilter) -> WorklistCounts:
    """The same numbers counted from every record of the clinic (one query)."""
    condition = _worklist_condition(filters)
    listed = Q(summary__isnull=False)
    counts = Patient.objects.filter(shares__clinic=clinic, shares__withdrawn_at__isnull=True).aggregate(
        total=Count("id"),
        urgent=Count("id", filter=Q(summary__urgency=UrgencyLevel.URGENT.value)),
        with_alerts=Count("id", filter=Q(summary__alert_count__gt=0)),
        overdue=Count("id", filter=Q(summary__overdue_count__gt=0)),
        due_soon=Count("id", filter=Q(summary__due_soon_count__gt=0)),
        matching=Count("id", filter=condition & listed),
        summaries_from=Min("summary__evaluated_on"),
        without_summary=Count("id", filter=Q(summary__isnull=True)),
    )
    return cast(WorklistCounts, {**counts, "more_than_matching": False})


def summaries_behind(counts: WorklistCounts, *, as_of: dt.date) -> bool:
    """Whether some of the worklist's summaries (from `clinic_counts`) predate `as_of` or are missing:
    overdue items depend on the date, so such a worklist can miss an item that has fallen due since."""
    oldest = counts["summaries_from"]
    return bool(counts["without_summary"]) or (oldest is not None and oldest < as_of)


def patient_ids_for_summary_refresh(
    *, as_of: dt.date, clinic_id: int | None = None, id_range: tuple[int, int] | None = None
) -> list[int]:
    """The records whose summary needs working out for `as_of`, in id order.

    For one clinic (a worklist found itself behind): the records shared with it now whose summary is
    missing or older than `as_of`. For every record (the nightly refresh): all but those already worked
    out for a later day, so that re-running it after a knowledge update re-evaluates today's too; with
    `id_range` (first and last id, both included) only those of one range of the nightly refresh.
    """
    if clinic_id is None:
        patients = Patient.objects.exclude(summary__evaluated_on__gt=as_of)
        if id_range is not None:
            patients = patients.filter(pk__gte=id_range[0], pk__lte=id_range[1])
    else:
        patients = Patient.objects.filter(
            shares__clinic_id=clinic_id, shares__withdrawn_at__isnull=True
        ).filter(Q(summary__isnull=True) | Q(summary__evaluated_on__lt=as_of))
    return list(patients.order_by("pk").values_list("pk", flat=True))


def patient_id_ranges(*, size: int) -> list[tuple[int, int]]:
    """Every record's id in consecutive ranges of at most `size` records, as (first id, last id), for
    the nightly refresh split into jobs. One query reads the ids alone (a 150,000-record registry is
    150,000 integers)."""
    ids = list(Patient.objects.order_by("pk").values_list("pk", flat=True))
    return [(ids[start], ids[min(start + size, len(ids)) - 1]) for start in range(0, len(ids), size)]


def patient_versions(*, patient: Patient) -> QuerySet[PatientRecordVersion]:
    return patient.versions.order_by("-version")


def patient_shares(*, patient: Patient) -> QuerySet[ClinicShare]:
    return patient.shares.select_related("clinic", "invited_by", "withdrawn_by").order_by("-created_at")


def patient_assessment(*, patient: Patient, assessment_id: int) -> Assessment | None:
    """One measurement of this record, or None if the record has none with that id (any more)."""
    return patient.assessments.filter(pk=assessment_id).first()


def patient_ongoing_treatment(*, patient: Patient, treatment_id: int) -> Treatment | None:
    """One treatment of this record that has not ended, or None."""
    return patient.treatments.filter(pk=treatment_id, end_date__isnull=True).first()


def patient_treatment(*, patient: Patient, treatment_id: int) -> Treatment | None:
    """One treatment course of this record, or None."""
    return patient.treatments.filter(pk=treatment_id).first()


def patient_dose(*, patient: Patient, dose_id: int) -> Dose | None:
    """One recorded dose of this record's treatments, or None."""
    return Dose.objects.filter(pk=dose_id, treatment__patient=patient).select_related("treatment").first()


def patient_lab_test(*, patient: Patient, lab_test_id: int) -> LabTest | None:
    """One recorded safety test of this record, or None."""
    return patient.lab_tests.filter(pk=lab_test_id).first()


def clinics_for_invitation(*, patient: Patient) -> QuerySet[Clinic]:
    """Clinics the family may invite: every clinic the record is not shared with at the moment."""
    shared = ClinicShare.objects.filter(patient=patient, withdrawn_at__isnull=True).values("clinic_id")
    return Clinic.objects.exclude(pk__in=shared).order_by("name")


def patient_names_for_clinic(*, clinic: Clinic, patient_ids: Iterable[int]) -> dict[int, str]:
    """The names of the records among `patient_ids` that are shared with `clinic` now (for the
    coordinator's audit log, which names records; a record no longer shared stays unnamed there)."""
    shared = ClinicShare.objects.filter(
        clinic=clinic, withdrawn_at__isnull=True, patient_id__in=list(patient_ids)
    )
    return dict(shared.values_list("patient_id", "patient__display_name"))


def patient_ids_for_clinic_named(*, clinic: Clinic, query: str) -> list[int]:
    """The records shared with `clinic` now whose name contains `query` (the audit log's filter)."""
    shared = ClinicShare.objects.filter(
        clinic=clinic, withdrawn_at__isnull=True, patient__display_name__icontains=query
    )
    return list(shared.values_list("patient_id", flat=True))
