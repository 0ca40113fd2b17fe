"""The pages of keeping people informed (issue 15) for test_every_page.py: the one notices page (a parent,
a community member) and the library newsletter's pages (subscribe, the confirmation link, the
unsubscribe link, each with its refusal). Ids for the paths: {nl_confirm} (a confirmation link made
now), {nl_stop} (the unsubscribe link of a confirmed subscription)."""

from __future__ import annotations

from django.utils import timezone
from tests.e2e.page_cases import Page, fill, submit, submit_empty

from smanav.library.models import DigestFrequency
from smanav.library.newsletter import Choices, confirm_token, newsletter_confirm, unsubscribe_token

ANONYMOUS, PARENT, MEMBER = "anonymous", "parent", "member"


def notices_seed() -> dict[str, str]:
    subscription = newsletter_confirm(
        choices=Choices("reader@example.org", ("breathing",), (), DigestFrequency.MONTHLY), now=timezone.now()
    )
    pending = Choices("new-reader@example.org", ("genetics",), ("families",), DigestFrequency.WEEKLY)
    return {"nl_confirm": confirm_token(pending), "nl_stop": unsubscribe_token(subscription)}


def _subscribe(address: str) -> object:
    def act(page: object) -> None:
        fill(page, {"Your e-mail address": address})
        submit(page, "Send me the link")

    return act


def _no_days(page: object) -> None:
    fill(page, {"How many days before": "0"})
    submit(page, "Save")


NOTICE_PAGES = [
    Page("notices", PARENT, "/notices/", "Changes to a record"),
    Page("notices-problems", PARENT, "/notices/", "How many days before must be at least 1.", _no_days, 422),
    Page("notices-member", MEMBER, "/notices/", "The community"),
    Page("newsletter", ANONYMOUS, "/library/newsletter/", "New articles by e-mail"),
    Page(
        "newsletter-sent", ANONYMOUS, "/library/newsletter/", "Check your e-mail", _subscribe("a@example.org")
    ),
    Page(
        "newsletter-problems",
        ANONYMOUS,
        "/library/newsletter/",
        "Enter an e-mail address",
        _subscribe("not an address"),
        422,
    ),
    Page("newsletter-confirm", ANONYMOUS, "/library/newsletter/confirm/{nl_confirm}/", "Confirm the library"),
    Page(
        "newsletter-confirm-done",
        ANONYMOUS,
        "/library/newsletter/confirm/{nl_confirm}/",
        "You will get the library e-mails",
        submit_empty("Confirm"),
    ),
    Page(
        "newsletter-confirm-refused",
        ANONYMOUS,
        "/library/newsletter/confirm/made-up/",
        "This link does not work",
        status=400,
    ),
    Page("newsletter-stop", ANONYMOUS, "/library/newsletter/stop/{nl_stop}/", "Stop the library e-mails"),
    Page(
        "newsletter-stop-done",
        ANONYMOUS,
        "/library/newsletter/stop/{nl_stop}/",
        "You will not get the library e-mails any more",
        submit_empty("Stop these e-mails"),
    ),
    Page(
        "newsletter-stop-refused",
        ANONYMOUS,
        "/library/newsletter/stop/made-up/",
        "This link does not work",
        status=404,
    ),
]
