"""The worklist's notice about out-of-date summaries, in the browser: announced as a status, and the page
still passes every check of page_checks.py (axe-core, names, target sizes, keyboard). The screenshot is
test-artifacts/screenshots/worklist-summaries-day-old.png."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from tests.e2e.page_checks import page_problems
from tests.web.background import today_fixture  # noqa: F401
from tests.web.personas import AS_OF, Personas, log_in, make_personas


@pytest.fixture
def live_people(transactional_db: Any, settings: Any) -> Personas:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_personas()


def test_the_notice_of_day_old_summaries_passes_the_page_checks(
    page: Any,
    site: str,
    live_people: Personas,
    today: Callable[[dt.date], None],
    screenshot: Callable[[Any, str], Path],
) -> None:
    today(AS_OF + dt.timedelta(days=1))
    session = log_in(Client(), live_people.clinician).cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": site}])

    page.goto(site + "/clinic/")

    notice = page.get_by_role("status").filter(has_text="Overdue checks and alerts were last worked out on")
    assert notice.count() == 1
    assert "They are being updated" in notice.inner_text()
    screenshot(page, "worklist-summaries-day-old")
    problems = page_problems(page, site)
    assert not problems, "\n".join(problems)
