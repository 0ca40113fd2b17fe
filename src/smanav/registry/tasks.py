"""Background jobs of the registry (django-tasks; run by `manage.py db_worker`). They only unpack their
arguments and call the services; each can run twice, or late, without sending anything twice."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django_tasks import task

from smanav.registry.invitations import review_invitations_send


@task()
def send_review_invitations(*, today: str) -> int:
    """The daily job: invite every registry participant due for review on `today` (ISO date); answers
    how many records were invited."""
    return review_invitations_send(on=dt.date.fromisoformat(today), site_url=settings.SMANAV_SITE_URL)
