"""Every route of every app is classified for access, and each class is checked: a new route that nobody
classified fails `test_every_route_is_classified`.

* Record routes (every route with a `patient_id`, pages and API): nobody without a part in the record
  (a family with nothing shared, a clinician of another clinic, administrators, accounts waiting for
  confirmation, anonymous visitors) gets it or changes it, by GET or POST: 404 (405 for a method the
  route does not take; the log-in page or 401/403 for anonymous visitors), the child's name never in
  the answer, the record and everything attached to it unchanged. Who does get each record page is the
  matrix of `test_access_matrix.py`.
* Public routes: open to everyone; anonymous visitors get an answer (no 5xx) naming no record.
* Own-account routes: sign-in required; a signed-in family sees only its own things.
* Staff routes: clinic staff, coordinators, reviewers or administrators only; families get 404 or are
  sent away, with no record named.
* Researchers (ADR 0031): every route x a confirmed researcher past the second factor: the dashboard and
  its charts answer (on the research cohort), their own account's pages answer, "My records" sends them
  to the dashboard, every other signed-in page (own-account or staff) is "not found", record routes too.
* Community routes: `tests/web/community/test_access_matrix.py` classifies and checks each one (8 roles).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.apps import apps
from django.db.models import ForeignKey
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from tests.web.personas import Personas, log_in, people_fixture  # noqa: F401
from tests.web.shown import words_shown

from smanav.patients.models import Assessment, ClinicShare, Patient

PUBLIC = {
    "home",
    "evaluate",
    "privacy",
    "terms",
    "triage",
    "sources",
    "services",
    "trials",
    "library:index",
    "library:feed",
    "library:article",
    "library:newsletter",
    "library:newsletter_confirm",
    "library:newsletter_unsubscribe",
    "accounts:signup",
    "accounts:signup_sent",
    "accounts:signup_confirm",
    "accounts:login",
    "accounts:logout",
    "accounts:two_factor",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "family:carer_accept",
    "api-v1:api-root",
    "api-v1:openapi-json",
    "api-v1:schema",
    "api-v1:evaluate_record",
    "api-v1:triage_answers",
    "api-v1:search",
    "api-v1:complete",
    "api-v1:match",
}
OWN_ACCOUNT = {
    "accounts:account",
    "accounts:password_change",
    "accounts:email_change",
    "accounts:email_confirm",
    "accounts:reminders",
    "notices",
    "accounts:recovery_codes",
    "accounts:api_token_revoke",
    "family:start",
    "family:account_delete",
    "careplans:my_data",
    "careplans:my_data_download",
    "patients:dashboard",
    "patients:new",
    "api-v1:patient_list",
}
STAFF = {
    "patients:worklist",
    "audit:clinic_log",
    "accounts:api_tokens",
    "accounts:clinics",
    "accounts:staff_decide",
    "accounts:administrator_decide",
    "accounts:researcher_decide",
    "library:review_queue",
    "library:review_article",
    "registry:cohort_dashboard",
    "registry:trajectory_chart",
    "registry:survival_chart",
}
# Families and people without a part in the shared child's record.
NO_PART = [
    "anonymous",
    "outsider",
    "adult",
    "other_clinician",
    "administrator",
    "second_administrator",
    "pending_clinician",
    "pending_administrator",
    "researcher",
    "pending_researcher",
]
FAMILIES = ["outsider", "adult"]
NAMES = ("Ada",)


def _routes() -> dict[str, tuple[str, list[str]]]:
    """Every named route: name -> (pattern, the names of its arguments)."""
    found: dict[str, tuple[str, list[str]]] = {}

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace
                walk(entry.url_patterns, prefix + str(entry.pattern), inner or namespace)
            elif isinstance(entry, URLPattern) and entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                pattern = prefix + str(entry.pattern)
                found[name] = (pattern, re.findall(r"<(?:\w+:)?(\w+)>", pattern))

    walk(get_resolver().url_patterns, "", "")
    return found


ROUTES = _routes()
RECORD = sorted(name for name, (_, arguments) in ROUTES.items() if "patient_id" in arguments)


def _community(name: str) -> bool:
    return name.split(":", 1)[0] == "community"


def test_every_route_is_classified() -> None:
    classified = set(RECORD) | PUBLIC | OWN_ACCOUNT | STAFF
    missing = sorted(name for name in ROUTES if name not in classified and not _community(name))
    assert not missing, f"routes nobody classified for access (add them to a class here): {missing}"
    twice = (PUBLIC & OWN_ACCOUNT) | (PUBLIC & STAFF) | (OWN_ACCOUNT & STAFF) | (set(RECORD) & PUBLIC)
    assert not twice, f"routes in two classes: {sorted(twice)}"
    gone = sorted((PUBLIC | OWN_ACCOUNT | STAFF) - set(ROUTES))
    assert not gone, f"classified routes that no longer exist: {gone}"
    assert len(RECORD) > 30 and any(_community(name) for name in ROUTES)


def _client(people: Personas, role: str) -> Client:
    client = Client()
    return client if role == "anonymous" else log_in(client, people.by_role(role))


def _url(name: str, people: Personas) -> str:
    """The route's address, with the shared child's own objects where it names them."""
    child = people.shared_child
    weight = Assessment.objects.get(patient=child, instrument="WEIGHT_KG")
    share = ClinicShare.objects.get(patient=child, clinic=people.clinic)
    values: dict[str, Any] = {
        "patient_id": child.pk,
        "assessment_id": weight.pk,
        "share_id": share.pk,
        "guardian_id": people.parent.pk,
        "version": 1,
        "instrument": "WEIGHT_KG",
        "by": "treatment",
        "fingerprint": "0" * 16,
        "token": "x",
        "uidb64": "x",
        "slug": "x",
        "name": "x",
    }
    arguments = ROUTES[name][1]
    return reverse(name, kwargs={argument: values.get(argument, 1) for argument in arguments})


def _state(patient: Patient) -> list[Any]:
    """The record and every row that points at it, as values: any change by a request shows here."""
    state: list[Any] = [list(Patient.objects.filter(pk=patient.pk).values())]
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, ForeignKey) and field.related_model is Patient:
                rows = model._default_manager.filter(**{field.name: patient}).order_by("pk").values()
                state.append((model._meta.label, field.name, list(rows)))
    return state


@pytest.mark.django_db
@pytest.mark.parametrize("role", NO_PART)
def test_no_record_route_gives_or_changes_a_record_to_someone_without_a_part_in_it(
    people: Personas, role: str
) -> None:
    client = _client(people, role)
    before = _state(people.shared_child)
    allowed = {404, 405} | ({302, 401, 403} if role == "anonymous" else set())
    for name in RECORD:
        url = _url(name, people)
        for method in ("get", "post"):
            answer = getattr(client, method)(url)
            assert answer.status_code in allowed, (role, name, method, answer.status_code)
            if answer.status_code == 302:
                assert answer["Location"].startswith("/accounts/login/"), (role, name, answer["Location"])
            body = b"" if answer.streaming else answer.content
            assert not words_shown(body, NAMES), (role, name, method)
    assert _state(people.shared_child) == before, role


@pytest.mark.django_db
def test_public_routes_answer_anonymous_visitors_and_name_no_record(people: Personas) -> None:
    client = Client()
    for name in sorted(PUBLIC):
        answer = client.get(_url(name, people))
        assert answer.status_code < 500, (name, answer.status_code)
        body = b"" if answer.streaming else answer.content
        assert not words_shown(body, NAMES), name


@pytest.mark.django_db
def test_own_account_routes_need_a_sign_in_and_show_a_family_only_its_own(people: Personas) -> None:
    anonymous, outsider = Client(), _client(people, "outsider")
    for name in sorted(OWN_ACCOUNT):
        url = _url(name, people)
        answer = anonymous.get(url)
        assert answer.status_code in (302, 401, 403, 404), (name, answer.status_code)
        if answer.status_code == 302:
            assert answer["Location"].startswith("/accounts/login/"), (name, answer["Location"])
        answer = outsider.get(url)
        assert answer.status_code < 500, (name, answer.status_code)
        body = b"" if answer.streaming else answer.content
        assert not words_shown(body, NAMES), name


@pytest.mark.django_db
@pytest.mark.parametrize("role", FAMILIES)
def test_staff_routes_are_closed_to_families(people: Personas, role: str) -> None:
    client = _client(people, role)
    for name in sorted(STAFF):
        answer = client.get(_url(name, people))
        assert answer.status_code in (302, 403, 404, 405), (role, name, answer.status_code)
        if answer.status_code == 302:
            assert not answer["Location"].startswith(_url(name, people)), (role, name)
        body = b"" if answer.streaming else answer.content
        assert not words_shown(body, NAMES), (role, name)


# What a researcher gets on the routes that are not public and not a record's (ADR 0031).
RESEARCHER_ANSWERS = {
    "registry:cohort_dashboard": 200,
    "registry:trajectory_chart": 404,  # WEIGHT_KG has no trajectory chart; a real one: test_researcher.py
    "registry:survival_chart": 200,
    "accounts:account": 200,
    "accounts:password_change": 200,
    "accounts:email_change": 200,
    "accounts:recovery_codes": 200,
    "accounts:email_confirm": 400,  # a link that is not valid: refused in words, as for anyone
    "patients:dashboard": 302,  # on to the research cohort's dashboard
    "api-v1:patient_list": 200,  # the API's list: empty (below)
}


@pytest.mark.django_db
def test_a_researcher_gets_the_dashboard_and_their_account_and_nothing_else(people: Personas) -> None:
    client = _client(people, "researcher")
    for name in sorted(OWN_ACCOUNT | STAFF):
        url = _url(name, people)
        answer = client.get(url)
        expected = RESEARCHER_ANSWERS.get(name, 404)
        assert answer.status_code == expected, (name, answer.status_code)
        body = b"" if answer.streaming else answer.content
        assert not words_shown(body, NAMES), name
        if expected == 404:
            assert client.post(url).status_code in (404, 405), name
    assert client.get(_url("patients:dashboard", people))["Location"] == reverse("registry:cohort_dashboard")
    assert client.get(_url("api-v1:patient_list", people)).json()["count"] == 0
