"""The library's background job (django-tasks; run by `manage.py db_worker`): the newsletter's digests.
Run it daily (docs/keeping-informed.md); each subscription gets its digest when it is due, once."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from smanav.library.newsletter import newsletter_digests_queue


@task()
def send_newsletter_digests() -> int:
    """Queue the digests that are due; answers how many."""
    return newsletter_digests_queue(now=timezone.now(), today=timezone.localdate())
