"""The front door for a new family (issue 10, part 1): sign-up with an email check and no account
enumeration, the privacy notice and terms accepted and stored, and the guided "add my child / add
myself" form that saves through the audited services and lands on the record's evaluation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.web.personas import PASSWORD, Personas, log_in, people_fixture  # noqa: F401

from smanav.accounts.links import LinkPurpose, link_token
from smanav.accounts.models import PolicyAcceptance
from smanav.accounts.policies import PRIVACY_VERSION, TERMS_VERSION
from smanav.audit.models import AuditAction, AuditEvent
from smanav.patients.models import Guardian, Patient

STRONG = "a long family passphrase"


def _link_in(message: Any, marker: str) -> str:
    [line] = [line for line in message.body.splitlines() if marker in line]
    return line[line.index("/accounts/") :].strip()


@pytest.mark.django_db
def test_the_sign_up_page_offers_the_privacy_notice_and_terms() -> None:
    html = Client().get(reverse("accounts:signup")).content.decode()
    assert 'href="/privacy/"' in html and 'href="/terms/"' in html
    assert PRIVACY_VERSION in Client().get("/privacy/").content.decode()
    assert TERMS_VERSION in Client().get("/terms/").content.decode()


@pytest.mark.django_db
def test_sign_up_without_accepting_the_terms_is_refused_in_words() -> None:
    response = Client().post(reverse("accounts:signup"), {"email": "a@example.org"})
    assert response.status_code == 422
    assert "Tick the box to accept the privacy notice and the terms of use." in response.content.decode()
    assert mail.outbox == []


@pytest.mark.django_db
def test_sign_up_with_a_bad_address_names_the_field() -> None:
    response = Client().post(reverse("accounts:signup"), {"email": "not an address", "accept": "on"})
    assert response.status_code == 422
    assert "Email address: Enter a valid email address." in response.content.decode()
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_known_address_gets_the_same_answer_and_an_email_saying_so(people: Personas) -> None:
    new = Client().post(reverse("accounts:signup"), {"email": "someone.new@example.org", "accept": "on"})
    known = Client().post(reverse("accounts:signup"), {"email": people.parent.email, "accept": "on"})
    assert (new.status_code, new["Location"]) == (known.status_code, known["Location"])
    sent_page_new = Client().get(new["Location"]).content.decode().replace("someone.new@example.org", "X")
    sent_page_known = Client().get(known["Location"]).content.decode().replace(people.parent.email, "X")
    assert sent_page_new == sent_page_known
    [to_new] = [m for m in mail.outbox if "someone.new@example.org" in m.to]
    [to_known] = [m for m in mail.outbox if people.parent.email in m.to]
    assert "/accounts/signup/confirm/" in to_new.body
    assert "/accounts/signup/confirm/" not in to_known.body
    assert "You have an account already" in to_known.body


@pytest.mark.django_db
def test_the_link_creates_the_account_with_the_accepted_versions_and_only_once() -> None:
    client = Client()
    client.post(reverse("accounts:signup"), {"email": "carer@example.org", "accept": "on"})
    link = _link_in(mail.outbox[0], "/accounts/signup/confirm/")
    response = client.post(link, {"username": "carer", "password": STRONG})
    assert response.status_code == 302
    user = get_user_model().objects.get(username="carer")
    [accepted] = PolicyAcceptance.objects.filter(user=user)
    assert (accepted.privacy_version, accepted.terms_version) == (PRIVACY_VERSION, TERMS_VERSION)
    assert timezone.now() - accepted.accepted_at < dt.timedelta(minutes=1)
    # A second use of the same link makes nothing.
    again = Client().post(link, {"username": "carer2", "password": STRONG})
    assert again.status_code == 400
    assert "This link cannot be used" in again.content.decode()
    assert not get_user_model().objects.filter(username="carer2").exists()


@pytest.mark.django_db
def test_expired_and_tampered_sign_up_links_are_refused(settings: Any) -> None:
    token = link_token(
        LinkPurpose.SIGNUP,
        {"email": "late@example.org", "privacy": PRIVACY_VERSION, "terms": TERMS_VERSION, "accepted_at": "x"},
    )
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    response = Client().get(reverse("accounts:signup_confirm", args=[tampered]))
    assert response.status_code == 400
    # A link made for another purpose is refused too.
    other = link_token(LinkPurpose.EMAIL_CHANGE, {"email": "late@example.org"})
    assert Client().get(reverse("accounts:signup_confirm", args=[other])).status_code == 400
    # Three days and a second later, the real link has expired.
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=3, seconds=1)
    original = signing.TimestampSigner.unsign

    def unsign_later(self: Any, value: str, max_age: Any = None) -> str:
        import time

        real_time = time.time
        time.time = lambda: later.timestamp()  # type: ignore[assignment]
        try:
            return original(self, value, max_age)
        finally:
            time.time = real_time  # type: ignore[assignment]

    signing.TimestampSigner.unsign = unsign_later  # type: ignore[method-assign]
    try:
        response = Client().get(reverse("accounts:signup_confirm", args=[token]))
    finally:
        signing.TimestampSigner.unsign = original  # type: ignore[method-assign]
    assert response.status_code == 400
    assert Client().get(reverse("accounts:signup_confirm", args=[token])).status_code == 200


def _dob(day: str, month: str, year: str) -> dict[str, str]:
    return {"birth_date_0": day, "birth_date_1": month, "birth_date_2": year}


def _born(date: dt.date) -> dict[str, str]:
    return _dob(str(date.day), str(date.month), str(date.year))


GUIDED = {
    "relation": "parent",
    "display_name": "Nora",
    "region": "US",
    "smn1_copies": "0",
    "smn2_copies": "2",
    "newborn_screening": "yes",
    "symptomatic": "no",
    "max_motor_milestone": "",
    "current_motor_function": "",
}


@pytest.mark.django_db
def test_the_guided_form_saves_through_the_services_and_lands_on_the_evaluation(people: Personas) -> None:
    client = log_in(Client(), people.outsider)
    born = timezone.localdate() - dt.timedelta(days=6)
    response = client.post(reverse("family:start"), GUIDED | _born(born))
    assert response.status_code == 302
    patient = Patient.objects.get(display_name="Nora")
    assert response["Location"] == reverse("patients:detail", args=[patient.pk])
    assert Guardian.objects.filter(patient=patient, user=people.outsider, relation="parent").exists()
    assert patient.genetics == {"smn1_copies": 0, "smn2_copies": 2, "method": "newborn_screening"}
    assert patient.clinical == {"symptomatic": False}
    assert AuditEvent.objects.filter(patient_id=patient.pk, action=AuditAction.CREATE).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Nora" in page and "Care plan" in page


@pytest.mark.django_db
def test_i_dont_know_leaves_facts_unknown_never_normal(people: Personas) -> None:
    client = log_in(Client(), people.outsider)
    answers = (
        {key: "" for key in GUIDED} | {"relation": "self", "display_name": "Sam"} | _dob("2", "1", "1990")
    )
    response = client.post(reverse("family:start"), answers)
    assert response.status_code == 302, response.context["form"].errors
    patient = Patient.objects.get(display_name="Sam")
    assert patient.genetics is None and patient.clinical is None and patient.region == ""
    assert Guardian.objects.get(patient=patient).relation == "self"


@pytest.mark.django_db
def test_four_or_more_smn2_copies_is_kept_as_a_minimum(people: Personas) -> None:
    client = log_in(Client(), people.outsider)
    answers = GUIDED | {"smn2_copies": "4+"} | _dob("2", "1", "2025")
    client.post(reverse("family:start"), answers)
    assert Patient.objects.get(display_name="Nora").genetics["smn2_copies_is_minimum"] is True


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "words"),
    [
        (_dob("", "", ""), "Date of birth: Enter the date of birth."),
        (_dob("1", "1", "2999"), "Date of birth: Date of birth must be today or in the past."),
        (
            _dob("31", "31", "2020"),
            "Date of birth: Date of birth must be a real date, for example 27 3 2024.",
        ),
        (_dob("30", "2", "2020"), "Date of birth: Date of birth must be a real date"),
        (_dob("3", "", "2020"), "Date of birth: Date of birth must include a month."),
        (_dob("3", "4", "20"), "Date of birth: Date of birth must be a real date"),
        ({"display_name": ""}, "Name or nickname: Enter a name or nickname."),
        ({"smn2_copies": "9"}, "SMN2 copies: Select a valid choice."),
    ],
)
def test_bad_answers_are_named_in_the_form_s_words_and_save_nothing(
    people: Personas, change: dict[str, str], words: str
) -> None:
    client = log_in(Client(), people.outsider)
    response = client.post(reverse("family:start"), GUIDED | _dob("2", "1", "2025") | change)
    assert response.status_code == 422
    html = response.content.decode()
    assert words in html
    assert "genetics." not in html and "smn2_copies" not in html.split("<main", 1)[1].split("name=")[0]
    assert not Patient.objects.filter(created_by=people.outsider).exists()


@pytest.mark.django_db
def test_the_guided_form_asks_for_no_lab_ratios_and_needs_a_sign_in(people: Personas) -> None:
    anonymous = Client().get(reverse("family:start"))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    html = log_in(Client(), people.outsider).get(reverse("family:start")).content.decode()
    assert "upper limit of normal" not in html and "ALT" not in html
    assert "I don&#x27;t know" in html or "I don't know" in html


@pytest.mark.django_db
def test_the_region_is_proposed_from_the_reader_s_locale(people: Personas) -> None:
    html = (
        log_in(Client(), people.outsider)
        .get(reverse("family:start"), HTTP_ACCEPT_LANGUAGE="en-GB")
        .content.decode()
    )
    assert '<option value="UK" selected>' in html
