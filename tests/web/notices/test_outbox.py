"""The outbox: e-mail goes from the queue to a real SMTP server started by the test, in batches, with a
plain-text part and accessible HTML, retried with back-off when the server is down, and never twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import override_settings
from django.utils import timezone
from tests.web.background import run_worker_fixture
from tests.web.smtp_server import SmtpServer, html_of, smtp_server_fixture, text_of

from smanav.outbox.delivery import back_off, outbox_deliver, outbox_recover
from smanav.outbox.models import MessageState, OutgoingMessage
from smanav.outbox.services import Message, message_queue, messages_queue, unsubscribe_headers

__all__ = ["run_worker_fixture", "smtp_server_fixture"]

pytestmark = pytest.mark.django_db

HTML = (
    '<!DOCTYPE html><html lang="en"><head><title>Hello</title></head>'
    "<body><main><p>Hello in HTML</p></main></body></html>"
)


def _message(n: int = 1, **changes: object) -> Message:
    values: dict[str, object] = {
        "key": f"test:{n}",
        "kind": "test",
        "to": f"person{n}@example.org",
        "subject": "Something for you",
        "text": f"Hello {n} in plain text",
        "html": HTML,
        "headers": unsubscribe_headers("http://testserver/stop/abc/"),
    }
    values.update(changes)
    return Message(**values)  # type: ignore[arg-type]


def test_a_queued_message_arrives_with_text_html_and_one_click_unsubscribe(smtp_server: SmtpServer) -> None:
    assert message_queue(_message())
    delivery = outbox_deliver()
    assert delivery.sent == 1
    [arrived] = smtp_server.received
    assert arrived["To"] == "person1@example.org"
    assert arrived["Subject"] == "Something for you"
    assert arrived["List-Unsubscribe"] == "<http://testserver/stop/abc/>"
    assert arrived["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert arrived.get_content_type() == "multipart/alternative"
    assert "Hello 1 in plain text" in text_of(arrived)
    html = html_of(arrived)
    assert '<html lang="en">' in html and "<img" not in html
    row = OutgoingMessage.objects.get()
    assert row.state == MessageState.SENT and row.attempts == 1 and row.sent_at is not None


def test_the_same_key_is_queued_once_and_a_second_run_sends_nothing(smtp_server: SmtpServer) -> None:
    assert message_queue(_message())
    assert not message_queue(_message())
    outbox_deliver()
    outbox_deliver()
    assert len(smtp_server.received) == 1
    assert OutgoingMessage.objects.count() == 1


@override_settings(SMANAV_OUTBOX_BATCH=2)
def test_messages_go_in_batches(smtp_server: SmtpServer) -> None:
    assert messages_queue([_message(n) for n in range(5)]) == 5
    assert outbox_deliver().sent == 2
    assert outbox_deliver().sent == 2
    assert outbox_deliver().sent == 1
    assert outbox_deliver().sent == 0
    assert sorted(message["To"] for message in smtp_server.received) == [
        f"person{n}@example.org" for n in range(5)
    ]


def test_a_server_that_is_down_is_tried_again_later_and_the_message_goes_once(
    smtp_server: SmtpServer,
) -> None:
    now = timezone.now()
    message_queue(_message(), now=now)
    smtp_server.stop()
    delivery = outbox_deliver(now=now)
    assert (delivery.sent, delivery.retrying) == (0, 1)
    row = OutgoingMessage.objects.get()
    assert row.state == MessageState.QUEUED and row.attempts == 1
    assert "ConnectionRefusedError" in row.last_error
    assert row.next_attempt_at == now + back_off(1)
    # Not due yet: nothing is tried.
    assert outbox_deliver(now=now + dt.timedelta(seconds=30)).retrying == 0
    smtp_server.start()
    assert outbox_deliver(now=now + dt.timedelta(minutes=1)).sent == 1
    assert outbox_deliver(now=now + dt.timedelta(minutes=10)).sent == 0
    assert len(smtp_server.received) == 1
    row.refresh_from_db()
    assert row.state == MessageState.SENT and row.attempts == 2 and row.last_error == ""


@override_settings(SMANAV_OUTBOX_MAX_ATTEMPTS=2)
def test_after_its_last_attempt_a_message_is_failed_with_the_reason(smtp_server: SmtpServer) -> None:
    now = timezone.now()
    message_queue(_message(), now=now)
    smtp_server.stop()
    outbox_deliver(now=now)
    delivery = outbox_deliver(now=now + dt.timedelta(hours=1))
    assert delivery.failed == 1
    row = OutgoingMessage.objects.get()
    assert row.state == MessageState.FAILED and row.attempts == 2 and row.last_error


def test_the_back_off_doubles_up_to_six_hours() -> None:
    assert [back_off(n) for n in (1, 2, 3)] == [dt.timedelta(minutes=m) for m in (1, 2, 4)]
    assert back_off(30) == dt.timedelta(hours=6)


def test_a_message_left_sending_by_a_dead_worker_is_failed_and_never_sent_again(
    smtp_server: SmtpServer,
) -> None:
    now = timezone.now()
    message_queue(_message(), now=now)
    # A worker claimed it and died before it could say whether the server took it.
    OutgoingMessage.objects.update(state=MessageState.SENDING, claimed_at=now, attempts=1)
    assert outbox_recover(now=now + dt.timedelta(seconds=5)) == 0
    assert outbox_recover(now=now + dt.timedelta(minutes=5)) == 1
    assert outbox_deliver(now=now + dt.timedelta(minutes=6)).sent == 0
    assert smtp_server.received == []
    row = OutgoingMessage.objects.get()
    assert row.state == MessageState.FAILED and "may have been sent" in row.last_error


def test_a_refused_recipient_does_not_stop_the_rest_of_the_batch(smtp_server: SmtpServer) -> None:
    smtp_server.inbox.refuse.add("person2@example.org")
    messages_queue([_message(1), _message(2), _message(3)])
    delivery = outbox_deliver()
    assert (delivery.sent, delivery.retrying) == (2, 1)
    assert {message["To"] for message in smtp_server.received} == {
        "person1@example.org",
        "person3@example.org",
    }
    refused = OutgoingMessage.objects.get(to="person2@example.org")
    assert refused.state == MessageState.QUEUED and "SMTPRecipientsRefused" in refused.last_error


@pytest.mark.django_db(transaction=True)
def test_the_worker_delivers_what_was_queued(smtp_server: SmtpServer, run_worker: Callable[[], None]) -> None:
    messages_queue([_message(1), _message(2)])
    run_worker()
    assert sorted(message["To"] for message in smtp_server.received) == [
        "person1@example.org",
        "person2@example.org",
    ]
    assert set(OutgoingMessage.objects.values_list("state", flat=True)) == {MessageState.SENT}


def test_the_job_queues_one_successor_for_the_earliest_retry(smtp_server: SmtpServer) -> None:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from smanav.outbox.tasks import deliver_outbox

    message_queue(_message())  # queues a delivery job too
    DBTaskResult.objects.all().delete()  # as if a worker had taken it
    smtp_server.stop()
    assert deliver_outbox.call() == 0
    waiting = DBTaskResult.objects.filter(task_path=deliver_outbox.module_path, status=TaskResultStatus.READY)
    [successor] = waiting
    row = OutgoingMessage.objects.get()
    assert successor.run_after >= row.next_attempt_at
    # Another run finds the successor already queued and adds none.
    OutgoingMessage.objects.update(next_attempt_at=timezone.now())
    deliver_outbox.call()
    assert waiting.count() == 1


def test_sent_and_failed_messages_are_removed_after_thirty_days(smtp_server: SmtpServer) -> None:
    from smanav.outbox.delivery import outbox_prune

    now = timezone.now()
    messages_queue([_message(1), _message(2), _message(3)], now=now - dt.timedelta(days=31))
    outbox_deliver(now=now - dt.timedelta(days=31))
    # An old message still waiting for a retry is kept.
    OutgoingMessage.objects.filter(key="test:3").update(
        state=MessageState.QUEUED, next_attempt_at=now + dt.timedelta(hours=1)
    )
    message_queue(_message(4), now=now)
    outbox_deliver(now=now)
    assert outbox_prune(now=now) == 2
    assert sorted(OutgoingMessage.objects.values_list("key", flat=True)) == ["test:3", "test:4"]
