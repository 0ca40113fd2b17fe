"""The researcher role (issue 13 part 5, ADR 0031): asked for by one administrator, confirmed by another,
past the second factor, in no clinic; sees the cohort dashboard of the people who agreed to research use
(small cells suppressed) and nothing else; every grant, refusal, removal and dashboard view audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.web.personas import Personas, log_in, make_user, people_fixture  # noqa: F401 (a fixture)

from smanav.accounts.grants import (
    GrantRefused,
    researcher_add,
    researcher_confirm,
    researcher_refuse,
    researcher_remove,
    staff_add,
)
from smanav.accounts.models import ResearcherGrant, StaffRole
from smanav.accounts.roles import Role, needs_second_factor, role_of
from smanav.accounts.session_limits import limits_for
from smanav.audit.models import AccountAction, AccountEvent, AuditEvent
from smanav.audit.selectors import account_events_recent
from smanav.patients.models import ClinicShare, Patient
from smanav.patients.services import all_summaries_refresh
from smanav.registry import dashboard, survival
from smanav.registry.dashboard_cohort import cohort_table
from smanav.registry.models import Consent, ConsentPurpose
from smanav.registry.selectors import consented_patients
from smanav.registry.synth_write import synth_write

PAGE = "/registry/dashboard/"
SITE = "http://testserver"


def _fresh(user: Any) -> Any:
    return get_user_model().objects.get(pk=user.pk)


def _total(page: str, words: str) -> int | None:
    """The headline count after `words` on the page (None: shown as "fewer than")."""
    shown = page.split(f"{words}</strong> ", 1)[1].split("<", 1)[0]
    return None if shown.startswith("fewer") else int(shown)


@pytest.fixture(name="cohort")
def cohort_fixture(people: Personas) -> list[Patient]:
    """60 synthetic people who agreed to the registry and to research use (some withdrew from research)."""
    today = timezone.localdate()
    synth_write(patients=60, seed=3, as_of=today)
    all_summaries_refresh(as_of=today)
    people_made = list(Patient.objects.filter(creation_key__startswith="synth:3:").order_by("pk"))
    for patient in people_made[:25]:
        ClinicShare.objects.create(patient=patient, clinic=people.clinic)
    return people_made


# --- the role ---------------------------------------------------------------------------------------------


def test_a_confirmed_researcher_has_the_role_staffs_second_factor_and_staffs_session_limits(
    people: Personas, settings: Any
) -> None:
    assert role_of(_fresh(people.researcher)) is Role.RESEARCHER
    assert needs_second_factor(_fresh(people.researcher))
    assert limits_for(_fresh(people.researcher)) == (
        settings.SMANAV_STAFF_SESSION_IDLE_SECONDS,
        settings.SMANAV_STAFF_SESSION_MAX_SECONDS,
    )
    # Waiting for confirmation: no role yet, but the second factor already (as staff who wait).
    assert role_of(_fresh(people.pending_researcher)) is Role.FAMILY
    assert needs_second_factor(_fresh(people.pending_researcher))


def test_a_researcher_without_the_second_factor_is_sent_to_enrol(people: Personas) -> None:
    client = log_in(Client(), people.researcher, verified=False)
    for path in (PAGE, reverse("accounts:account")):
        answer = client.get(path)
        assert answer.status_code == 302
        assert answer["Location"].startswith(reverse("accounts:two_factor") + "?next=")
    # No device yet (a new researcher): the same, to set one up.
    fresh = make_user("new_researcher")
    grant = researcher_add(requested_by=people.administrator, user=fresh)
    researcher_confirm(actor=people.second_administrator, grant=grant, site=SITE)
    answer = log_in(Client(), fresh).get(PAGE)
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("accounts:two_factor"))


def test_an_unconfirmed_researcher_sees_nothing(people: Personas, cohort: list[Patient]) -> None:
    client = log_in(Client(), people.pending_researcher)
    assert client.get(PAGE).status_code == 404
    assert client.get(reverse("registry:survival_chart")).status_code == 404
    assert client.get(reverse("registry:trajectory_chart", args=["HFMSE", "treatment"])).status_code == 404
    assert client.get("/api/v1/patients").json()["count"] == 0


def test_a_researcher_sees_no_record_even_one_they_keep(people: Personas) -> None:
    """A family account made a researcher's sees its own record no more while it is one."""
    grant = researcher_add(requested_by=people.administrator, user=people.adult)
    researcher_confirm(actor=people.second_administrator, grant=grant, site=SITE)
    client = log_in(Client(), people.adult)  # no second factor: sent to enrol first
    assert client.get(reverse("patients:detail", args=[people.adult_record.pk])).status_code == 302
    TOTPDevice.objects.create(user=people.adult, confirmed=True, name="phone")
    client = log_in(Client(), people.adult)
    assert client.get(reverse("patients:detail", args=[people.adult_record.pk])).status_code == 404
    assert client.get(f"/api/v1/patients/{people.adult_record.pk}").status_code == 404
    assert client.get("/api/v1/patients").json()["count"] == 0
    assert client.get(reverse("patients:new")).status_code == 404


# --- grants: who may confirm, and the audit trail ---------------------------------------------------------


def test_a_researcher_is_confirmed_by_a_second_administrator_only(people: Personas, settings: Any) -> None:
    grant = ResearcherGrant.objects.get(user=people.pending_researcher)
    with pytest.raises(GrantRefused, match="another administrator"):
        researcher_confirm(actor=people.administrator, grant=grant, site=SITE)  # who asked for it
    with pytest.raises(GrantRefused, match="Only an administrator"):
        researcher_confirm(actor=people.coordinator, grant=grant, site=SITE)
    with pytest.raises(GrantRefused, match="Only an administrator"):
        researcher_confirm(actor=people.researcher, grant=grant, site=SITE)
    assert not ResearcherGrant.objects.get(pk=grant.pk).is_confirmed
    settings.SMANAV_SINGLE_ADMIN = True
    researcher_confirm(actor=people.administrator, grant=grant, site=SITE)
    event = AccountEvent.objects.get(
        action=AccountAction.RESEARCHER_CONFIRMED, subject=people.pending_researcher
    )
    assert event.single_admin and event.actor == people.administrator


def test_a_researcher_holds_no_other_power(people: Personas) -> None:
    with pytest.raises(GrantRefused, match="clinic's team"):
        researcher_add(requested_by=people.administrator, user=people.clinician)
    with pytest.raises(GrantRefused, match="administrator"):
        researcher_add(requested_by=people.administrator, user=people.second_administrator)
    with pytest.raises(GrantRefused, match="researcher already"):
        researcher_add(requested_by=people.administrator, user=people.researcher)
    with pytest.raises(GrantRefused, match="researcher's"):
        staff_add(
            requested_by=people.administrator,
            user=people.researcher,
            clinic=people.clinic,
            role=StaffRole.CLINICIAN,
        )
    assert ResearcherGrant.objects.filter(user=people.clinician).count() == 0


def test_asking_confirming_refusing_and_removing_are_audited(people: Personas) -> None:
    subject = make_user("analyst", second_factor=True)
    grant = researcher_add(requested_by=people.administrator, user=subject)
    researcher_refuse(actor=people.second_administrator, grant=grant)
    assert not ResearcherGrant.objects.filter(user=subject).exists()
    grant = researcher_add(requested_by=people.administrator, user=subject)
    with pytest.raises(GrantRefused, match="refuse it instead"):
        researcher_remove(actor=people.second_administrator, grant=grant)
    researcher_confirm(actor=people.second_administrator, grant=grant, site=SITE)
    assert role_of(_fresh(subject)) is Role.RESEARCHER
    with pytest.raises(GrantRefused, match="Only an administrator"):
        researcher_remove(actor=people.researcher, grant=grant)
    researcher_remove(actor=people.administrator, grant=grant)
    assert role_of(_fresh(subject)) is Role.FAMILY
    actions = list(
        AccountEvent.objects.filter(subject=subject, action__startswith="researcher_")
        .order_by("at", "id")
        .values_list("action", "actor_label")
    )
    assert actions == [
        (AccountAction.RESEARCHER_REQUESTED, "admin"),
        (AccountAction.RESEARCHER_REFUSED, "second_admin"),
        (AccountAction.RESEARCHER_REQUESTED, "admin"),
        (AccountAction.RESEARCHER_CONFIRMED, "second_admin"),
        (AccountAction.RESEARCHER_REMOVED, "admin"),
    ]
    # A removed researcher's next request sees no dashboard.
    assert log_in(Client(), subject).get(PAGE).status_code == 404


def test_the_administrators_page_asks_for_confirms_and_ends_a_researcher(people: Personas) -> None:
    first = log_in(Client(), people.administrator)
    answer = first.post(
        reverse("accounts:clinics"),
        {"researcher-username": "epi", "researcher-email": "epi@example.org", "add_researcher": "1"},
    )
    assert answer.status_code == 302
    grant = ResearcherGrant.objects.get(user__username="epi")
    assert not grant.is_confirmed and not grant.user.has_usable_password()
    page = first.get(reverse("accounts:clinics")).content.decode()
    assert "You asked for this: another administrator must confirm it." in page
    decide = reverse("accounts:researcher_decide", args=[grant.pk])
    first.post(decide, {"decision": "confirm"})
    assert not ResearcherGrant.objects.get(pk=grant.pk).is_confirmed
    second = log_in(Client(), people.second_administrator)
    second.post(decide, {"decision": "confirm"})
    assert ResearcherGrant.objects.get(pk=grant.pk).is_confirmed
    assert [message.to for message in mail.outbox][-1] == ["epi@example.org"]  # the set-password link
    # Promoting an existing account; refusals in words, naming the field, nothing saved.
    answer = second.post(
        reverse("accounts:clinics"), {"promote-username": "clinician", "promote_researcher": "1"}
    )
    assert answer.status_code == 422
    assert "Username of the existing account: This account belongs to a clinic" in answer.content.decode()
    answer = second.post(
        reverse("accounts:clinics"), {"promote-username": "nobody", "promote_researcher": "1"}
    )
    assert answer.status_code == 422 and "No account has this username." in answer.content.decode()
    assert ResearcherGrant.objects.filter(user__username__in=["clinician", "nobody"]).count() == 0
    answer = second.post(
        reverse("accounts:clinics"), {"promote-username": "outsider", "promote_researcher": "1"}
    )
    assert answer.status_code == 302
    assert not ResearcherGrant.objects.get(user=people.outsider).is_confirmed
    # Ending a confirmed researcher's powers.
    second.post(decide, {"decision": "remove"})
    assert not ResearcherGrant.objects.filter(pk=grant.pk).exists()
    page = second.get(reverse("accounts:clinics")).content.decode()
    assert "ended a researcher account&#x27;s powers" in page or "ended a researcher account's powers" in page
    # Only administrators decide.
    other = ResearcherGrant.objects.get(user=people.outsider)
    answer = log_in(Client(), people.coordinator).post(
        reverse("accounts:researcher_decide", args=[other.pk]), {"decision": "confirm"}
    )
    assert answer.status_code == 404 and not ResearcherGrant.objects.get(pk=other.pk).is_confirmed


# --- the research cohort's dashboard ----------------------------------------------------------------------


def _withdraw_research(patients: list[Patient]) -> None:
    Consent.objects.filter(patient__in=patients, purpose=ConsentPurpose.RESEARCH).update(
        withdrawn_at=timezone.now()
    )


def test_the_researcher_sees_the_research_cohort_and_the_coordinator_the_registry(
    people: Personas, cohort: list[Patient]
) -> None:
    today = timezone.localdate()
    # Registry consent but never asked about research: 12 people.
    Consent.objects.filter(patient__in=cohort[:12], purpose=ConsentPurpose.RESEARCH).delete()
    # Research consent withdrawn: 8 more.
    _withdraw_research(cohort[12:20])
    registry = set(consented_patients(purpose=ConsentPurpose.REGISTRY, on=today).values_list("pk", flat=True))
    research = set(consented_patients(purpose=ConsentPurpose.RESEARCH, on=today).values_list("pk", flat=True))
    assert {p.pk for p in cohort[:20]} <= registry and not {p.pk for p in cohort[:20]} & research
    assert len(research) >= 5  # enough to be shown

    researcher_page = log_in(Client(), people.researcher).get(PAGE).content.decode()
    coordinator_page = log_in(Client(), people.coordinator).get(PAGE).content.decode()
    assert "<h1>Research cohort dashboard</h1>" in researcher_page
    assert _total(researcher_page, "People in the research cohort:") == len(research)
    assert _total(coordinator_page, "People taking part:") == len(registry)
    assert len(registry) > len(research)


def test_a_withdrawn_or_never_consented_person_is_in_no_figure_a_researcher_sees(
    people: Personas, cohort: list[Patient]
) -> None:
    today = timezone.localdate()
    withdrawn = cohort[:10]
    _withdraw_research(withdrawn)
    never = cohort[10:15]
    Consent.objects.filter(patient__in=never, purpose=ConsentPurpose.RESEARCH).delete()
    out = {p.pk for p in withdrawn + never}
    # Everyone else agreed: those now in the research cohort.
    research = set(consented_patients(purpose=ConsentPurpose.RESEARCH, on=today).values_list("pk", flat=True))
    with cohort_table(on=today, purpose=ConsentPurpose.RESEARCH) as table:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {table}")
            counted = {int(row[0]) for row in cursor.fetchall()}
        counts = dashboard.counts(table, limit=1)
        curves = survival.survival(table, limit=1).curves
    assert counted == research and not counted & out
    assert counts.total == len(research)
    for entry in counts.tables:
        assert entry.table.total in (None, len(research))
    [everyone] = [curve for curve in curves if curve.group == survival.ALL]
    assert max(point.at_risk for point in everyone.points if point) <= len(research)
    page = log_in(Client(), people.researcher).get(PAGE).content.decode()
    assert _total(page, "People in the research cohort:") == len(research)


def test_small_cells_are_suppressed_for_researchers(
    people: Personas, cohort: list[Patient], settings: Any
) -> None:
    # Four people left in the research cohort: below the threshold, so shown as "fewer than".
    _withdraw_research(cohort[4:])
    settings.SMANAV_SMALL_CELL_THRESHOLD = 5
    page = log_in(Client(), people.researcher).get(PAGE).content.decode()
    assert _total(page, "People in the research cohort:") is None
    assert "fewer than 5" in page


def test_each_dashboard_view_is_audited_once_and_no_record_read(
    people: Personas, cohort: list[Patient]
) -> None:
    client = log_in(Client(), people.researcher)
    reads_before = AuditEvent.objects.count()
    assert client.get(PAGE).status_code == 200
    chart = client.get(reverse("registry:trajectory_chart", args=["HFMSE", "treatment"]))
    assert chart.status_code == 200 and chart["Content-Type"] == "image/svg+xml"
    assert client.get(reverse("registry:survival_chart")).status_code == 200
    views = list(
        AccountEvent.objects.filter(action=AccountAction.DASHBOARD_VIEWED, actor=people.researcher)
        .order_by("id")
        .values_list("what", flat=True)
    )
    assert views == [
        "page, research cohort",
        "chart HFMSE by treatment, research cohort",
        "time-to-event chart, research cohort",
    ]
    assert AuditEvent.objects.count() == reads_before  # aggregates only: no record was handed out
    # Views change no account: not among the account changes of the administrators' page.
    assert not any(e.action == AccountAction.DASHBOARD_VIEWED for e in account_events_recent())
    log_in(Client(), people.coordinator).get(PAGE)
    assert AccountEvent.objects.filter(
        action=AccountAction.DASHBOARD_VIEWED, actor=people.coordinator, what="page, registry cohort"
    ).exists()
