"""Accounts: sign-up, log-in with throttling, Argon2, password reset by mail, TOTP for clinic staff,
API tokens."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.web.personas import PASSWORD, Personas, log_in, people_fixture  # noqa: F401

from smanav.accounts.models import ApiToken
from smanav.accounts.services import api_token_authenticate, api_token_create, api_token_revoke


def _current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


@pytest.mark.django_db
def test_signup_creates_a_family_account_with_an_argon2_password() -> None:
    client = Client()
    response = client.post(
        reverse("accounts:signup"),
        {"username": "newparent", "email": "new@example.org", "password": "a long enough passphrase"},
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="newparent")
    assert user.password.startswith("argon2$")
    assert client.get(reverse("patients:dashboard")).status_code == 200


@pytest.mark.django_db
def test_signup_rejects_a_weak_password_and_a_taken_username(people: Personas) -> None:
    response = Client().post(
        reverse("accounts:signup"), {"username": "parent", "email": "x@example.org", "password": "12345678"}
    )
    errors = response.context["form"].errors
    assert "username" in errors
    assert "password" in errors


@pytest.mark.django_db
def test_login_is_throttled_after_repeated_failures(people: Personas, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        client.post(reverse("accounts:login"), {"username": "parent", "password": "wrong password"})
    response = client.post(reverse("accounts:login"), {"username": "parent", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_and_logout(people: Personas) -> None:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "parent", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("patients:dashboard")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("patients:dashboard")).status_code == 302


@pytest.mark.django_db
def test_password_reset_mails_a_working_link(people: Personas) -> None:
    client = Client()
    client.post(reverse("accounts:password_reset"), {"email": "parent@example.org"})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path
    response = client.post(
        form_url, {"new_password1": "brand new passphrase 1", "new_password2": "brand new passphrase 1"}
    )
    assert response.status_code == 302
    login = Client().post(
        reverse("accounts:login"), {"username": "parent", "password": "brand new passphrase 1"}
    )
    assert login.status_code == 302


@pytest.mark.django_db
def test_clinician_must_pass_totp_before_patient_pages(people: Personas) -> None:
    client = log_in(Client(), people.clinician, verified=False)
    url = reverse("patients:detail", args=[people.shared_child.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor"))
    device = TOTPDevice.objects.get(user=people.clinician)
    wrong = client.post(reverse("accounts:two_factor"), {"token": "000000", "next": url})
    assert wrong.status_code == 200
    assert "not right" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp makes a device wait after a wrong code
    response = client.post(reverse("accounts:two_factor"), {"token": _current_code(device), "next": url})
    assert response.status_code == 302
    assert response["Location"] == url
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_new_staff_member_sets_up_an_authenticator_first(people: Personas) -> None:
    TOTPDevice.objects.filter(user=people.clinician).delete()
    client = log_in(Client(), people.clinician, verified=False)
    page = client.get(reverse("accounts:two_factor"))
    assert page.context["setting_up"]
    device = TOTPDevice.objects.get(user=people.clinician, confirmed=False)
    client.post(reverse("accounts:two_factor"), {"token": _current_code(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("patients:worklist")).status_code == 200


@pytest.mark.django_db
def test_api_tokens_are_stored_hashed_and_can_be_revoked(people: Personas) -> None:
    row, token = api_token_create(user=people.clinician, name="EHR bridge")
    assert token not in row.digest
    assert api_token_authenticate(token=token) == people.clinician
    api_token_revoke(token=row)
    assert api_token_authenticate(token=token) is None
    assert api_token_authenticate(token="smn_unknown") is None


@pytest.mark.django_db
def test_staff_create_a_token_on_the_tokens_page(people: Personas) -> None:
    client = log_in(Client(), people.clinician)
    response = client.post(reverse("accounts:api_tokens"), {"name": "lab system"})
    assert response.status_code == 200
    assert response.context["new_token"].startswith("smn_")
    assert ApiToken.objects.filter(user=people.clinician, name="lab system").exists()


@pytest.mark.django_db
def test_administrator_adds_a_clinic_and_a_staff_member_who_gets_a_set_password_link(
    people: Personas,
) -> None:
    client = log_in(Client(), people.administrator)
    response = client.post(
        reverse("accounts:clinics"),
        {
            "add_clinic": "1",
            "clinic-name": "Eastside Clinic",
            "clinic-slug": "eastside",
            "clinic-region": "UK",
        },
    )
    assert response.status_code == 302
    from smanav.accounts.models import Clinic, StaffMembership

    clinic = Clinic.objects.get(slug="eastside")
    assert clinic.region == "UK"
    page = client.get(reverse("accounts:clinics")).content.decode()
    # Regions by name, in the list and in the form (the codes are only the values sent).
    assert "<td>United Kingdom</td>" in page
    assert '<option value="UK">United Kingdom</option>' in page
    response = client.post(
        reverse("accounts:clinics"),
        {
            "add_staff": "1",
            "staff-username": "newdoc",
            "staff-email": "newdoc@example.org",
            "staff-clinic": clinic.pk,
            "staff-role": "clinician",
        },
    )
    assert response.status_code == 302
    membership = StaffMembership.objects.get(user__username="newdoc")
    assert membership.clinic == clinic
    assert len(mail.outbox) == 1
    assert "/accounts/password-reset/" in mail.outbox[0].body
