"""Issue 15, part 2: the library's newsletter. Anyone subscribes with an address (double opt-in, no
account), by topic, audience and frequency; a digest lists the new and revised articles only; one click
stops it (RFC 8058); the answers never tell who is subscribed; requests are throttled. The e-mails go
through the outbox to a real SMTP server started by the test."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone
from tests.web.smtp_server import SmtpServer, smtp_server_fixture, text_of

from smanav.library import catalogue as library_catalogue
from smanav.library import selectors
from smanav.library.models import Article, ArticleVersion, DigestFrequency, NewsletterSubscription
from smanav.library.newsletter import Choices, newsletter_confirm, newsletter_digests_queue
from smanav.outbox.delivery import outbox_deliver
from smanav.outbox.models import OutgoingMessage

__all__ = ["smtp_server_fixture"]

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 6)
BREATHING = "breathing-support"
GENETICS = "genetic-testing-and-family-planning"


def _subscribe(client: Client, email: str = "reader@example.org", **extra: object) -> str:
    data: dict[str, object] = {"email": email, "topics": ["breathing"], "frequency": "weekly", **extra}
    page = client.post("/library/newsletter/", data)
    assert page.status_code == 200, page.content.decode()
    return page.content.decode()


def _link(text: str, path: str) -> str:
    found = re.search(r"https?://\S+(" + re.escape(path) + r"\S+/)", text)
    assert found is not None, text
    return found.group(1)


def test_subscribing_sends_a_link_and_only_the_confirmation_subscribes(
    client: Client, smtp_server: SmtpServer
) -> None:
    answer = _subscribe(client, email="Reader@Example.org ")
    assert "If this address can get our e-mails" in answer
    assert NewsletterSubscription.objects.count() == 0
    assert outbox_deliver().sent == 1
    [message] = smtp_server.received
    assert message["To"] == "reader@example.org"
    link = _link(text_of(message), "/library/newsletter/confirm/")
    page = client.get(link)
    assert page.status_code == 200 and "Confirm" in page.content.decode()
    assert NewsletterSubscription.objects.count() == 0  # a link scanner's GET subscribes nobody
    assert client.post(link).status_code == 200
    subscription = NewsletterSubscription.objects.get()
    assert subscription.email == "reader@example.org"
    assert (subscription.topics, subscription.audiences, subscription.frequency) == (
        ["breathing"],
        [],
        "weekly",
    )


def test_the_answer_is_the_same_for_a_subscribed_address_and_a_new_one(client: Client) -> None:
    newsletter_confirm(
        choices=Choices("known@example.org", (), (), DigestFrequency.MONTHLY), now=timezone.now()
    )
    known = _subscribe(client, email="known@example.org")
    unknown = _subscribe(client, email="unknown@example.org")
    assert known.replace("csrfmiddlewaretoken", "") == unknown.replace("csrfmiddlewaretoken", "")
    assert OutgoingMessage.objects.count() == 2


def test_an_expired_or_altered_link_subscribes_nobody(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    _subscribe(client)
    link = _link(OutgoingMessage.objects.get().body_text, "/library/newsletter/confirm/")
    assert client.post(link.replace("/confirm/", "/confirm/x")).status_code == 400
    four_days_ago = signing.b62_encode(int(timezone.now().timestamp()) - 4 * 86400)
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: four_days_ago)
    from smanav.library.newsletter import confirm_token

    old = confirm_token(Choices("reader@example.org", (), (), "weekly"))
    page = client.post(f"/library/newsletter/confirm/{old}/")
    assert page.status_code == 400 and "expired" in page.content.decode()
    assert NewsletterSubscription.objects.count() == 0


def test_bad_input_names_the_field_and_sends_nothing(client: Client) -> None:
    page = client.post("/library/newsletter/", {"email": "not an address", "frequency": "daily"})
    assert page.status_code == 422
    html = page.content.decode()
    assert "Enter an e-mail address" in html and "Choose every week or every month." in html
    assert OutgoingMessage.objects.count() == 0


def test_requests_are_throttled_per_address_and_per_caller(client: Client) -> None:
    for topic in ("breathing", "genetics", "nutrition", "symptoms", "care-team"):
        _subscribe(client, email="same@example.org", topics=[topic])
    # Three confirmation links a day to one address; the page says the same every time.
    assert OutgoingMessage.objects.filter(to="same@example.org").count() == 3
    for n in range(5):
        _subscribe(client, email=f"other{n}@example.org")
    page = client.post("/library/newsletter/", {"email": "one-more@example.org", "frequency": "weekly"})
    assert page.status_code == 429 and "try again in an hour" in page.content.decode()


def _published(slug: str, *, days_ago: int, revised: bool) -> None:
    """The current version of `slug` first appeared `days_ago` days ago (a revision if `revised`)."""
    selectors.synced(library_catalogue.current())
    version = Article.objects.get(slug=slug).current_version
    assert version is not None
    at = timezone.now() - dt.timedelta(days=days_ago)
    ArticleVersion.objects.filter(pk=version.pk).update(first_seen_at=at)
    if revised:
        ArticleVersion.objects.create(
            article=version.article,
            digest="0" * 64,
            source="an earlier text",
            first_seen_at=at - dt.timedelta(days=90),
        )


def _everything_old() -> None:
    selectors.synced(library_catalogue.current())
    ArticleVersion.objects.update(first_seen_at=timezone.now() - dt.timedelta(days=400))


def test_a_digest_lists_the_new_and_revised_articles_of_its_topics_and_stops_in_one_click(
    client: Client, smtp_server: SmtpServer
) -> None:
    now = timezone.now()
    _everything_old()
    _published(BREATHING, days_ago=3, revised=True)
    _published(GENETICS, days_ago=2, revised=False)
    breathing = newsletter_confirm(
        choices=Choices("breath@example.org", ("breathing",), (), "weekly"), now=now - dt.timedelta(days=8)
    )
    everything = newsletter_confirm(
        choices=Choices("all@example.org", (), (), "monthly"), now=now - dt.timedelta(days=31)
    )
    not_due = newsletter_confirm(
        choices=Choices("later@example.org", (), (), "monthly"), now=now - dt.timedelta(days=8)
    )
    assert newsletter_digests_queue(now=now, today=TODAY) == 2
    assert newsletter_digests_queue(now=now, today=TODAY) == 0  # covered: a second run queues nothing
    assert outbox_deliver().sent == 2
    arrived = {message["To"]: message for message in smtp_server.received}
    assert set(arrived) == {breathing.email, everything.email}
    assert not_due.email not in arrived
    one = arrived[breathing.email]
    assert one["Subject"] == "New and revised articles in the smanav library"
    body = text_of(one)
    assert "Revised articles:" in body and "Breathing" in body and "New articles:" not in body
    assert "genetic" not in body.lower()
    assert "New articles:" in text_of(arrived[everything.email])
    # One click in the mail program: a POST without a session or a CSRF token.
    unsubscribe = one["List-Unsubscribe"].strip("<>")
    assert one["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = unsubscribe.split("://", 1)[1].split("/", 1)[1]
    assert Client(enforce_csrf_checks=True).get(f"/{path}").status_code == 200
    breathing.refresh_from_db()
    assert breathing.unsubscribed_at is None  # a GET only shows the button
    assert (
        Client(enforce_csrf_checks=True).post(f"/{path}", {"List-Unsubscribe": "One-Click"}).status_code
        == 200
    )
    breathing.refresh_from_db()
    assert breathing.unsubscribed_at is not None
    # The next week: a new breathing article, and nothing for the address that stopped.
    _published(BREATHING, days_ago=0, revised=False)
    assert newsletter_digests_queue(now=now + dt.timedelta(days=8), today=TODAY) == 0


def test_a_digest_with_nothing_new_is_not_sent(client: Client) -> None:
    now = timezone.now()
    _everything_old()
    newsletter_confirm(choices=Choices("quiet@example.org", (), (), "weekly"), now=now - dt.timedelta(days=8))
    assert newsletter_digests_queue(now=now, today=TODAY) == 0
    assert OutgoingMessage.objects.count() == 0
    assert NewsletterSubscription.objects.get().covered_until == now


def test_a_link_that_is_not_ours_stops_nothing(client: Client) -> None:
    page = Client(enforce_csrf_checks=True).post("/library/newsletter/stop/not-a-token/")
    assert page.status_code == 404 and "This link does not work" in page.content.decode()
