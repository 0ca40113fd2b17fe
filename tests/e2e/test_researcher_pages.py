"""The researcher role in the browser (ADR 0031): the research cohort's dashboard as a researcher reads
it, and the administrators' page asking for a researcher and a second administrator confirming it, by
keyboard. Each page passes every check of page_checks.py (axe-core, names, 44 px targets, keyboard) and
reflows at 320 px. Screenshots: test-artifacts/screenshots/researcher-*.png."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.e2e.page_checks import page_problems
from tests.web.personas import Personas, log_in, make_personas

from smanav.accounts.models import ResearcherGrant
from smanav.patients.models import Patient
from smanav.patients.services import all_summaries_refresh
from smanav.registry.models import Consent, ConsentPurpose
from smanav.registry.selectors import consented_patients
from smanav.registry.synth_write import synth_write

PHONE_WIDTH_PX = 320


@pytest.fixture
def live_people(transactional_db: Any, settings: Any) -> Personas:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_personas()


def _sign_in(page: Any, site: str, user: Any) -> None:
    session = log_in(Client(), user).cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": site}])


def _reflow_problems(page: Any) -> list[str]:
    page.set_viewport_size({"width": PHONE_WIDTH_PX, "height": 640})
    width = page.evaluate("() => document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    return [] if width <= PHONE_WIDTH_PX else [f"the page is {width} px wide at {PHONE_WIDTH_PX} px"]


def test_a_researcher_reads_the_research_cohorts_dashboard(
    page: Any, site: str, live_people: Personas, screenshot: Callable[[Any, str], Path]
) -> None:
    today = timezone.localdate()
    synth_write(patients=40, seed=5, as_of=today)
    all_summaries_refresh(as_of=today)
    # Six of them withdrew their consent to research use, and stay in the registry.
    withdrawing = Patient.objects.filter(creation_key__startswith="synth:5:").order_by("pk")[:6]
    Consent.objects.filter(patient__in=list(withdrawing), purpose=ConsentPurpose.RESEARCH).update(
        withdrawn_at=timezone.now()
    )
    research = consented_patients(purpose=ConsentPurpose.RESEARCH, on=today).count()
    registry = consented_patients(purpose=ConsentPurpose.REGISTRY, on=today).count()
    assert research >= 5 and registry >= research + 6
    _sign_in(page, site, live_people.researcher)

    page.goto(site + "/records/")  # "My records" sends a researcher on to their dashboard
    assert page.url.endswith("/registry/dashboard/")
    main = page.locator("main")
    assert page.get_by_role("heading", level=1).inner_text() == "Research cohort dashboard"
    assert f"People in the research cohort: {research}" in main.inner_text()
    navigation = page.get_by_role("navigation").first.inner_text()
    assert "Research cohort dashboard" in navigation and "My records" not in navigation
    assert page.locator("main img").count() >= 1
    screenshot(page, "researcher-dashboard")
    problems = _reflow_problems(page) + page_problems(page, site)
    assert not problems, "\n".join(problems)


def test_an_administrator_asks_for_a_researcher_and_another_confirms_by_keyboard(
    page: Any, site: str, live_people: Personas, screenshot: Callable[[Any, str], Path]
) -> None:
    _sign_in(page, site, live_people.administrator)
    page.goto(site + "/accounts/clinics/")
    username = page.get_by_label("Username", exact=True).nth(1)  # the researcher form's, after staff's
    username.focus()
    page.keyboard.type("epidemiologist")
    page.keyboard.press("Tab")
    page.keyboard.type("epi@example.org")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Add the researcher"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "The researcher account waits for another administrator" in page.locator("main").inner_text()
    grant = ResearcherGrant.objects.get(user__username="epidemiologist")
    assert not grant.is_confirmed
    problems = _reflow_problems(page) + page_problems(page, site)
    assert not problems, "\n".join(problems)

    page.context.clear_cookies()
    _sign_in(page, site, live_people.second_administrator)
    page.goto(site + "/accounts/clinics/")
    confirm = page.get_by_role("button", name="Confirm epidemiologist")
    confirm.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Confirmed." in page.locator("main").inner_text()
    assert ResearcherGrant.objects.get(pk=grant.pk).is_confirmed
    assert page.get_by_role("button", name="End epidemiologist's powers").count() == 1
    screenshot(page, "researcher-confirmed-on-the-administrators-page")
    problems = _reflow_problems(page) + page_problems(page, site)
    assert not problems, "\n".join(problems)
