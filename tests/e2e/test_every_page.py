"""Every page of the application, as the person who uses it, passes the checks of page_checks.py: axe-core,
names of controls, 44 px targets, the keyboard walk and the skip link. A screenshot of each is kept in
test-artifacts/screenshots/every-page-*.png.

The list of pages cannot fall behind the URL map: `test_every_route_is_visited_or_excluded` walks
Django's resolver and fails on a route that no case below visits and that `NOT_PAGES` does not exclude.

One live server and one set of people and records serve the whole module (made once through the
services, removed at the end), and each persona's browser context is signed in once, so that the
module stays fast; every page is still its own test, named after the page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from pytest_django.live_server_helper import LiveServer
from tests.e2e import community_member_pages
from tests.e2e.every_page_community import (
    COMMUNITY_FAMILY_PERSONAS,
    COMMUNITY_NOT_PAGES,
    COMMUNITY_PAGES,
    community_seed,
)
from tests.e2e.every_page_notices import NOTICE_PAGES, notices_seed
from tests.e2e.page_cases import Page, submit_empty
from tests.e2e.page_cases import fill as _fill
from tests.e2e.page_cases import submit as _submit
from tests.e2e.page_checks import PHONE_WIDTH_PX, developer_string_problems, page_problems
from tests.web.personas import AS_OF, PASSWORD, log_in, make_personas, make_user

from smanav.accounts.grants import staff_add
from smanav.accounts.links import LinkPurpose, link_token
from smanav.accounts.models import StaffRole
from smanav.accounts.services import api_token_create, user_create
from smanav.audit.models import AuditAction
from smanav.audit.services import audit_record
from smanav.geo.models import Place
from smanav.geo.names import name_key
from smanav.library import catalogue
from smanav.library.services import article_sign_off, reviewer_grant
from smanav.patients.alerts import alert_fingerprint
from smanav.patients.models import Treatment
from smanav.patients.seam import evaluate_patient
from smanav.patients.services import (
    assessment_record,
    carer_invite,
    dose_record,
    lab_tests_record,
    treatment_record,
)
from smanav_core import load_knowledge

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# Routes that are not HTML pages, or that answer only POST, and why. Everything else must be visited.
NOT_PAGES = {
    "records/<int:patient_id>/charts/<str:instrument>.svg": "an SVG image on the record page (its alt text "
    "and the table beside it are checked there)",
    "records/<int:patient_id>/care-plan.pdf": "a PDF download (the family journey opens it)",
    "records/<int:patient_id>/care-plan.fhir.json": "a FHIR JSON download",
    "records/<int:patient_id>/data-download/": "a ZIP download (tests/web/test_data_download.py)",
    "my-data/download/": "a ZIP download (tests/web/test_data_download.py)",
    "accounts/logout/": "POST only: the Log out button of the navigation",
    "accounts/tokens/<int:token_id>/revoke/": "POST only: the Revoke button of the API tokens page",
    "records/<int:patient_id>/sharing/<int:share_id>/withdraw/": "POST only: the Withdraw button of the "
    "sharing page",
    "records/<int:patient_id>/consent/give/": "POST only: the I agree buttons of the consent page",
    "records/<int:patient_id>/consent/withdraw/": "POST only: the Withdraw buttons of the consent page",
    "records/<int:patient_id>/consent/review/": "POST only: the review button of the consent page",
    "records/<int:patient_id>/registry/add/": "POST only: the Send buttons of the registry page",
    "registry/dashboard/<str:instrument>-<str:by>.svg": "an SVG image on the registry dashboard (its alt "
    "text and the table beside it are checked there)",
    "registry/dashboard/time-to-event.svg": "an SVG image on the registry dashboard (its alt text and the "
    "tables below it are checked there)",
    "records/<int:patient_id>/registry/<int:value_id>/remove/": "POST only: the Take back buttons of the "
    "registry page",
    "records/<int:patient_id>/registry/resolve/": "POST only: the Keep this decision buttons of the "
    "registry page (tests/web/test_registry_reported.py)",
    "accounts/clinics/staff/<int:membership_id>/decide/": "POST only: the Confirm and Refuse buttons of "
    "the clinics page",
    "accounts/administrators/<int:grant_id>/decide/": "POST only: the Confirm and Refuse buttons of the "
    "clinics page",
    "accounts/researchers/<int:grant_id>/decide/": "POST only: the Confirm, Refuse and End buttons of the "
    "clinics page (tests/e2e/test_researcher_pages.py)",
    "records/<int:patient_id>/carers/<int:guardian_id>/remove/": "POST only: the Remove and Leave buttons "
    "of the carers page",
    "records/<int:patient_id>/invitations/<int:invitation_id>/withdraw/": "POST only: the Withdraw button "
    "of the carers page",
    "library/feed.atom": "the library's Atom feed (XML, tested in tests/web/test_library_pages.py)",
    **COMMUNITY_NOT_PAGES,
}
# The JSON API (django-ninja, with its HTML docs page turned off in smanav/api/router.py): no HTML.
# Django's admin is not installed; if it ever is, its third-party pages are to be listed here.
NOT_PAGE_PREFIXES = {"api/v1/": "the JSON API, tested in tests/web"}


def url_routes() -> set[str]:
    """Every route of the URL map, written as Django's resolver reports it in `ResolverMatch.route`."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[str]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    return set(walk(get_resolver().url_patterns, ""))


# ---------------------------------------------------------------------------------------------------
# Actions that bring a page into a state worth checking: a result, or a form showing its problems.


def evaluate_example(page: Any) -> None:
    page.locator("#id_record").fill((EXAMPLES / "type1-infant.json").read_text(encoding="utf-8"))
    page.locator("#id_as_of").fill(AS_OF.isoformat())
    _submit(page, "Evaluate")


def evaluate_broken_json(page: Any) -> None:
    page.locator("#id_record").fill('{"birth_date": ')
    _submit(page, "Evaluate")


def triage_answers(page: Any) -> None:
    _fill(page, {"Age in years": "34"})
    _submit(page, "See what the answers suggest")


def triage_red_flag(region: str | None) -> Callable[[Any], None]:
    """A red-flag answer (numbness around the genitals), in a region or without one."""

    def act(page: Any) -> None:
        _fill(page, {"Age in years": "47"})
        if region is not None:
            page.locator(f"input[name='region'][value='{region}']").check()
        page.locator("input[name='symptoms'][value='saddle_numbness']").check()
        _submit(page, "See what the answers suggest")

    return act


def registry_empty_first_signs(page: Any) -> None:
    """The registry page's first part (first signs of SMA) sent empty: each part has its own Send."""
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Send", exact=True).first.click()


def trials_answers(page: Any) -> None:
    page.locator("#id_birth_date").fill("2021-03-01")
    page.locator("#id_smn1_copies").fill("0")
    page.locator("#id_smn2_copies").fill("3")
    page.locator("#id_motor_2").check()
    _submit(page, "Show trials")


def trials_impossible_answers(page: Any) -> None:
    page.locator("#id_birth_date").fill("yesterday")
    page.locator("#id_smn2_copies").fill("12")
    _submit(page, "Show trials")


def wrong_password(page: Any) -> None:
    _fill(page, {"Username": "parent", "Password": "not the password"})
    _submit(page, "Log in")


def not_an_email(page: Any) -> None:
    _fill(page, {"Email": "not an email address"})
    _submit(page, "Send the link")


def different_new_passwords(page: Any) -> None:
    _fill(page, {"New password": "a long new passphrase", "New password confirmation": "another one"})
    _submit(page, "Save the new password")


def no_days_before(page: Any) -> None:
    _fill(page, {"How many days before": "0"})
    _submit(page, "Save")


def library_search(query: str) -> Callable[[Any], None]:
    def act(page: Any) -> None:
        _fill(page, {"Search the articles": query})
        _submit(page, "Show articles")

    return act


def sign_off_unconfirmed(page: Any) -> None:
    _submit(page, "Sign off")


def wrong_code(page: Any) -> None:
    _fill(page, {"6-digit code from your authenticator app": "000000"})
    _submit(page, "Confirm")


def impossible_record(page: Any) -> None:
    _fill(page, {"Name or nickname": "Otto", "Date of birth": "2020-01-01", "SMN2 copies": "12"})
    _submit(page, "Save")


def impossible_measurement(page: Any) -> None:
    _fill(page, {"Value": "a lot"})
    _submit(page, "Save")


def end_before_start(page: Any) -> None:
    _fill(page, {"End date": "1999-01-01"})
    _submit(page, "Save")


def dose_before_start(page: Any) -> None:
    _fill(page, {"Date the dose was given": "2024-01-01"})
    _submit(page, "Save")


# ---------------------------------------------------------------------------------------------------
# The pages. `path` may name seeded ids: {shared} (a child shared with the clinic), {private} (a
# newborn with nothing known yet), {treatment} (the shared child's ongoing treatment), {dose} (a dose of
# it), {lab_test} (a safety test), {assessment} (one of its measurements), {uid}/{token} (a password-reset
# link).


ANONYMOUS, PARENT, CLINICIAN = "anonymous", "parent", "clinician"
RECORD = "/records/{shared}"

PAGES = [
    Page("home", ANONYMOUS, "/", "Create an account"),
    Page("home-signed-in", PARENT, "/", "My records"),
    Page("privacy", ANONYMOUS, "/privacy/", "Who sees it"),
    Page("terms", ANONYMOUS, "/terms/", "Information, not a prescription"),
    Page("evaluate", ANONYMOUS, "/evaluate/", "Paste a patient record"),
    Page("evaluate-result", ANONYMOUS, "/evaluate/", "Treatment options", evaluate_example),
    Page("evaluate-problems", ANONYMOUS, "/evaluate/", "not valid JSON", evaluate_broken_json, 422),
    Page("triage", ANONYMOUS, "/triage/", "could it be SMA?"),
    Page("triage-result", ANONYMOUS, "/triage/", "What to do", triage_answers),
    Page("triage-emergency", ANONYMOUS, "/triage/", "Call 999", triage_red_flag("UK")),
    Page(
        "triage-emergency-every-region",
        ANONYMOUS,
        "/triage/",
        "Call the emergency number of the country you are in",
        triage_red_flag(None),
    ),
    Page(
        "triage-problems",
        ANONYMOUS,
        "/triage/",
        "Age in years",
        submit_empty("See what the answers suggest"),
        422,
    ),
    Page("sources", ANONYMOUS, "/sources/", "Medical information last reviewed on"),
    Page("services", ANONYMOUS, "/services/", "Find care and services near you"),
    Page(
        "services-results",
        ANONYMOUS,
        "/services/?near=Philadelphia&discipline=gene_therapy_infusion",
        "SAMPLE Delaware Valley SMA Clinic",
    ),
    Page("services-unknown-place", ANONYMOUS, "/services/?near=Philadelfia", "Did you mean"),
    Page("services-problems", ANONYMOUS, "/services/?near=&radius_km=100", "This field is required"),
    Page("trials", ANONYMOUS, "/trials/", "Clinical trials that may fit"),
    Page("trials-results", ANONYMOUS, "/trials/", "Demonstration study B", trials_answers),
    Page("trials-problems", ANONYMOUS, "/trials/", "Date of birth", trials_impossible_answers),
    Page("login", ANONYMOUS, "/accounts/login/", "Forgotten your password?"),
    Page("login-problems", ANONYMOUS, "/accounts/login/", "Please check these answers", wrong_password),
    Page("signup", ANONYMOUS, "/accounts/signup/", "Create a family account"),
    Page(
        "signup-problems",
        ANONYMOUS,
        "/accounts/signup/",
        "Tick the box to accept",
        submit_empty("Send me the link"),
        422,
    ),
    Page("signup-sent", ANONYMOUS, "/accounts/signup/sent/", "Check your email"),
    Page("signup-confirm", ANONYMOUS, "/accounts/signup/confirm/{signup}/", "Finish your account"),
    Page(
        "signup-confirm-problems",
        ANONYMOUS,
        "/accounts/signup/confirm/{signup}/",
        "This field is required",
        submit_empty("Create account"),
        422,
    ),
    Page("signup-link-refused", ANONYMOUS, "/accounts/signup/confirm/made-up/", "has expired", status=400),
    Page("password-reset", ANONYMOUS, "/accounts/password-reset/", "Reset your password"),
    Page(
        "password-reset-problems",
        ANONYMOUS,
        "/accounts/password-reset/",
        "Enter a valid email address",
        not_an_email,
    ),
    Page("password-reset-sent", ANONYMOUS, "/accounts/password-reset/sent/", "Check your email"),
    Page("password-reset-new", ANONYMOUS, "/accounts/password-reset/{uid}/{token}/", "Save the new password"),
    Page(
        "password-reset-new-problems",
        ANONYMOUS,
        "/accounts/password-reset/{uid}/{token}/",
        "didn’t match",
        different_new_passwords,
    ),
    Page(
        "password-reset-expired",
        ANONYMOUS,
        "/accounts/password-reset/{uid}/expired-token/",
        "has already been used",
    ),
    Page("password-reset-done", ANONYMOUS, "/accounts/password-reset/done/", "Password changed"),
    Page("not-found", ANONYMOUS, "/no-such-page/", "Page not found", status=404),
    Page("two-factor", "unverified", "/accounts/two-factor/", "Enter the 6-digit code"),
    Page("two-factor-problems", "unverified", "/accounts/two-factor/", "That code is not right", wrong_code),
    Page("two-factor-set-up", "new_staff", "/accounts/two-factor/", "Set-up link"),
    Page("records", PARENT, "/records/", "Shared with"),
    Page("record-add", PARENT, "/records/add/", "The genetic test result"),
    Page(
        "record-add-problems",
        PARENT,
        "/records/add/",
        "Enter the date of birth",
        submit_empty("Save and see what it means"),
        422,
    ),
    Page("carers", PARENT, RECORD + "/carers/", "Invite a carer"),
    Page(
        "carers-problems",
        PARENT,
        RECORD + "/carers/",
        "Invite a carer",
        submit_empty("Send the invitation"),
        422,
    ),
    Page("carer-accept", PARENT, "/carers/accept/{carer}/", "Accept the invitation"),
    Page("carer-wrong-account", "reviewer", "/carers/accept/{carer}/", "Log in with the invited", status=403),
    Page("account", PARENT, "/accounts/", "Change my password"),
    Page("account-staff", CLINICIAN, "/accounts/", "Two-factor recovery codes"),
    Page("password-change", PARENT, "/accounts/password/", "Change my password"),
    Page(
        "password-change-problems",
        PARENT,
        "/accounts/password/",
        "This field is required",
        submit_empty("Change the password"),
        422,
    ),
    Page("email-change", PARENT, "/accounts/email/", "We send a link to the new address"),
    Page(
        "email-change-problems",
        PARENT,
        "/accounts/email/",
        "This field is required",
        submit_empty("Send the link"),
        422,
    ),
    Page("email-link-refused", PARENT, "/accounts/email/confirm/made-up/", "has expired", status=400),
    Page("reminders", PARENT, "/accounts/reminders/", "How many days before"),
    Page("reminders-problems", PARENT, "/accounts/reminders/", "must be at least 1", no_days_before, 422),
    Page("account-delete", PARENT, "/accounts/delete/", "What will be deleted"),
    Page(
        "account-delete-problems",
        PARENT,
        "/accounts/delete/",
        "Enter your password to delete your account",
        submit_empty("Delete my account and these records"),
        422,
    ),
    Page("account-delete-staff", CLINICIAN, "/accounts/delete/", "ended by an administrator", status=403),
    Page("recovery-codes", CLINICIAN, "/accounts/recovery-codes/", "a recovery code lets you log in"),
    Page(
        "recovery-codes-made",
        "coordinator",
        "/accounts/recovery-codes/",
        "Your new recovery codes",
        submit_empty("Make my recovery codes"),
    ),
    Page("record-new", PARENT, "/records/new/", "Whose record is this?"),
    Page("record-new-problems", PARENT, "/records/new/", "must be a whole number", impossible_record, 422),
    Page("record", PARENT, RECORD + "/", "What needs attention now"),
    Page("record-section-open", PARENT, RECORD + "/?open=care-plan", "Where this comes from: Care plan"),
    Page("record-clinician-view", PARENT, RECORD + "/?view=clinician", "What needs attention now"),
    Page("record-other-region", PARENT, RECORD + "/?region=EU", "Treatment options in European Union"),
    Page(
        "record-needs-information", PARENT, "/records/{private}/?open=diagnosis", "No genetic result recorded"
    ),
    Page("record-edit", PARENT, RECORD + "/edit/", "Edit the record of Ada"),
    Page("record-edit-problems", PARENT, RECORD + "/edit/", "must be a whole number", impossible_record, 422),
    Page("measurement-new", PARENT, RECORD + "/assessments/new/", "Date of the measurement"),
    Page(
        "measurement-new-problems", PARENT, RECORD + "/assessments/new/", "Value", impossible_measurement, 422
    ),
    Page("measurement-remove", PARENT, RECORD + "/assessments/{assessment}/delete/", "Remove a measurement"),
    Page("treatment-new", PARENT, RECORD + "/treatments/new/", "Start date"),
    Page(
        "treatment-new-problems", PARENT, RECORD + "/treatments/new/", "Start date", submit_empty("Save"), 422
    ),
    Page("treatment-end", PARENT, RECORD + "/treatments/{treatment}/end/", "End a treatment"),
    Page(
        "treatment-end-problems",
        PARENT,
        RECORD + "/treatments/{treatment}/end/",
        "End date",
        end_before_start,
        422,
    ),
    Page("treatment-regimen", PARENT, RECORD + "/treatments/{treatment}/regimen/", "Record the regimen"),
    Page("dose-new", PARENT, RECORD + "/treatments/{treatment}/doses/new/", "Date the dose was given"),
    Page(
        "dose-new-problems",
        PARENT,
        RECORD + "/treatments/{treatment}/doses/new/",
        "must be on or after the day the treatment started",
        dose_before_start,
        422,
    ),
    Page("dose-remove", PARENT, RECORD + "/doses/{dose}/delete/", "Remove a dose"),
    Page("lab-tests-new", PARENT, RECORD + "/lab-tests/new/", "Tests done that day"),
    Page(
        "lab-tests-new-problems",
        PARENT,
        RECORD + "/lab-tests/new/",
        "Choose at least one test",
        submit_empty("Save"),
        422,
    ),
    Page("lab-test-remove", PARENT, RECORD + "/lab-tests/{lab_test}/delete/", "Remove a safety test"),
    Page("history", PARENT, RECORD + "/history/", "Who opened or changed the record"),
    Page("version", PARENT, RECORD + "/history/1/", "The whole record as it was"),
    Page("sharing", PARENT, RECORD + "/sharing/", "Invite a clinic"),
    Page("consent", PARENT, RECORD + "/consent/", "Each use of this record needs its own consent"),
    Page(
        "consent-given",
        PARENT,
        RECORD + "/consent/",
        "Consent given: Use in research.",
        submit_empty("I agree: Use in research"),
    ),
    Page("registry", PARENT, RECORD + "/registry/", "Tell us what you know"),
    Page(
        "registry-problems",
        PARENT,
        RECORD + "/registry/",
        "Age at the first signs, in months: enter a number.",
        registry_empty_first_signs,
        422,
    ),
    Page("my-data", PARENT, "/my-data/", "What the download holds"),
    Page("clinician-home", CLINICIAN, "/records/", "Worklist of Northside"),
    Page("worklist", CLINICIAN, "/clinic/", "Worklist of Northside"),
    Page(
        "worklist-filtered",
        CLINICIAN,
        "/clinic/?q=Ad&urgency=routine&overdue=1&sort=name",
        "No patients match",
    ),
    Page("record-as-clinician", CLINICIAN, RECORD + "/", "Acknowledge"),
    Page(
        "alert-acknowledge",
        CLINICIAN,
        RECORD + "/alerts/{alert}/acknowledge/",
        "Acknowledging says that you have seen this alert",
    ),
    Page("api-tokens", CLINICIAN, "/accounts/tokens/", "Revoke Clinic records system"),
    Page(
        "api-tokens-problems", CLINICIAN, "/accounts/tokens/", "Your tokens", submit_empty("Create a token")
    ),
    Page("worklist-coordinator", "coordinator", "/clinic/", "Worklist of Northside"),
    Page("audit-log", "coordinator", "/clinic/audit/", "evaluation page"),
    Page("registry-dashboard", "coordinator", "/registry/dashboard/", "Data completeness per clinic"),
    Page(
        "registry-dashboard-researcher", "researcher", "/registry/dashboard/", "People in the research cohort"
    ),
    Page("account-researcher", "researcher", "/accounts/", "Two-factor recovery codes"),
    Page(
        "audit-log-filtered", "coordinator", "/clinic/audit/?record=Ada&since=2020-01-01", "evaluation page"
    ),
    Page(
        "two-factor-administrator",
        "unverified_administrator",
        "/accounts/two-factor/",
        "Enter the 6-digit code",
    ),
    Page("clinics", "administrator", "/accounts/clinics/", "another administrator must confirm it"),
    Page("clinics-second-administrator", "second_administrator", "/accounts/clinics/", "Confirm newstaff"),
    Page(
        "clinics-problems",
        "administrator",
        "/accounts/clinics/",
        "Add a clinic",
        submit_empty("Add the clinic"),
        422,
    ),
]


# Every article of the library, as a visitor reads it (one is signed off by the test reviewer in `_seed`).
ARTICLE_SLUGS = sorted(
    path.stem for path in (Path(__file__).resolve().parents[2] / "content" / "articles").glob("*.md")
)
REVIEWED_ARTICLE = "breathing-support"
PAGES += [
    Page("library", ANONYMOUS, "/library/", "Articles about living with SMA"),
    Page("library-search", ANONYMOUS, "/library/", " found", library_search("carrier")),
    Page("library-search-nothing", ANONYMOUS, "/library/?q=zebra", "No article matches"),
    Page(
        "library-topic", ANONYMOUS, "/library/?topic=breathing&audience=families", "Breathing support in SMA"
    ),
    Page("library-problems", ANONYMOUS, "/library/?audience=robots", "Select a valid choice", status=422),
    *(
        Page(
            f"library-article-{slug}",
            ANONYMOUS,
            f"/library/{slug}/",
            "Last reviewed by Test Reviewer" if slug == REVIEWED_ARTICLE else "No physician has reviewed",
        )
        for slug in ARTICLE_SLUGS
    ),
    Page("library-review-queue", "reviewer", "/library/review/", "Articles to review"),
    Page(
        "library-review-article",
        "reviewer",
        "/library/review/sma-treatments-and-care/",
        "Sign off this version",
    ),
    Page(
        "library-review-article-problems",
        "reviewer",
        "/library/review/sma-treatments-and-care/",
        "Tick the box",
        sign_off_unconfirmed,
        422,
    ),
]


PAGES += community_member_pages.pages(Page)
NOT_PAGES.update(community_member_pages.NOT_PAGES)


# The people whose pages must read without developer strings, and the pages made for developers (the
# paste-a-record tool answers in the contract's terms on purpose; the record's "Clinician detail" view
# adds the rule ids a clinician asked for).
PAGES += COMMUNITY_PAGES
PAGES += NOTICE_PAGES
FAMILY_PERSONAS = {ANONYMOUS, PARENT, *COMMUNITY_FAMILY_PERSONAS}
DEVELOPER_PAGES = {"evaluate", "evaluate-result", "evaluate-problems", "record-clinician-view"}
SOURCE_KEYS = sorted(load_knowledge().sources)


class _AnyId(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "1"


def test_every_route_is_visited_or_excluded() -> None:
    routes = url_routes()
    visited = {resolve(urlsplit(p.path.format_map(_AnyId())).path).route for p in PAGES if p.status != 404}
    forgotten = sorted(
        route
        for route in routes - visited - NOT_PAGES.keys()
        if not any(route.startswith(prefix) for prefix in NOT_PAGE_PREFIXES)
    )
    assert not forgotten, "routes that no page case visits and NOT_PAGES does not exclude: " + ", ".join(
        forgotten
    )
    stale = sorted(NOT_PAGES.keys() - routes)
    assert not stale, "NOT_PAGES names routes that no longer exist: " + ", ".join(stale)
    both = sorted(NOT_PAGES.keys() & visited)
    assert not both, "routes both visited and excluded (drop the exclusion): " + ", ".join(both)


# ---------------------------------------------------------------------------------------------------
# One live server, one set of people and records, one signed-in browser context per persona.


@dataclass
class World:
    site: str
    ids: dict[str, str]
    sessions: dict[str, str] = field(default_factory=dict)  # persona: session cookie


def _carer_link_token(people: Any) -> str:
    """The token of an invitation to the parent's private child, sent to the parent's own address (the
    accept page is shown before anything is accepted)."""
    invitation = carer_invite(
        author=people.parent,
        patient_id=people.private_child.pk,
        email=people.parent.email,
        accept_url="http://testserver/carers/accept/",
    )
    return link_token(LinkPurpose.CARER_INVITATION, {"invitation": invitation.pk, "email": invitation.email})


def _seed() -> tuple[dict[str, str], dict[str, str]]:
    people = make_personas()
    treatment = treatment_record(
        author=people.parent,
        patient_id=people.shared_child.pk,
        therapy="nusinersen",
        start_date=dt.date(2024, 5, 1),
        end_date=None,
        as_of=AS_OF,
    )
    assert isinstance(treatment, Treatment)
    dose = dose_record(
        author=people.parent,
        patient_id=people.shared_child.pk,
        treatment_id=treatment.pk,
        date=dt.date(2026, 10, 1),
        amount_mg=12,
        given_by="Northside Neuromuscular Clinic",
        as_of=AS_OF,
    )
    assert dose is not None
    (lab_test,) = lab_tests_record(
        author=people.parent,
        patient_id=people.shared_child.pk,
        date=dt.date(2026, 9, 30),
        tests=["urine_protein"],
        as_of=AS_OF,
    )
    api_token_create(user=people.clinician, name="Clinic records system")
    audit_record(
        actor=people.clinician,
        clinic=people.clinic,
        patient_id=people.shared_child.pk,
        action=AuditAction.VIEW,
        what="evaluation page",
    )
    new_staff = user_create(username="newstaff", email="newstaff@example.org", password=PASSWORD)
    staff_add(
        requested_by=people.administrator, user=new_staff, clinic=people.clinic, role=StaffRole.CLINICIAN
    )
    Place.objects.create(
        geonameid=4560349,
        name="Philadelphia",
        key=name_key("Philadelphia"),
        country_code="US",
        admin1="PA",
        latitude=39.95233,
        longitude=-75.16379,
        population=1603797,
    )
    call_command("directory_demo_load", stdout=StringIO())
    reviewer = make_user("test_reviewer", second_factor=True)
    reviewer_grant(username="test_reviewer", display_name="Test Reviewer", credentials="MD (test account)")
    library = catalogue.current()
    article_sign_off(
        user=reviewer,
        catalogue=library,
        slug=REVIEWED_ARTICLE,
        version_digest=library.articles[REVIEWED_ARTICLE].source.digest,
        note="A test sign-off.",
        today=AS_OF,
    )
    # An HFMSE fall of 6 points within the rule's window gives the shared child an alert, as the live
    # server evaluates it today (the summary shows it; the acknowledgement page acknowledges it).
    today = dt.date.today()
    for days_ago, value in ((200, 34), (20, 28)):
        assessment_record(
            author=people.parent,
            patient_id=people.shared_child.pk,
            date=today - dt.timedelta(days=days_ago),
            instrument="HFMSE",
            value=value,
            as_of=today,
        )
    result = evaluate_patient(people.shared_child, as_of=dt.date.today()).result
    assert result is not None and result.alerts, (
        "the shared child needs an alert for the acknowledgement page"
    )
    community_ids, community_users = community_seed()
    # The outsider is never signed in here, so nothing changes their last log-in and the link stays valid.
    ids = {
        **community_member_pages.seed_members(people),
        "shared": str(people.shared_child.pk),
        "private": str(people.private_child.pk),
        "treatment": str(treatment.pk),
        "dose": str(dose.pk),
        "lab_test": str(lab_test.pk),
        "assessment": str(people.shared_child.assessments.order_by("pk").values_list("pk", flat=True)[0]),
        "uid": urlsafe_base64_encode(force_bytes(people.outsider.pk)),
        "token": default_token_generator.make_token(people.outsider),
        "alert": alert_fingerprint(result.alerts[0]),
        "signup": link_token(
            LinkPurpose.SIGNUP,
            {"email": "new@example.org", "privacy": "x", "terms": "x", "accepted_at": "2026-12-07T00:00:00"},
        ),
        "carer": _carer_link_token(people),
        **community_ids,
        **notices_seed(),
    }
    signed_in = {
        "parent": (people.parent, True),
        "clinician": (people.clinician, True),
        "coordinator": (people.coordinator, True),
        "researcher": (people.researcher, True),
        "administrator": (people.administrator, True),
        "second_administrator": (people.second_administrator, True),
        "unverified_administrator": (people.administrator, False),
        "unverified": (people.other_clinician, False),
        "new_staff": (new_staff, True),
        "reviewer": (reviewer, True),
        **{persona: (user, True) for persona, user in community_users.items()},
    }
    sessions = {
        persona: log_in(Client(), user, verified=verified).cookies["sessionid"].value
        for persona, (user, verified) in signed_in.items()
    }
    return ids, sessions


def _test_database_ready() -> Callable[[], None] | None:
    """Make sure the world is made in a test database, never in the one the settings name.

    pytest-django sets up a test database only for a run with tests that ask for one (a `django_db`
    mark, `db`, `live_server`); run alone, this module's tests ask for none. On SQLite the settings then
    name the test process's own file (tests/settings.py), which is migrated here; on PostgreSQL a test
    database is made here, and the function answered drops it at the end."""
    if connection.vendor == "sqlite":
        call_command("migrate", interactive=False, verbosity=0)
        return None
    named = str(connection.settings_dict["NAME"])
    if named.startswith("test_"):
        return None
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    return lambda: connection.creation.destroy_test_db(named, verbosity=0)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    # Made once and committed (the live server's threads, each with its own connection, must see them),
    # instead of once for each of the module's sixty pages; the database is emptied at the end, as a
    # transactional test leaves it. The tests hold no transaction of their own (no `django_db` mark: on
    # SQLite its BEGIN IMMEDIATE would keep the write lock from the server for the whole test), so what a
    # page writes (an audit event, a failed log-in) stays until the end; no page depends on what another
    # wrote. The database stays open to the server's threads until then.
    with (
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        django_db_blocker.unblock(),
    ):
        drop_own_database = _test_database_ready()
        try:
            ids, sessions = _seed()
            server = LiveServer("localhost")
            try:
                yield World(site=server.url, ids=ids, sessions=sessions)
            finally:
                server.stop()
        finally:
            call_command("flush", interactive=False, verbosity=0)
            if drop_own_database is not None:
                drop_own_database()


@pytest.fixture(scope="module")
def context_for(
    browser: Any, browser_context_args: dict[str, Any], world: World
) -> Iterator[Callable[[str], Any]]:
    made: dict[str, Any] = {}

    def get(persona: str) -> Any:
        if persona not in made:
            context = browser.new_context(**browser_context_args)
            if persona in world.sessions:
                context.add_cookies(
                    [{"name": "sessionid", "value": world.sessions[persona], "url": world.site}]
                )
            made[persona] = context
        return made[persona]

    yield get
    for context in made.values():
        context.close()


@pytest.mark.parametrize("case", PAGES, ids=[case.id for case in PAGES])
def test_page_passes_the_accessibility_checks(
    case: Page, world: World, context_for: Callable[[str], Any], screenshot: Callable[[Any, str], Path]
) -> None:
    page = context_for(case.persona).new_page()
    errors: list[str] = []
    statuses: list[int] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "response",
        lambda response: (
            statuses.append(response.status)
            if response.request.is_navigation_request() and response.frame == page.main_frame
            else None
        ),
    )
    try:
        page.goto(world.site + case.path.format_map(world.ids))
        if case.act is not None:
            case.act(page)
        assert statuses[-1] == case.status, f"{page.url} answered {statuses[-1]}, not {case.status}"
        main = page.locator("main").inner_text()
        assert case.shows in main, f"{page.url} does not show {case.shows!r}"
        if case.id.endswith("-problems"):
            assert page.locator("main .field-error, main .notice--error").count(), (
                f"{page.url}: no problems shown"
            )
        screenshot(page, f"every-page-{case.id}")
        problems = page_problems(page, world.site)
        # Chromium logs every 4xx document as an error; a page that answers 422 or 404 on purpose is not one.
        expected = f"status of {case.status}"
        problems += [f"browser error: {e}" for e in errors if case.status < 400 or expected not in e]
        # Reflow (WCAG 1.4.10): at a phone's width nothing but a wide table's own box scrolls sideways.
        page.set_viewport_size({"width": PHONE_WIDTH_PX, "height": 640})
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > PHONE_WIDTH_PX:
            # Name what sticks out (a table's own scrolling box may be wider inside, not itself).
            culprits = page.evaluate(
                """(limit) => [...document.querySelectorAll('body *')]
                    .filter((e) => (!e.closest('.table-scroll') || e.classList.contains('table-scroll'))
                        && e.getBoundingClientRect().right > limit + 1)
                    .slice(0, 4)
                    .map((e) => `${e.tagName}.${e.className}: ${(e.innerText || '').slice(0, 40)}`)""",
                PHONE_WIDTH_PX,
            )
            problems.append(f"the page is {width} px wide at a {PHONE_WIDTH_PX} px viewport: {culprits}")
        if case.persona in FAMILY_PERSONAS and case.id not in DEVELOPER_PAGES:
            # Families read every page: no field paths, codes, flags, source keys or Python reprs.
            problems += developer_string_problems(main, SOURCE_KEYS)
        assert not problems, f"{case.id} ({page.url}):\n" + "\n".join(problems)
    finally:
        page.close()
