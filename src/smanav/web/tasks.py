"""Background jobs of the pages' layer: trial news (`trial_news.py`), which join the trials, the
registry's consent and the records. Arguments are stored as JSON, so dates travel as ISO strings."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django_tasks import task

from smanav.web import trial_news


@task()
def queue_trial_news(*, on: str) -> int:
    """Plan the news of the trials an import found newly recruiting, for the day `on` (ISO date), and
    queue one `trial_news_for_range` job per range of records, in one transaction. Answers how many
    ranges were queued (none when no trial awaits news)."""
    return trial_news_queue(on=dt.date.fromisoformat(on))


@task()
def trial_news_for_range(*, trial_ids: list[int], first_id: int, last_id: int, on: str) -> int:
    """One range: the news and the emails of records `first_id` to `last_id`; safe to run again."""
    return trial_news.trial_news_range(
        trial_ids=trial_ids,
        first_id=first_id,
        last_id=last_id,
        on=dt.date.fromisoformat(on),
        site_url=settings.SMANAV_SITE_URL,
    )


@transaction.atomic
def trial_news_queue(*, on: dt.date, range_size: int = trial_news.RANGE_SIZE) -> int:
    plan = trial_news.trial_news_plan(on=on, range_size=range_size)
    for first_id, last_id in plan.ranges:
        trial_news_for_range.enqueue(
            trial_ids=plan.trial_ids, first_id=first_id, last_id=last_id, on=on.isoformat()
        )
    return len(plan.ranges)
