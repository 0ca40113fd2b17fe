"""Issue 15, part 1: what changed for me. A knowledge update (a test knowledge base where apitegromab is
approved in the EU) re-evaluated by the nightly refresh gives news to exactly the records whose answer
changed, in plain words with the sources; a person's own edit is not news; the record page shows what
is new since the account's last visit, once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse
from tests.web.personas import AS_OF, Personas, log_in, people_fixture  # noqa: F401

from smanav.accounts.models import User
from smanav.accounts.services import user_create
from smanav.patients.models import GuardianRelation, Patient, RecordBaseline, RecordNews
from smanav.patients.services import assessment_record, patient_create
from smanav.patients.services.summaries import all_summaries_refresh
from smanav.patients.services.treatments import treatment_record
from smanav_core.codes import TreatmentTherapy
from smanav_core.knowledge import loader

NEXT_DAY = AS_OF + dt.timedelta(days=1)
EU_UNCONFIRMED = """approval = "unconfirmed"
code = "approval_unconfirmed"
text = "The European Medicines Agency was reviewing apitegromab"""
EU_APPROVED = """approval = "approved"
code = "approved"
text = "In this test knowledge base the European Commission approved apitegromab"""


@pytest.fixture
def eu_approval(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The knowledge base with one change: apitegromab approved in the EU (nothing else)."""
    files = loader._data_files()
    therapies = files["therapies.toml"].decode("utf-8")
    assert EU_UNCONFIRMED in therapies
    changed = therapies.replace(EU_UNCONFIRMED, EU_APPROVED).replace(
        "reviewed_on = 2026-12-06\nconfirmed = false\n", "reviewed_on = 2026-12-06\n", 1
    )
    knowledge = loader.build_knowledge({**files, "therapies.toml": changed.encode("utf-8")})
    monkeypatch.setattr("smanav_core.engine.load_knowledge", lambda: knowledge)
    yield


def _person(user: User, name: str, *, region: str, born: str, on_nusinersen: bool) -> Patient:
    patient = patient_create(
        author=user,
        display_name=name,
        document={
            "birth_date": born,
            "region": region,
            "genetics": {"smn1_copies": 0, "smn2_copies": 3, "method": "mlpa"},
            "clinical": {"symptomatic": True, "symptom_onset_age_months": 10},
        },
        as_of=AS_OF,
        relation=GuardianRelation.SELF,
    )
    if on_nusinersen:
        treatment_record(
            author=user,
            patient_id=patient.pk,
            therapy=TreatmentTherapy.NUSINERSEN,
            start_date=dt.date(2024, 1, 10),
            end_date=None,
            as_of=AS_OF,
        )
    return patient


@pytest.fixture
def people_eu_us(db: None) -> dict[str, Patient]:
    user = user_create(username="family", email="family@example.org", password="a long test password 123")
    return {
        "eu_on_treatment": _person(user, "Eva", region="EU", born="2019-04-01", on_nusinersen=True),
        "us_on_treatment": _person(user, "Uma", region="US", born="2019-04-01", on_nusinersen=True),
        "uk_on_treatment": _person(user, "Kit", region="UK", born="2019-04-01", on_nusinersen=True),
    }


def test_every_record_has_a_baseline_from_its_creation_and_an_edit_makes_no_news(
    people_eu_us: dict[str, Patient],
) -> None:
    eva = people_eu_us["eu_on_treatment"]
    assert RecordBaseline.objects.filter(patient=eva).exists()
    assessment_record(
        author=eva.guardians.get().user,
        patient_id=eva.pk,
        date=AS_OF,
        instrument="WEIGHT_KG",
        value=30,
        as_of=AS_OF,
    )
    all_summaries_refresh(as_of=AS_OF)
    assert not RecordNews.objects.exists()


def test_a_new_approval_gives_news_to_exactly_the_records_it_changes(
    people_eu_us: dict[str, Patient], eu_approval: None
) -> None:
    all_summaries_refresh(as_of=NEXT_DAY)

    news = list(RecordNews.objects.all())
    assert {item.patient for item in news} == {people_eu_us["eu_on_treatment"]}
    [item] = [item for item in news if item.subject == "apitegromab"]
    assert item.text.startswith("Isembyld (apitegromab): ")
    assert "before:" in item.text
    assert item.sources  # the new answer's sources
    assert item.knowledge_before != item.knowledge_after
    # Worked out once: the next night's refresh finds nothing new.
    all_summaries_refresh(as_of=NEXT_DAY + dt.timedelta(days=1))
    assert RecordNews.objects.count() == len(news)


def test_the_record_page_shows_what_is_new_since_the_last_visit_once(
    people_eu_us: dict[str, Patient], eu_approval: None
) -> None:
    eva = people_eu_us["eu_on_treatment"]
    client = log_in(Client(), eva.guardians.get().user)
    page = client.get(reverse("patients:detail", args=[eva.pk])).content.decode()
    assert "New since your last visit" not in page and 'id="news"' not in page

    all_summaries_refresh(as_of=NEXT_DAY)
    page = client.get(reverse("patients:detail", args=[eva.pk])).content.decode()
    assert "New since your last visit" in page
    assert "Isembyld (apitegromab)" in page
    assert "#source-" in page
    # Seen: a reload shows it no more.
    assert 'id="news"' not in client.get(reverse("patients:detail", args=[eva.pk])).content.decode()


def test_news_of_one_family_is_not_shown_to_another(
    people: Personas, people_eu_us: dict[str, Patient], eu_approval: None
) -> None:
    all_summaries_refresh(as_of=NEXT_DAY)
    eva = people_eu_us["eu_on_treatment"]
    assert client_status(people.parent, reverse("patients:detail", args=[eva.pk])) == 404


def client_status(user: User, path: str) -> int:
    return log_in(Client(), user).get(path).status_code


def test_those_who_asked_are_emailed_that_something_changed_without_the_detail_once(
    people_eu_us: dict[str, Patient], eu_approval: None, mailoutbox: list
) -> None:
    from smanav.accounts.services import reminder_preference_set
    from smanav.outbox.delivery import outbox_deliver
    from smanav.patients.services.news_mail import news_emails_send

    eva = people_eu_us["eu_on_treatment"]
    family = eva.guardians.get().user
    other = user_create(username="nobody", email="nobody@example.org", password="a long test password 123")
    reminder_preference_set(user=family, enabled=False, days_before=7, news_by_email=True)
    reminder_preference_set(user=other, enabled=False, days_before=7, news_by_email=True)
    all_summaries_refresh(as_of=NEXT_DAY)

    assert news_emails_send(site_url="https://smanav.example") == 1
    outbox_deliver()
    [message] = mailoutbox
    assert message.to == ["family@example.org"]
    assert "Isembyld" not in message.subject + message.body and "apitegromab" not in message.body
    assert "Eva: 1 change" in message.body
    assert "Uma" not in message.body  # nothing changed for Uma (US)
    assert news_emails_send(site_url="https://smanav.example") == 0


def test_the_clinics_worklist_filters_the_records_whose_answer_changed(
    people: Personas, people_eu_us: dict[str, Patient], eu_approval: None
) -> None:
    from smanav.patients.services import clinic_share_invite

    eva, uma = people_eu_us["eu_on_treatment"], people_eu_us["us_on_treatment"]
    for patient in (eva, uma):
        clinic_share_invite(author=patient.guardians.get().user, patient_id=patient.pk, clinic=people.clinic)
    all_summaries_refresh(as_of=NEXT_DAY)
    client = log_in(Client(), people.clinician)

    everyone = client.get(reverse("patients:worklist")).content.decode()
    changed = client.get(reverse("patients:worklist"), {"changed": "30"}).content.decode()

    assert "Eva" in everyone and "Uma" in everyone
    assert "Eva" in changed and "Uma" not in changed and "Ada" not in changed
    assert 'value="30" selected' in changed
