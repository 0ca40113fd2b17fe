"""Consent per person and purpose: who may give it, when a parent's consent lapses, withdrawal, the
review invitation, the audit trail, and the consent-scoped selector every export and dashboard uses."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from tests.web.background import today_fixture  # noqa: F401 (a fixture)
from tests.web.personas import Personas, log_in, people_fixture  # noqa: F401 (a fixture)

from smanav.audit.models import AuditAction, AuditEvent
from smanav.patients.models import GuardianRelation, Patient
from smanav.patients.services import patient_create
from smanav.registry import selectors, services
from smanav.registry.consent import parse_ages
from smanav.registry.models import Consent, ConsentPurpose

GIVEN_ON = dt.date(2027, 1, 10)
RESEARCH = ConsentPurpose.RESEARCH


def _give(people: Personas, patient: Patient, purpose: str = RESEARCH, *, on: dt.date = GIVEN_ON) -> Consent:
    author = people.adult if patient == people.adult_record else people.parent
    return services.consent_give(author=author, patient_id=patient.pk, purpose=purpose, text_version=1, on=on)


def _cohort(purpose: str = RESEARCH, *, on: dt.date = GIVEN_ON) -> set[int]:
    return set(
        selectors.consented_patients(purpose=ConsentPurpose(purpose), on=on).values_list("pk", flat=True)
    )


# --- the consent-scoped selector -------------------------------------------------------------------


def test_a_never_consented_or_withdrawn_patient_is_absent_from_the_cohort(people: Personas) -> None:
    _give(people, people.shared_child)
    _give(people, people.adult_record)
    _give(people, people.private_child, ConsentPurpose.REGISTRY)  # another purpose only
    assert _cohort() == {people.shared_child.pk, people.adult_record.pk}

    services.consent_withdraw(author=people.adult, patient_id=people.adult_record.pk, purpose=RESEARCH)

    assert _cohort() == {people.shared_child.pk}
    assert _cohort(ConsentPurpose.REGISTRY) == {people.private_child.pk}
    # Withdrawal takes effect for every later read, whatever date the export is run for.
    assert people.adult_record.pk not in _cohort(on=dt.date(2030, 1, 1))


def test_a_consent_counts_from_the_day_it_was_given(people: Personas) -> None:
    _give(people, people.shared_child)
    assert people.shared_child.pk not in _cohort(on=GIVEN_ON - dt.timedelta(days=1))
    assert people.shared_child.pk in _cohort(on=GIVEN_ON)


def test_a_parents_consent_lapses_when_the_child_comes_of_age(people: Personas) -> None:
    # Ada, born on 1 March 2020 in the US: 18 on 1 March 2038.
    _give(people, people.shared_child)
    assert people.shared_child.pk in _cohort(on=dt.date(2038, 2, 28))
    assert people.shared_child.pk not in _cohort(on=dt.date(2038, 3, 1))
    states = {
        s.purpose: s for s in selectors.consent_states(patient=people.shared_child, on=dt.date(2038, 3, 1))
    }
    assert states[RESEARCH].status == "ask_again"
    assert states[RESEARCH].counts is False


def test_the_age_of_consent_is_a_setting_per_region(people: Personas, settings: Any) -> None:
    _give(people, people.shared_child)
    settings.SMANAV_CONSENT_AGE_BY_REGION = "*:18,US:16"
    assert people.shared_child.pk in _cohort(on=dt.date(2036, 2, 29))
    assert people.shared_child.pk not in _cohort(on=dt.date(2036, 3, 1))


def test_a_child_born_on_29_february_comes_of_age_on_28_february(people: Personas) -> None:
    leap = patient_create(
        author=people.parent,
        display_name="Lea",
        document={"birth_date": "2012-02-29", "region": "US"},
        as_of=GIVEN_ON,
    )
    _give(people, leap)
    assert leap.pk in _cohort(on=dt.date(2030, 2, 27))
    assert leap.pk not in _cohort(on=dt.date(2030, 2, 28))


@pytest.mark.parametrize("value", ["UK:16", "*:eighteen", "*:4", "", ":18,*:18"])
def test_a_malformed_age_setting_stops_the_application(value: str) -> None:
    with pytest.raises(ImproperlyConfigured):
        parse_ages(value)


# --- who decides -------------------------------------------------------------------------------------


def test_a_parent_cannot_give_consent_for_a_person_who_has_come_of_age(people: Personas) -> None:
    grown = patient_create(
        author=people.parent,
        display_name="Max",
        document={"birth_date": "2005-06-01", "region": "US"},
        as_of=GIVEN_ON,
    )
    with pytest.raises(services.ConsentRefused, match="Max is now old enough to decide"):
        _give(people, grown)
    assert not Consent.objects.filter(patient=grown).exists()


def test_someone_who_does_not_keep_the_record_cannot_decide(people: Personas) -> None:
    for change in (
        lambda: services.consent_give(
            author=people.outsider,
            patient_id=people.shared_child.pk,
            purpose=RESEARCH,
            text_version=1,
            on=GIVEN_ON,
        ),
        lambda: services.consent_withdraw(
            author=people.clinician, patient_id=people.shared_child.pk, purpose=RESEARCH
        ),
    ):
        with pytest.raises(services.ConsentRefused):
            change()
    assert not Consent.objects.exists()


def test_a_text_version_that_does_not_exist_is_refused(people: Personas) -> None:
    with pytest.raises(services.ConsentRefused, match="version of the consent text"):
        services.consent_give(
            author=people.parent,
            patient_id=people.shared_child.pk,
            purpose=RESEARCH,
            text_version=9,
            on=GIVEN_ON,
        )
    assert not Consent.objects.exists()


def test_an_adult_gives_their_own_consent(people: Personas) -> None:
    consent = _give(people, people.adult_record)
    assert consent.given_as == "self"
    assert people.adult_record.pk in _cohort(on=dt.date(2080, 1, 1))


# --- audit and review ----------------------------------------------------------------------------------


def test_every_change_of_a_consent_is_audited(people: Personas) -> None:
    before = AuditEvent.objects.count()
    _give(people, people.shared_child)
    services.consent_withdraw(author=people.parent, patient_id=people.shared_child.pk, purpose=RESEARCH)
    services.consent_withdraw(
        author=people.parent, patient_id=people.shared_child.pk, purpose=RESEARCH
    )  # no-op
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [(e.action, e.patient_id, e.actor_label) for e in events] == [
        (AuditAction.CHANGE, people.shared_child.pk, "parent"),
        (AuditAction.CHANGE, people.shared_child.pk, "parent"),
    ]
    assert events[0].what == "consent given (parent) to use in research, text version 1"
    assert events[1].what == "consent to use in research withdrawn"


def test_a_review_invitation_is_due_six_months_after_the_last_review(people: Personas, settings: Any) -> None:
    _give(people, people.shared_child, ConsentPurpose.REGISTRY)
    assert selectors.review_due_date(patient=people.shared_child) == dt.date(2027, 7, 10)
    due = selectors.participants_due_for_review
    assert people.shared_child.pk not in due(on=dt.date(2027, 7, 9)).values_list("pk", flat=True)
    assert people.shared_child.pk in due(on=dt.date(2027, 7, 10)).values_list("pk", flat=True)

    services.consent_review_confirm(
        author=people.parent, patient_id=people.shared_child.pk, on=dt.date(2027, 7, 12)
    )
    assert selectors.review_due_date(patient=people.shared_child) == dt.date(2028, 1, 12)
    assert not due(on=dt.date(2027, 8, 1)).exists()

    settings.SMANAV_CONSENT_REVIEW_MONTHS = 3
    assert selectors.review_due_date(patient=people.shared_child) == dt.date(2027, 10, 12)


# --- the page -------------------------------------------------------------------------------------------


def test_the_family_gives_and_withdraws_consent_on_the_page(
    people: Personas, client: Client, today: Any
) -> None:
    today(GIVEN_ON)
    log_in(client, people.parent)
    url = f"/records/{people.shared_child.pk}/consent/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Use in research" in html and "Not given." in html
    assert "never_asked" not in html and "ask_again" not in html
    # The wording's date in words a parent reads, not a version number.
    assert "This wording has been in use since" in html and "Text version" not in html

    answer = client.post(url + "give/", {"purpose": "research", "text_version": "1"})
    assert answer.status_code == 302
    assert "Given by a parent or carer on" in client.get(url).content.decode()
    assert people.shared_child.pk in _cohort()

    client.post(url + "withdraw/", {"purpose": "research"})
    assert "Withdrawn on" in client.get(url).content.decode()
    assert people.shared_child.pk not in _cohort()


def test_a_bad_decision_on_the_page_says_what_is_wrong_and_changes_nothing(
    people: Personas, client: Client, today: Any
) -> None:
    today(GIVEN_ON)
    log_in(client, people.parent)
    url = f"/records/{people.shared_child.pk}/consent/"
    answer = client.post(url + "give/", {"purpose": "everything", "text_version": "1"})
    assert answer.status_code == 422
    assert "What the consent is for: Choose what the consent is for." in answer.content.decode()
    answer = client.post(url + "give/", {"purpose": "research", "text_version": "7"})
    assert answer.status_code == 422
    assert "That version of the consent text does not exist" in answer.content.decode()
    assert not Consent.objects.exists()


@pytest.mark.parametrize("who", ["outsider", "clinician", "coordinator", "other_clinician"])
def test_only_the_family_sees_the_consent_page(people: Personas, client: Client, who: str) -> None:
    log_in(client, people.by_role(who))
    url = f"/records/{people.shared_child.pk}/consent/"
    assert client.get(url).status_code == 404
    assert client.post(url + "give/", {"purpose": "research", "text_version": "1"}).status_code == 404
    assert not Consent.objects.exists()


# --- the API --------------------------------------------------------------------------------------------


def _post(client: Client, patient: Patient, body: Any) -> Any:
    return client.post(
        f"/api/v1/patients/{patient.pk}/consents", data=json.dumps(body), content_type="application/json"
    )


def test_the_api_lists_gives_and_withdraws_consents(people: Personas, client: Client, today: Any) -> None:
    today(GIVEN_ON)
    log_in(client, people.adult)
    listed = client.get(f"/api/v1/patients/{people.adult_record.pk}/consents").json()
    assert [c["status"] for c in listed["consents"]] == ["never_asked"] * 5
    given = _post(client, people.adult_record, {"purpose": "research", "decision": "give", "text_version": 1})
    assert given.status_code == 200
    research = next(c for c in given.json()["consents"] if c["purpose"] == "research")
    assert research == {
        "purpose": "research",
        "status": "given",
        "counts": True,
        "text_version": 1,
        "current_text_version": 1,
        "given_on": "2027-01-10",
        "given_as": "self",
        "withdrawn_on": None,
        "review_due_on": "2027-07-10",
    }
    withdrawn = _post(client, people.adult_record, {"purpose": "research", "decision": "withdraw"})
    assert (
        next(c for c in withdrawn.json()["consents"] if c["purpose"] == "research")["status"] == "withdrawn"
    )
    assert people.adult_record.pk not in _cohort()


def test_the_api_names_every_problem_and_changes_nothing(
    people: Personas, client: Client, today: Any
) -> None:
    today(GIVEN_ON)
    log_in(client, people.adult)
    answer = _post(client, people.adult_record, {"purpose": "all", "decision": "yes", "colour": 1})
    assert answer.status_code == 422
    assert {e["field"] for e in answer.json()["errors"]} == {"colour", "purpose", "decision"}
    answer = _post(client, people.adult_record, {"purpose": "research", "decision": "give"})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "text_version"
    assert not Consent.objects.exists()


def test_the_api_answers_not_found_for_someone_elses_record(people: Personas, client: Client) -> None:
    log_in(client, people.outsider)
    assert client.get(f"/api/v1/patients/{people.adult_record.pk}/consents").status_code == 404
    body = {"purpose": "research", "decision": "give", "text_version": 1}
    assert _post(client, people.adult_record, body).status_code == 404
    assert not Consent.objects.exists()


def test_a_guardian_relation_of_self_is_what_makes_consent_the_persons_own(people: Personas) -> None:
    own = patient_create(
        author=people.outsider,
        display_name="Ola",
        document={"birth_date": "2010-01-01", "region": "US"},
        as_of=GIVEN_ON,
        relation=GuardianRelation.SELF,
    )
    consent = services.consent_give(
        author=people.outsider, patient_id=own.pk, purpose=RESEARCH, text_version=1, on=GIVEN_ON
    )
    assert consent.given_as == "self"


def test_a_parent_of_someone_who_has_come_of_age_may_withdraw_but_not_give(
    people: Personas, client: Client, today: Any
) -> None:
    _give(people, people.shared_child)  # Ada, 18 on 1 March 2038
    today(dt.date(2038, 3, 1))
    log_in(client, people.parent)
    url = f"/records/{people.shared_child.pk}/consent/"
    html = client.get(url).content.decode()
    assert "Ada is old enough to decide." in html
    assert "A parent gave this consent. It no longer counts: Ada needs to give it." in html
    assert "I agree:" not in html
    assert "Withdraw: Use in research" in html
    refused = client.post(url + "give/", {"purpose": "research", "text_version": "1"})
    assert refused.status_code == 422
    assert "Ada is now old enough to decide." in refused.content.decode()
    client.post(url + "withdraw/", {"purpose": "research"})
    assert not Consent.objects.filter(patient=people.shared_child, withdrawn_at__isnull=True).exists()
