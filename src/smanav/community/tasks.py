"""Background jobs of the community (django-tasks; run by `manage.py db_worker`): the e-mail of one
notification, and the weekly digest. They only unpack their arguments and call the services; each can
run twice, or late, without sending anything twice."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from smanav.community.notices import delivery as notifications
from smanav.community.notices import digests


@task()
def send_notification_email(*, notification_id: int) -> bool:
    """Queue the e-mail of one notification in the outbox, if its member still wants it by e-mail; answers
    whether it was queued (the outbox's delivery job sends it)."""
    return notifications.notification_email_send(notification_id=notification_id)


@task()
def send_weekly_digests(*, today: str) -> int:
    """The weekly job: the digest of the week before `today`'s week (ISO date) to every member who gets
    it, queued in the outbox; answers how many e-mails were queued."""
    return digests.digests_send(today=dt.date.fromisoformat(today))
