"""A family chooses where to hear of newly recruiting trials on the notices page with the keyboard alone,
is told in words when the place is unknown or the distance is not a number, and then reads the trial's
news at the top of the record. axe-core, names, 44 px targets and reflow at 320 px on each page."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from tests.e2e.page_checks import PHONE_WIDTH_PX, page_problems
from tests.web.test_trial_news import _study

from smanav.accounts.services import user_create
from smanav.geo.models import PostalCode
from smanav.geo.names import postal_key
from smanav.patients.models import GuardianRelation
from smanav.patients.services import patient_create
from smanav.registry.models import ConsentPurpose
from smanav.registry.services import consent_give
from smanav.trials.models import TrialNewsPlace
from smanav.web.trial_news import trial_news_now

PASSWORD = "a long test password 123"


def check(page: Any, site: str) -> None:
    problems = page_problems(page, site)
    assert not problems, "\n".join(problems)
    size = page.viewport_size
    page.set_viewport_size({"width": PHONE_WIDTH_PX, "height": 640})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE_WIDTH_PX
    page.set_viewport_size(size)


def _type_into(page: Any, label: str, text: str) -> None:
    field = page.locator("main").get_by_label(label, exact=True)
    field.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def _save(page: Any) -> None:
    page.locator("main").get_by_role("button", name="Save").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.mark.django_db(transaction=True)
def test_a_family_chooses_trials_near_me_by_keyboard_and_reads_the_news(
    page: Any,
    site: str,
    assert_accessible: Callable[[Any], None],
    screenshot: Callable[[Any, str], Path],
    tmp_path: Path,
) -> None:
    PostalCode.objects.create(
        country_code="US",
        code="02115",
        key=postal_key("02115"),
        place_name="Boston",
        latitude=42.34,
        longitude=-71.09,
    )
    today = timezone.localdate()
    user = user_create(username="ines", email="ines@example.org", password=PASSWORD)
    patient = patient_create(
        author=user,
        display_name="Ines",
        document={
            "birth_date": "2016-05-01",
            "sex": "female",
            "region": "US",
            "genetics": {"smn1_copies": 0, "smn2_copies": 3, "method": "mlpa"},
            "clinical": {"symptomatic": True, "symptom_onset_age_months": 14},
        },
        as_of=today,
        relation=GuardianRelation.PARENT,
    )
    consent_give(
        author=user, patient_id=patient.pk, purpose=ConsentPurpose.TRIAL_CONTACT, text_version=1, on=today
    )

    page.goto(site + "/accounts/login/")
    page.get_by_label("Username", exact=True).fill("ines")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    page.goto(site + "/notices/")
    assert "Trials near me" in page.locator("main").inner_text()
    check(page, site)

    _type_into(page, "Town or postal code", "Atlantis")
    _type_into(page, "How far you would travel, in km", "far")
    _save(page)
    text = page.locator("main").inner_text()
    assert "We could not find “Atlantis”" in text
    assert "How far you would travel must be a whole number of km, like 100." in text
    assert not TrialNewsPlace.objects.exists()
    check(page, site)
    screenshot(page, "trial-news-01-problems")

    _type_into(page, "Town or postal code", "02115")
    _type_into(page, "How far you would travel, in km", "60")
    page.locator("main").get_by_label("Email me about such a trial", exact=True).focus()
    page.keyboard.press("Space")
    _save(page)
    assert "Your choices were saved." in page.locator("main").inner_text()
    place = TrialNewsPlace.objects.get(user=user)
    assert (place.distance_km, place.by_email) == (60, True)
    assert_accessible(page)

    path = tmp_path / "trials.ndjson"
    path.write_text(json.dumps(_study()) + "\n", encoding="utf-8")
    call_command("import_trials", str(path), "--no-news", stdout=StringIO())
    assert trial_news_now(on=today + dt.timedelta(days=0), site_url=site) == 1

    page.goto(f"{site}/records/{patient.pk}/")
    news = page.locator("#news")
    assert "Test study of a walking aid in SMA" in news.inner_text()
    assert "Only the trial team can" in news.inner_text()
    check(page, site)
    screenshot(page, "trial-news-02-record")
