"""Issue 14, part 4: no caching of anything that may hold health data, Permissions-Policy, HTTPS by
default outside debug (HSTS, redirect, secure cookies), and every list of patients audited like a
record read."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from tests.web.personas import Personas, log_in, people_fixture  # noqa: F401

from smanav.accounts.services import api_token_create
from smanav.audit.models import AuditAction, AuditEvent

REPO = Path(__file__).resolve().parents[2]
RECORD = json.dumps({"birth_date": "2020-03-01", "region": "US"})


def no_store(response: Any) -> bool:
    return "no-store" in response.get("Cache-Control", "") and "private" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("parent", "patients:dashboard"),
        ("parent", "shared_child"),
        ("clinician", "patients:worklist"),
        ("clinician", "shared_child"),
        ("parent", "careplans:my_data"),
    ],
)
def test_signed_in_pages_are_never_stored(people: Personas, role: str, path: str) -> None:
    client = log_in(Client(), people.by_role(role))
    url = (
        reverse("patients:detail", args=[people.shared_child.pk]) if path == "shared_child" else reverse(path)
    )
    response = client.get(url)
    assert response.status_code == 200
    assert no_store(response), response.get("Cache-Control")


def test_api_record_answers_are_never_stored(people: Personas) -> None:
    _, token = api_token_create(user=people.parent, name="headers")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    for path in (
        "/api/v1/patients",
        f"/api/v1/patients/{people.shared_child.pk}",
        f"/api/v1/patients/{people.shared_child.pk}/evaluation",
    ):
        response = Client().get(path, **auth)
        assert response.status_code == 200
        assert no_store(response), path


@pytest.mark.django_db
def test_a_record_sent_to_be_evaluated_is_never_stored() -> None:
    client = Client()
    api = client.post("/api/v1/evaluate", RECORD, content_type="application/json")
    page = client.post("/evaluate/", {"record": RECORD})
    triage = client.post("/api/v1/triage", json.dumps({"age_years": 3}), content_type="application/json")
    for response in (api, page, triage):
        assert response.status_code == 200
        assert no_store(response)


@pytest.mark.django_db
def test_every_answer_carries_a_permissions_policy() -> None:
    for path in ("/", "/api/v1/openapi.json", "/no-such-page/"):
        policy = Client().get(path)["Permissions-Policy"]
        assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy


def _settings_in_a_fresh_process(**env: str) -> dict[str, Any]:
    script = (
        "import json; from django.conf import settings as s; print(json.dumps([s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE]))"
    )
    started = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(REPO / "src"),
            "DJANGO_SETTINGS_MODULE": "smanav.settings",
            "SMANAV_SECRET_KEY": "k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP",
            **env,
        },
        timeout=120,
        check=False,
    )
    assert started.returncode == 0, started.stderr
    redirect, hsts, session_secure, csrf_secure = json.loads(started.stdout)
    return {"redirect": redirect, "hsts": hsts, "session": session_secure, "csrf": csrf_secure}


def test_outside_debug_https_is_on_by_default() -> None:
    assert _settings_in_a_fresh_process() == {
        "redirect": True,
        "hsts": 31536000,
        "session": True,
        "csrf": True,
    }


def test_in_debug_https_is_off_and_each_setting_can_be_turned_off() -> None:
    assert _settings_in_a_fresh_process(SMANAV_DEBUG="1") == {
        "redirect": False,
        "hsts": 0,
        "session": False,
        "csrf": False,
    }
    assert _settings_in_a_fresh_process(
        SMANAV_HTTPS_REDIRECT="0", SMANAV_HSTS_SECONDS="0", SMANAV_SECURE_COOKIES="0"
    ) == {"redirect": False, "hsts": 0, "session": False, "csrf": False}


@pytest.mark.django_db
def test_https_redirect_and_hsts_when_on(settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    plain = Client().get("/sources/")
    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")
    secure = Client().get("/sources/", secure=True)
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


def _list_reads(actor: Any) -> set[int]:
    return set(
        AuditEvent.objects.filter(
            actor=actor, action__in=[AuditAction.VIEW, AuditAction.API_READ]
        ).values_list("patient_id", flat=True)
    )


def test_every_list_of_patients_is_audited_like_a_record_read(people: Personas) -> None:
    parent = log_in(Client(), people.parent)
    assert parent.get(reverse("patients:dashboard")).status_code == 200
    assert _list_reads(people.parent) >= {people.shared_child.pk, people.private_child.pk}

    clinician = log_in(Client(), people.clinician)
    assert clinician.get(reverse("patients:worklist")).status_code == 200
    assert people.shared_child.pk in _list_reads(people.clinician)

    _, token = api_token_create(user=people.adult, name="list")
    assert Client().get("/api/v1/patients", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert people.adult_record.pk in _list_reads(people.adult)
