"""The notification pages: the inbox with its unread count, marking read, the preferences page, and the
e-mails' one-click unsubscribe link (RFC 8058) that works without signing in."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from tests.web.community.jobs import deliver
from tests.web.community.notice_people import Folk, comment_make, folk_make

from smanav.community import notifications
from smanav.community.models import Notification, NotificationKind
from smanav.community.notices.delivery import choice_for
from smanav.community.unsubscribe import unsubscribe_token

pytestmark = pytest.mark.django_db


@pytest.fixture(name="folk")
def folk_fixture(settings: Any) -> Folk:
    return folk_make(settings)


def signed_in(member: Any) -> Client:
    client = Client()
    client.force_login(member.user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_inbox_shows_the_unread_count_in_the_navigation_and_marks_read(folk: Folk) -> None:
    notifications.notify_reply(comment=comment_make(folk.post, folk.ben))
    notifications.notify_reply(comment=comment_make(folk.post, folk.cai))
    client = signed_in(folk.ana)
    page = client.get(reverse("community:notifications")).content.decode()
    assert 'Notifications <span class="count">(2 new)</span>' in page
    assert "Ben replied in “Our first wheelchair”." in page
    assert "Cai replied in" in page
    first = Notification.objects.filter(recipient=folk.ana).order_by("id").first()
    assert first is not None
    client.post(reverse("community:notifications_read"), {"notification": first.pk})
    assert "(1 new)" in client.get(reverse("community:notifications")).content.decode()
    response = client.post(reverse("community:notifications_read"))
    assert response.status_code == 302
    page = client.get(reverse("community:notifications")).content.decode()
    assert "new)" not in page
    assert "You have no new notifications." in page


def test_opening_a_notification_marks_it_read_and_only_ones_own(folk: Folk) -> None:
    notifications.notify_reply(comment=comment_make(folk.post, folk.ben))
    notice = Notification.objects.get(recipient=folk.ana)
    assert (
        signed_in(folk.ben).get(reverse("community:notification_open", args=[notice.pk])).status_code == 404
    )
    assert Notification.objects.get(pk=notice.pk).read_at is None
    response = signed_in(folk.ana).get(reverse("community:notification_open", args=[notice.pk]))
    assert response.status_code == 302
    # To the reply itself: the post page names each reply's box reply-<id>.
    assert response["Location"].endswith(f"#reply-{notice.comment_id}")
    assert Notification.objects.get(pk=notice.pk).read_at is not None
    # Another member cannot mark it read either.
    Notification.objects.filter(pk=notice.pk).update(read_at=None)
    signed_in(folk.ben).post(reverse("community:notifications_read"), {"notification": notice.pk})
    assert Notification.objects.get(pk=notice.pk).read_at is None


def test_preferences_page_saves_choices(folk: Folk) -> None:
    client = signed_in(folk.ana)
    page = client.get(reverse("community:notification_preferences")).content.decode()
    assert "<legend>Replies to my posts and comments</legend>" in page
    assert 'id="id_reply_email" checked' in page
    response = client.post(
        reverse("community:notification_preferences"),
        {"reply_on_site": "on", "reaction_email": "on", "moderation_email": "on"},
    )
    assert response.status_code == 302
    reply = choice_for(member=folk.ana, kind=NotificationKind.REPLY)
    assert (reply.on_site, reply.email, reply.digest) == (True, False, False)
    assert choice_for(member=folk.ana, kind=NotificationKind.REACTION).email is True
    assert choice_for(member=folk.ana, kind=NotificationKind.DIGEST).email is False
    # The moderators' messages stay on the site, whatever the form says.
    assert choice_for(member=folk.ana, kind=NotificationKind.MODERATION).on_site is True


def unsubscribe_link(body: str) -> str:
    found = re.search(r"Stop e-mails like this one: (\S+)", body)
    assert found is not None
    return found.group(1).removeprefix("http://127.0.0.1:8000")


def test_every_email_has_one_click_unsubscribe_headers_that_work_without_signing_in(
    folk: Folk, settings: Any
) -> None:
    notifications.notify_reply(comment=comment_make(folk.post, folk.ben))
    deliver()
    message = mail.outbox[0]
    link = unsubscribe_link(message.body)
    assert message.extra_headers["List-Unsubscribe"] == f"<{settings.SMANAV_SITE_URL}{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # A link checker's GET changes nothing; it shows one button.
    anonymous = Client(enforce_csrf_checks=True)
    page = anonymous.get(link)
    assert page.status_code == 200
    assert "Stop these e-mails" in page.content.decode()
    assert choice_for(member=folk.ana, kind=NotificationKind.REPLY).email is True
    # The mail program's one-click POST: no session, no CSRF token.
    done = anonymous.post(link, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert "You will not get these e-mails any more" in done.content.decode()
    assert choice_for(member=folk.ana, kind=NotificationKind.REPLY).email is False
    # Only that kind: mentions still come by e-mail.
    assert choice_for(member=folk.ana, kind=NotificationKind.MENTION).email is True
    notifications.notify_reply(comment=comment_make(folk.post, folk.cai))
    deliver()
    assert len(mail.outbox) == 1


def test_a_tampered_or_foreign_unsubscribe_link_is_refused(folk: Folk) -> None:
    good = unsubscribe_token(member_id=folk.ana.pk, kind=NotificationKind.REPLY)
    foreign = signing.dumps({"m": folk.ana.pk, "k": "reply"}, salt="smanav.accounts.signup")
    for token in (good[:-2] + "xx", foreign, "nonsense"):
        response = Client().post(reverse("community:unsubscribe", args=[token]))
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
    assert choice_for(member=folk.ana, kind=NotificationKind.REPLY).email is True


@pytest.mark.parametrize("url_name", ["notifications", "notification_preferences"])
def test_pages_need_a_member(folk: Folk, url_name: str) -> None:
    assert Client().get(reverse(f"community:{url_name}")).status_code == 302
