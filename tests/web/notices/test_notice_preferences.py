"""Issue 15, parts 3 and 4: one page for every notice (what is due, changes to a record, the community,
the library's newsletter), on the site and by e-mail, with digests; what is chosen holds from the next
message on. Record e-mails say that something changed and name no health detail in the subject; the
body says what changed only for those who asked for it. Delivered to a real SMTP server."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.web.community.notice_people import member_make
from tests.web.personas import Personas, log_in, people_fixture
from tests.web.smtp_server import SmtpServer, html_of, smtp_server_fixture, text_of

from smanav.accounts.models import ReminderPreference
from smanav.community.models import NotificationKind
from smanav.community.notices.delivery import choice_for
from smanav.library.models import NewsletterSubscription
from smanav.outbox.delivery import outbox_deliver
from smanav.patients.models import NewsKind, Patient, RecordNews
from smanav.patients.services.news_mail import news_emails_send

__all__ = ["people_fixture", "smtp_server_fixture"]

pytestmark = pytest.mark.django_db

SITE = "https://smanav.example"
DETAIL = "Isembyld (apitegromab): fits the approved use (before: more information needed)."


def _form(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "due_email": "",
        "days_before": "7",
        "news_on_site": "on",
        "news_email": "on",
        "news_weekly": "",
        "news_details": "",
        "newsletter": "",
        "newsletter_frequency": "monthly",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def _news(patient: Patient, text: str = DETAIL) -> RecordNews:
    return RecordNews.objects.create(
        patient=patient,
        kind=NewsKind.THERAPY,
        subject="apitegromab",
        text=text,
        sources=["isembyld_label"],
        knowledge_before="1",
        knowledge_after="2",
    )


def test_the_page_has_every_kind_of_notice_and_needs_signing_in(people: Personas) -> None:
    assert Client().get("/notices/").status_code == 302
    html = log_in(Client(), people.parent).get("/notices/").content.decode()
    for heading in ("What is due in a care plan", "Changes to a record", "Library articles"):
        assert heading in html
    assert "The community" not in html  # not a member
    member_make("Parent Member", email="member@example.org")
    member_html = log_in(Client(), member_make("Other").user).get("/notices/").content.decode()
    assert "The community" in member_html and "community-reply_email" in member_html


def test_bad_input_names_the_field_and_saves_nothing(people: Personas) -> None:
    page = log_in(Client(), people.parent).post("/notices/", _form(days_before="0", news_email="on"))
    assert page.status_code == 422
    assert "How many days before must be at least 1." in page.content.decode()
    assert not ReminderPreference.objects.filter(user=people.parent, news_by_email=True).exists()


def test_details_in_the_body_only_for_those_who_asked_never_in_the_subject(
    people: Personas, smtp_server: SmtpServer
) -> None:
    client = log_in(Client(), people.parent)
    assert client.post("/notices/", _form()).status_code == 302
    _news(people.shared_child)
    assert news_emails_send(site_url=SITE) == 1
    outbox_deliver()
    [plain] = smtp_server.received
    assert plain["Subject"] == "Something changed on smanav: log in to see it"
    assert "Ada: 1 change" in text_of(plain)
    for body in (text_of(plain), html_of(plain)):
        assert "apitegromab" not in body and "Isembyld" not in body
    # The family asks for the details: the next e-mail has them in its body, still not in its subject.
    assert client.post("/notices/", _form(news_details="on")).status_code == 302
    _news(people.shared_child)
    assert news_emails_send(site_url=SITE) == 1
    outbox_deliver()
    detailed = smtp_server.received[1]
    assert detailed["Subject"] == plain["Subject"]
    assert DETAIL in text_of(detailed) and "Isembyld" in html_of(detailed)
    # Nor in the preview a mail program shows under the subject (the start of the text).
    assert "Isembyld" not in text_of(detailed)[:200]
    html = html_of(detailed)
    assert html.index("Isembyld") > html.index("Log in to see it")
    assert "<img" not in html_of(detailed)


def test_turning_emails_off_holds_for_the_next_message(people: Personas, smtp_server: SmtpServer) -> None:
    client = log_in(Client(), people.parent)
    client.post("/notices/", _form())
    client.post("/notices/", _form(news_email=""))
    _news(people.shared_child)
    assert news_emails_send(site_url=SITE) == 0
    outbox_deliver()
    assert smtp_server.received == []


def test_a_weekly_digest_of_changes_waits_for_its_week(people: Personas, smtp_server: SmtpServer) -> None:
    log_in(Client(), people.parent).post("/notices/", _form(news_weekly="weekly"))
    now = timezone.now()
    _news(people.shared_child)
    assert news_emails_send(site_url=SITE, now=now) == 1
    _news(people.private_child, text="Another change.")
    _news(people.shared_child, text="A third change.")
    assert news_emails_send(site_url=SITE, now=now + dt.timedelta(days=2)) == 0
    assert news_emails_send(site_url=SITE, now=now + dt.timedelta(days=7)) == 1
    outbox_deliver(now=now + dt.timedelta(days=7))
    assert len(smtp_server.received) == 2
    second = text_of(smtp_server.received[1])
    assert "Ada: 1 change" in second and "Ben: 1 change" in second


def test_changes_on_the_site_can_be_turned_off(people: Personas) -> None:
    client = log_in(Client(), people.parent)
    _news(people.shared_child)
    client.post("/notices/", _form(news_on_site=""))
    page = client.get(f"/records/{people.shared_child.pk}/").content.decode()
    assert "New in the last month" not in page and DETAIL not in page
    client.post("/notices/", _form())
    _news(people.shared_child, text="A later change.")
    page = client.get(f"/records/{people.shared_child.pk}/").content.decode()
    assert "A later change." in page


def test_the_newsletter_and_the_community_are_chosen_on_the_same_page(people: Personas) -> None:
    member = member_make("Mo", email="mo@example.org")
    client = log_in(Client(), member.user)
    fields = _form(newsletter="on", newsletter_frequency="weekly", **{"community-reply_on_site": "on"})
    assert client.post("/notices/", fields).status_code == 302
    subscription = NewsletterSubscription.objects.get(email="mo@example.org")
    assert subscription.frequency == "weekly" and subscription.unsubscribed_at is None
    assert not choice_for(member=member, kind=NotificationKind.REPLY).email
    assert choice_for(member=member, kind=NotificationKind.REPLY).on_site
    assert client.post("/notices/", _form(**{"community-reply_email": "on"})).status_code == 302
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is not None
    assert choice_for(member=member, kind=NotificationKind.REPLY).email
