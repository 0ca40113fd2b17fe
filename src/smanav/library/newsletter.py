"""The library's newsletter: anyone may ask for a digest of new and revised articles by e-mail, with no
account, by topic and audience, every week or every month.

* Double opt-in. Subscribing sends a link to the address; nothing is stored until its owner follows it
  and presses "Confirm": the choices travel inside the link, signed with the site's key and a salt of
  their own, and it expires after `CONFIRM_DAYS` days (ADR 0013's signed links).
* No enumeration. The page answers the same words whether or not the address is subscribed, and sends
  the same confirmation link either way; confirming again only replaces the choices.
* Throttled: at most `PER_ADDRESS` confirmation e-mails a day to one address (counted under a hash of it,
  so an unconfirmed address is never stored) and `PER_CLIENT` subscription requests an hour per caller.
* One-click unsubscribe on every digest: the List-Unsubscribe headers of RFC 8058 and a signed link that
  never expires; a POST to it stops the digest without signing in, a GET shows a page with one button.
* Digests: `newsletter_digests_queue` (the job `tasks.send_newsletter_digests`, `manage.py
  library_newsletter`) queues one digest per subscription that is due, listing the public articles whose
  version first appeared since the last digest, as "new" or "revised". Nothing changed: no e-mail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Min, Q
from django.urls import reverse

from smanav.jsonapi.throttling import Rate, throttle_hit
from smanav.library import catalogue as library_catalogue
from smanav.library import selectors
from smanav.library.content import AUDIENCE_LABELS, TOPIC_LABELS, Audience, Topic
from smanav.library.models import Article, DigestFrequency, NewsletterSubscription
from smanav.outbox.services import Message, message_queue, messages_queue, rendered, unsubscribe_headers

CONFIRM_SALT = "smanav.library.newsletter.confirm"
UNSUBSCRIBE_SALT = "smanav.library.newsletter.unsubscribe"
CONFIRM_DAYS = 3
PER_ADDRESS = Rate(3, 86400)
PER_CLIENT = Rate(10, 3600)
EVERY = {DigestFrequency.WEEKLY: dt.timedelta(days=7), DigestFrequency.MONTHLY: dt.timedelta(days=30)}


@dataclass(frozen=True, slots=True)
class Choices:
    email: str
    topics: tuple[str, ...]
    audiences: tuple[str, ...]
    frequency: str

    @property
    def topic_labels(self) -> list[str]:
        return [TOPIC_LABELS[Topic(topic)] for topic in self.topics]

    @property
    def audience_labels(self) -> list[str]:
        return [AUDIENCE_LABELS[Audience(audience)] for audience in self.audiences]

    @property
    def frequency_label(self) -> str:
        return str(DigestFrequency(self.frequency).label)


def normal_address(email: str) -> str:
    return email.strip().lower()


def _address_key(email: str) -> str:
    return "newsletter-address:" + hashlib.sha256(email.encode("utf-8")).hexdigest()[:40]


def confirm_token(choices: Choices) -> str:
    payload = {
        "e": choices.email,
        "t": list(choices.topics),
        "a": list(choices.audiences),
        "f": choices.frequency,
    }
    return signing.dumps(payload, salt=CONFIRM_SALT, compress=True)


def confirm_payload(token: str, *, max_age: dt.timedelta | None = None) -> Choices | None:
    """The choices a confirmation link carries, or None if it is not ours, is altered or has expired."""
    try:
        payload: Any = signing.loads(
            token, salt=CONFIRM_SALT, max_age=max_age or dt.timedelta(days=CONFIRM_DAYS)
        )
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    email, topics, audiences, frequency = (payload.get(key) for key in ("e", "t", "a", "f"))
    if not isinstance(email, str) or not isinstance(topics, list) or not isinstance(audiences, list):
        return None
    if frequency not in DigestFrequency.values:
        return None
    if not set(topics) <= set(Topic) or not set(audiences) <= set(Audience):
        return None
    return Choices(email=email, topics=tuple(topics), audiences=tuple(audiences), frequency=frequency)


def unsubscribe_token(subscription: NewsletterSubscription) -> str:
    return signing.dumps({"s": subscription.pk}, salt=UNSUBSCRIBE_SALT)


def subscription_of_token(token: str) -> NewsletterSubscription | None:
    try:
        payload: Any = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("s"), int):
        return None
    return NewsletterSubscription.objects.filter(pk=payload["s"]).first()


def _site(path: str) -> str:
    return f"{settings.SMANAV_SITE_URL}{path}"


def unsubscribe_url(subscription: NewsletterSubscription) -> str:
    return _site(reverse("library:newsletter_unsubscribe", args=[unsubscribe_token(subscription)]))


class TooManyRequests(Exception):
    """The caller asked too often: the page says to try again later."""


def newsletter_subscribe(*, choices: Choices, client: str, now: dt.datetime) -> bool:
    """Send a confirmation link for `choices` to their address (through the outbox). Answers whether one
    was queued; False when the address had its share for today (the caller answers the same words).
    Raises `TooManyRequests` when the caller (`client`, its address) asked too often."""
    if throttle_hit(key=f"newsletter-client:{client}", rate=PER_CLIENT, now=now.timestamp()) is not None:
        raise TooManyRequests
    if throttle_hit(key=_address_key(choices.email), rate=PER_ADDRESS, now=now.timestamp()) is not None:
        return False
    token = confirm_token(choices)
    context = {
        "choices": choices,
        "confirm_url": _site(reverse("library:newsletter_confirm", args=[token])),
        "days": CONFIRM_DAYS,
    }
    return message_queue(
        rendered(
            key=f"newsletter.confirm:{hashlib.sha256(token.encode()).hexdigest()}",
            kind="newsletter.confirm",
            to=choices.email,
            template="library/email/newsletter_confirm",
            context=context,
        ),
        now=now,
    )


@transaction.atomic
def newsletter_confirm(*, choices: Choices, now: dt.datetime) -> NewsletterSubscription:
    """The owner of the address confirmed: subscribe it with these choices (or replace its choices).
    The first digest covers what changes from now on."""
    subscription = NewsletterSubscription.objects.select_for_update().filter(email=choices.email).first()
    active = subscription is not None and subscription.unsubscribed_at is None
    values = {
        "topics": list(choices.topics),
        "audiences": list(choices.audiences),
        "frequency": choices.frequency,
        "confirmed_at": now,
        "unsubscribed_at": None,
    }
    if subscription is None:
        return NewsletterSubscription.objects.create(email=choices.email, covered_until=now, **values)
    for name, value in values.items():
        setattr(subscription, name, value)
    if not active:
        subscription.covered_until = now
    subscription.save()
    return subscription


def newsletter_unsubscribe(*, subscription: NewsletterSubscription, now: dt.datetime) -> None:
    """Stop the digest: no message is queued for it from now on."""
    NewsletterSubscription.objects.filter(pk=subscription.pk, unsubscribed_at__isnull=True).update(
        unsubscribed_at=now
    )


@dataclass(frozen=True, slots=True)
class Changed:
    slug: str
    title: str
    summary: str
    topics: tuple[str, ...]
    audiences: tuple[str, ...]
    new: bool
    # When this version first appeared.
    at: dt.datetime


def articles_changed(*, since: dt.datetime, until: dt.datetime, today: dt.date) -> list[Changed]:
    """The public articles whose current version first appeared after `since` and up to `until`, newest
    first: new (its first version) or revised."""
    catalogue = library_catalogue.current()
    selectors.synced(catalogue)
    public = set(selectors.public_slugs(catalogue, today))
    rows = (
        Article.objects.filter(
            slug__in=public,
            withdrawn=False,
            current_version__first_seen_at__gt=since,
            current_version__first_seen_at__lte=until,
        )
        .annotate(first=Min("versions__first_seen_at"))
        .values_list("slug", "current_version__first_seen_at", "first")
    )
    found = []
    for slug, seen, first in rows:
        meta = catalogue.articles[slug].source.meta
        found.append(
            Changed(
                slug=slug,
                title=meta.title,
                summary=meta.summary,
                topics=tuple(meta.topics),
                audiences=tuple(meta.audiences),
                new=first is not None and first >= seen,
                at=seen,
            )
        )
    return sorted(found, key=lambda item: (item.at, item.slug), reverse=True)


def _wanted(subscription: NewsletterSubscription, item: Changed) -> bool:
    topics_ok = not subscription.topics or bool(set(subscription.topics) & set(item.topics))
    audiences_ok = not subscription.audiences or bool(set(subscription.audiences) & set(item.audiences))
    return topics_ok and audiences_ok


def newsletter_digests_queue(*, now: dt.datetime, today: dt.date) -> int:
    """Queue the digest of every confirmed subscription that is due; answers how many were queued. A
    subscription is due a week (or 30 days) after what its last digest covered; nothing new for it: its
    time moves on, no e-mail. Safe to run twice: a digest's key is its subscription and its period."""
    due = NewsletterSubscription.objects.filter(unsubscribed_at__isnull=True).filter(
        Q(frequency=DigestFrequency.WEEKLY, covered_until__lte=now - EVERY[DigestFrequency.WEEKLY])
        | Q(frequency=DigestFrequency.MONTHLY, covered_until__lte=now - EVERY[DigestFrequency.MONTHLY])
    )
    subscriptions = list(due)
    if not subscriptions:
        return 0
    since = min(subscription.covered_until for subscription in subscriptions)
    changed = articles_changed(since=since, until=now, today=today)
    messages: list[Message] = []
    for subscription in subscriptions:
        items = [
            item for item in changed if item.at > subscription.covered_until and _wanted(subscription, item)
        ]
        if not items:
            continue
        link = unsubscribe_url(subscription)
        context = {
            "new": [item for item in items if item.new],
            "revised": [item for item in items if not item.new],
            "site_url": settings.SMANAV_SITE_URL,
            "frequency": DigestFrequency(subscription.frequency).label,
            "unsubscribe_url": link,
            "subscribe_url": _site(reverse("library:newsletter")),
        }
        messages.append(
            rendered(
                key=f"newsletter.digest:{subscription.pk}:{subscription.covered_until.isoformat()}",
                kind="newsletter.digest",
                to=subscription.email,
                template="library/email/newsletter_digest",
                context=context,
                headers=unsubscribe_headers(link),
            )
        )
    with transaction.atomic():
        queued = messages_queue(messages, now=now)
        NewsletterSubscription.objects.filter(
            pk__in=[subscription.pk for subscription in subscriptions]
        ).update(covered_until=now)
    return queued
