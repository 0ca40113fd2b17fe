"""Consent leftovers of the registry (issue 13 part 1): the review invitation every six months
(configurable) e-mailed by a job on the database queue, once per due date, naming no health detail and
audited; and the consents and registry reports in "Download my data"."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from tests.web.background import run_worker_fixture, today_fixture  # noqa: F401 (fixtures)
from tests.web.personas import Personas, log_in, people_fixture  # noqa: F401 (a fixture)

from smanav.audit.models import AuditEvent
from smanav.registry import services
from smanav.registry.invitations import INVITATION_WHAT, review_invitations_send
from smanav.registry.models import ConsentPurpose, ReviewInvitation
from smanav.registry.reporting import reported_value_add

GIVEN_ON = dt.date(2027, 1, 10)
SITE = "https://smanav.example.org"


def _join(people: Personas, purpose: str = ConsentPurpose.REGISTRY) -> None:
    services.consent_give(
        author=people.parent, patient_id=people.shared_child.pk, purpose=purpose, text_version=1, on=GIVEN_ON
    )
    services.consent_give(
        author=people.adult, patient_id=people.adult_record.pk, purpose=purpose, text_version=1, on=GIVEN_ON
    )


@pytest.mark.django_db(transaction=True)
def test_the_daily_job_invites_each_participant_once_per_due_date(
    people: Personas, today: Callable[[dt.date], None], run_worker: Callable[[], None]
) -> None:
    _join(people)
    services.consent_withdraw(author=people.adult, patient_id=people.adult_record.pk, purpose="registry")
    today(dt.date(2027, 7, 9))  # the day before six months
    call_command("registry_review_invitations")
    run_worker()
    assert mail.outbox == []

    today(dt.date(2027, 7, 10))
    call_command("registry_review_invitations")
    assert mail.outbox == []  # queued, not sent by the command
    run_worker()
    [message] = mail.outbox  # Ada's parent; Cleo withdrew from the registry
    assert message.to == [people.parent.email]
    assert message.subject == "Time to check what you share: log in to smanav"
    assert "Every 6 months" in message.body and "Ada" in message.body
    assert f"/records/{people.shared_child.pk}/consent/" in message.body
    for detail in ("SMN", "sitter", "HFMSE", "type"):
        assert detail not in message.body
    [event] = AuditEvent.objects.filter(patient_id=people.shared_child.pk, what__startswith=INVITATION_WHAT)
    assert "review due 2027-07-10" in event.what

    # Again the same day and the next: nothing more.
    call_command("registry_review_invitations")
    run_worker()
    today(dt.date(2027, 7, 11))
    call_command("registry_review_invitations", "--now")
    assert len(mail.outbox) == 1
    assert ReviewInvitation.objects.get().recipients == 1


@pytest.mark.django_db
def test_a_review_moves_the_next_invitation_on(people: Personas) -> None:
    _join(people)
    assert review_invitations_send(on=dt.date(2027, 7, 10), site_url=SITE) == 2
    assert len(mail.outbox) == 2
    services.consent_review_confirm(
        author=people.parent, patient_id=people.shared_child.pk, on=dt.date(2027, 7, 12)
    )
    # Cleo did not review: she was invited for this due date already, and is not again.
    assert review_invitations_send(on=dt.date(2027, 12, 1), site_url=SITE) == 0
    assert review_invitations_send(on=dt.date(2028, 1, 12), site_url=SITE) == 1
    assert mail.outbox[-1].to == [people.parent.email]
    assert {row.due_on for row in ReviewInvitation.objects.filter(patient=people.shared_child)} == {
        dt.date(2027, 7, 10),
        dt.date(2028, 1, 12),
    }


@pytest.mark.django_db
def test_someone_who_never_joined_the_registry_is_not_invited(people: Personas) -> None:
    _join(people, ConsentPurpose.RESEARCH)  # research only: not a registry participant
    assert review_invitations_send(on=dt.date(2028, 1, 1), site_url=SITE) == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_download_holds_the_consents_and_the_registry_reports(people: Personas) -> None:
    _join(people)
    _join(people, ConsentPurpose.RESEARCH)
    services.consent_withdraw(author=people.parent, patient_id=people.shared_child.pk, purpose="research")
    reported_value_add(
        author=people.parent,
        patient_id=people.shared_child.pk,
        item="feeding",
        code="oral",
        date=dt.date(2026, 1, 1),
        on=GIVEN_ON,
    )
    ada = people.shared_child
    response = log_in(Client(), people.parent).get(reverse("careplans:record_data_download", args=[ada.pk]))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    document = json.loads(archive.read(f"ada-{ada.pk}/record.json"))
    consents = [(c["purpose"], c["given_on"], c["given_by"], c["withdrawn_by"]) for c in document["consents"]]
    assert consents == [
        ("registry", "2027-01-10", "parent", None),
        ("research", "2027-01-10", "parent", "parent"),
    ]
    assert document["consents"][0]["text_version"] == 1 and document["consents"][0]["withdrawn_at"] is None
    [report] = document["registry_reports"]
    assert (report["item"], report["code"], report["reported_by"], report["author"]) == (
        "feeding",
        "oral",
        "family",
        "parent",
    )
    assert "consent" in archive.read("README.txt").decode()
    # Cleo's consents are not in Ada's record.
    assert all(c["given_by"] == "parent" for c in document["consents"])
