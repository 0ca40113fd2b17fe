"""The community's e-mails go through the outbox (`smanav.outbox`, ADR 0024): a notification's e-mail and
the weekly digest are rows with a unique key, written with their "told" mark, delivered in batches to a
real SMTP server started by the test (aiosmtpd) with a plain-text and an accessible HTML part and the
one-click unsubscribe headers; never twice; an unsubscribe holds for the next one."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from tests.web.community.jobs import deliver
from tests.web.community.notice_people import Folk, comment_make, folk_make
from tests.web.smtp_server import SmtpServer, html_of, smtp_server_fixture, text_of

from smanav.community import notifications
from smanav.community.models import Notification, NotificationKind, TopicFollow
from smanav.community.notices.delivery import choice_for, notification_email_send
from smanav.outbox.delivery import outbox_deliver
from smanav.outbox.models import MessageState, OutgoingMessage

__all__ = ["smtp_server_fixture"]

pytestmark = pytest.mark.django_db
LAST_WEEK = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(name="folk")
def folk_fixture(settings: Any) -> Folk:
    return folk_make(settings)


def test_a_notification_is_an_outbox_row_delivered_once_with_text_html_and_unsubscribe(
    folk: Folk, smtp_server: SmtpServer, settings: Any
) -> None:
    notifications.notify_reply(comment=comment_make(folk.post, folk.ben))
    deliver()
    notice = Notification.objects.get(recipient=folk.ana)
    row = OutgoingMessage.objects.get()
    assert row.key == f"community.notification:{notice.pk}"
    assert (row.kind, row.state) == ("community.reply", MessageState.SENT)
    [arrived] = smtp_server.received
    assert arrived["To"] == "ana_lopez@example.org"
    assert arrived["Subject"] == "Someone replied to you in the smanav community"
    assert arrived["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Ben replied in “Our first wheelchair”." in text_of(arrived)
    html = html_of(arrived)
    assert '<html lang="en">' in html and "Ben replied in" in html and "<img" not in html
    # The job run again (a worker that died after queueing): nothing queued, nothing sent.
    assert notification_email_send(notification_id=notice.pk) is False
    deliver()
    assert OutgoingMessage.objects.count() == 1 and len(smtp_server.received) == 1

    # One-click unsubscribe from the link in the e-mail: the next reply is not queued.
    link = re.search(r"<([^>]+)>", arrived["List-Unsubscribe"])
    assert link is not None
    path = link.group(1).removeprefix(settings.SMANAV_SITE_URL)
    assert Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert choice_for(member=folk.ana, kind=NotificationKind.REPLY).email is False
    notifications.notify_reply(comment=comment_make(folk.post, folk.cai))
    deliver()
    assert OutgoingMessage.objects.count() == 1 and len(smtp_server.received) == 1


def test_the_weekly_digest_is_queued_with_its_week_and_sent_once(folk: Folk, smtp_server: SmtpServer) -> None:
    TopicFollow.objects.create(member=folk.ben, topic=folk.topic)
    folk.post.created_at = LAST_WEEK
    folk.post.save()
    out = StringIO()
    call_command("community_digest", "--today", "2026-12-09", stdout=out)
    assert "sent 1 e-mail(s) now" in out.getvalue()
    row = OutgoingMessage.objects.get()
    assert row.key == f"community.digest:{folk.ben.pk}:2026-12-07"
    [arrived] = smtp_server.received
    assert arrived["To"] == "ben@example.org"
    assert arrived["Subject"] == "Your week in the smanav community"
    assert arrived["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "- Our first wheelchair (Equipment)" in text_of(arrived)
    assert "Our first wheelchair</a> (Equipment)" in html_of(arrived)
    call_command("community_digest", "--today", "2026-12-10", stdout=StringIO())
    assert OutgoingMessage.objects.count() == 1 and len(smtp_server.received) == 1


def test_a_mail_server_that_is_down_delays_the_notification_and_loses_nothing(
    folk: Folk, smtp_server: SmtpServer
) -> None:
    smtp_server.stop()
    notifications.notify_reply(comment=comment_make(folk.post, folk.ben))
    deliver()
    row = OutgoingMessage.objects.get()
    assert row.state == MessageState.QUEUED and row.attempts == 1 and row.last_error
    assert Notification.objects.get(recipient=folk.ana).emailed_at is not None  # decided once
    smtp_server.start()
    assert outbox_deliver(now=row.next_attempt_at + dt.timedelta(seconds=1)).sent == 1
    [arrived] = smtp_server.received
    assert "Ben replied in" in text_of(arrived)
