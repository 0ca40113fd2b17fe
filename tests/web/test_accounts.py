"""Accounts: sign-up, log-in with throttling, Argon2, password reset by mail, TOTP for staff and
administrators, API tokens, and staff accounts that one administrator asks for and another confirms.

The last part replays, step by step, the takeover found in issue 14 ("an administrator account needs
only a password, and from it one can create a clinician, take the set-password link, enrol a second
factor and read every shared record, with no audit of the account's creation"): one test per step, each
showing that the step no longer works.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.web.personas import PASSWORD, TOTP_KEY, Personas, log_in, people_fixture  # noqa: F401

from smanav.accounts.models import ApiToken, Clinic, StaffMembership
from smanav.accounts.services import api_token_authenticate, api_token_create, api_token_revoke
from smanav.audit.models import AccountAction, AccountEvent


def _current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _signup_link(client: Client, email: str) -> str:
    """Ask for an account at `email` and answer the path of the link in the email sent."""
    response = client.post(reverse("accounts:signup"), {"email": email, "accept": "on"})
    assert response.status_code == 302
    [message] = [m for m in mail.outbox if email in m.to]
    [line] = [line for line in message.body.splitlines() if "/accounts/signup/confirm/" in line]
    return line[line.index("/accounts/") :].strip()


@pytest.mark.django_db
def test_signup_creates_a_family_account_with_an_argon2_password() -> None:
    client = Client()
    link = _signup_link(client, "new@example.org")
    assert get_user_model().objects.filter(email="new@example.org").count() == 0  # nothing before the link
    response = client.post(link, {"username": "newparent", "password": "a long enough passphrase"})
    assert response.status_code == 302
    assert response["Location"] == reverse("family:start")
    user = get_user_model().objects.get(username="newparent")
    assert user.email == "new@example.org"
    assert user.password.startswith("argon2$")
    assert client.get(reverse("patients:dashboard")).status_code == 200
    assert AccountEvent.objects.filter(subject=user, action=AccountAction.ACCOUNT_CREATED).exists()


@pytest.mark.django_db
def test_signup_rejects_a_weak_password_and_a_taken_username(people: Personas) -> None:
    client = Client()
    link = _signup_link(client, "x@example.org")
    response = client.post(link, {"username": "parent", "password": "12345678"})
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["username"] == ["This user name is taken. Please choose another."]
    assert "password" in errors
    assert not get_user_model().objects.filter(email="x@example.org").exists()


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


def _mailed_link(message: Any) -> str:
    """The path of the one link in a mail (the test server's host dropped)."""
    link = next(line for line in message.body.splitlines() if "/password-reset/" in line)
    return link.split("testserver", 1)[1]


def _choose_password(client: Client, path: str, password: str) -> Any:
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def _ask_for_staff(client: Client, clinic: Clinic, username: str = "newdoc", **fields: str) -> Any:
    data = {
        "add_staff": "1",
        "staff-username": username,
        "staff-email": f"{username}@example.org",
        "staff-clinic": str(clinic.pk),
        "staff-role": "clinician",
    }
    data.update({f"staff-{name}": value for name, value in fields.items()})
    return client.post(reverse("accounts:clinics"), data)


def _decide(client: Client, membership: StaffMembership, decision: str) -> Any:
    return client.post(reverse("accounts:staff_decide", args=[membership.pk]), {"decision": decision})


def _events(action: AccountAction, subject: Any) -> list[AccountEvent]:
    return list(AccountEvent.objects.filter(action=action, subject=subject))


# --- the takeover of issue 14, one step at a time ---------------------------------------------------------


@pytest.mark.django_db
def test_step_1_an_administrator_needs_a_second_factor_not_only_a_password(people: Personas) -> None:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "admin", "password": PASSWORD})
    assert response.status_code == 302
    for page in ("accounts:clinics", "patients:dashboard"):
        response = client.get(reverse(page))
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("accounts:two_factor")), page
    # Nothing can be asked for either: the form's POST is guarded like the page.
    assert _ask_for_staff(client, people.clinic).status_code == 302
    assert not StaffMembership.objects.filter(user__username="newdoc").exists()


@pytest.mark.django_db
def test_step_2_a_clinician_asked_for_by_one_administrator_has_no_powers_and_is_audited(
    people: Personas,
) -> None:
    client = log_in(Client(), people.administrator)
    response = _ask_for_staff(client, people.clinic)
    assert response.status_code == 302
    newdoc = get_user_model().objects.get(username="newdoc")
    membership = StaffMembership.objects.get(user=newdoc)
    assert not membership.is_confirmed
    assert membership.requested_by == people.administrator
    [asked] = _events(AccountAction.STAFF_REQUESTED, newdoc)
    assert asked.actor == people.administrator
    assert asked.clinic == people.clinic
    # Even signed in with a second factor, the account is only a family account.
    totp = TOTPDevice.objects.create(user=newdoc, name="app", confirmed=True, key=TOTP_KEY)
    assert totp.confirmed
    staff = log_in(Client(), newdoc)
    assert staff.get(reverse("patients:worklist")).status_code == 404
    assert staff.get(reverse("patients:detail", args=[people.shared_child.pk])).status_code == 404


@pytest.mark.django_db
def test_step_3_no_set_password_link_reaches_a_staff_account_before_another_administrator_confirms(
    people: Personas,
) -> None:
    client = log_in(Client(), people.administrator)
    _ask_for_staff(client, people.clinic, email="attacker@example.org")
    assert mail.outbox == []
    # The public reset form sends nothing either: the waiting account has no usable password.
    Client().post(reverse("accounts:password_reset"), {"email": "attacker@example.org"})
    assert mail.outbox == []
    # The administrator who asked cannot confirm it.
    membership = StaffMembership.objects.get(user__username="newdoc")
    response = _decide(client, membership, "confirm")
    assert response.status_code == 302
    membership.refresh_from_db()
    assert not membership.is_confirmed
    assert mail.outbox == []
    assert "another administrator must confirm" in client.get(reverse("accounts:clinics")).content.decode()
    assert not _events(AccountAction.STAFF_CONFIRMED, membership.user)


@pytest.mark.django_db
def test_step_4_a_second_factor_set_up_on_a_waiting_account_gives_no_staff_powers(
    people: Personas,
) -> None:
    waiting = people.pending_clinician
    TOTPDevice.objects.filter(user=waiting).delete()
    client = log_in(Client(), waiting, verified=False)
    client.get(reverse("accounts:two_factor"))
    device = TOTPDevice.objects.get(user=waiting, confirmed=False)
    client.post(reverse("accounts:two_factor"), {"token": _current_code(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert AccountEvent.objects.filter(action=AccountAction.SECOND_FACTOR, subject=waiting, actor=waiting)
    assert client.get(reverse("patients:worklist")).status_code == 404
    assert client.get(reverse("accounts:api_tokens")).status_code == 302


@pytest.mark.django_db
def test_step_5_a_waiting_account_reads_no_shared_record(people: Personas) -> None:
    client = log_in(Client(), people.pending_clinician)
    for patient in (people.shared_child, people.private_child, people.adult_record):
        assert client.get(reverse("patients:detail", args=[patient.pk])).status_code == 404
    assert client.get("/api/v1/patients").json()["items"] == []


@pytest.mark.django_db
def test_a_second_administrator_confirms_and_only_then_the_link_goes_to_the_address_they_saw(
    people: Personas,
) -> None:
    _ask_for_staff(log_in(Client(), people.administrator), people.clinic)
    membership = StaffMembership.objects.get(user__username="newdoc")
    second = log_in(Client(), people.second_administrator)
    page = second.get(reverse("accounts:clinics")).content.decode()
    assert "newdoc@example.org" in page
    assert "Confirm newdoc" in page
    response = _decide(second, membership, "confirm")
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.is_confirmed
    assert membership.confirmed_by == people.second_administrator
    # One mail, to the new account only, and its link is for that account.
    [message] = mail.outbox
    assert message.to == ["newdoc@example.org"]
    newdoc = membership.user
    actions = list(
        AccountEvent.objects.filter(subject=newdoc).order_by("id").values_list("action", "actor__username")
    )
    assert actions == [
        ("staff_requested", "admin"),
        ("staff_confirmed", "second_admin"),
        ("link_sent", "second_admin"),
    ]
    # The new clinician chooses a password, sets up an authenticator and works.
    client = Client()
    assert _choose_password(client, _mailed_link(message), "a brand new passphrase").status_code == 302
    assert _events(AccountAction.PASSWORD_RESET, newdoc)
    client.post(reverse("accounts:login"), {"username": "newdoc", "password": "a brand new passphrase"})
    assert client.get(reverse("accounts:two_factor")).context["setting_up"]
    device = TOTPDevice.objects.get(user=newdoc, confirmed=False)
    client.post(reverse("accounts:two_factor"), {"token": _current_code(device)})
    assert client.get(reverse("patients:worklist")).status_code == 200
    assert client.get(reverse("patients:detail", args=[people.shared_child.pk])).status_code == 200


@pytest.mark.django_db
def test_a_refused_staff_account_keeps_no_membership_and_gets_no_link(people: Personas) -> None:
    _ask_for_staff(log_in(Client(), people.administrator), people.clinic)
    membership = StaffMembership.objects.get(user__username="newdoc")
    _decide(log_in(Client(), people.second_administrator), membership, "refuse")
    assert not StaffMembership.objects.filter(pk=membership.pk).exists()
    assert mail.outbox == []
    assert _events(AccountAction.STAFF_REFUSED, membership.user)[0].actor == people.second_administrator


@pytest.mark.django_db
def test_single_administrator_setting_lets_the_requester_confirm_and_marks_it(
    people: Personas, settings: Any
) -> None:
    settings.SMANAV_SINGLE_ADMIN = True
    client = log_in(Client(), people.administrator)
    assert "single administrator" in client.get(reverse("accounts:clinics")).content.decode()
    _ask_for_staff(client, people.clinic)
    membership = StaffMembership.objects.get(user__username="newdoc")
    _decide(client, membership, "confirm")
    membership.refresh_from_db()
    assert membership.confirmed_by == people.administrator
    [confirmed] = _events(AccountAction.STAFF_CONFIRMED, membership.user)
    assert confirmed.single_admin
    assert (
        "under the single-administrator setting" in client.get(reverse("accounts:clinics")).content.decode()
    )
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_new_staff_account_cannot_take_an_existing_accounts_email_address(people: Personas) -> None:
    """A reset asked for an address reaches every account with it: a second account on a clinician's
    address would put the clinician's reset link in the same inbox as the new one."""
    response = _ask_for_staff(
        log_in(Client(), people.administrator), people.clinic, email="Clinician@example.org"
    )
    assert response.status_code == 422
    assert "Another account uses this email address" in response.content.decode()
    assert not get_user_model().objects.filter(username="newdoc").exists()


@pytest.mark.django_db
def test_a_staff_password_reset_keeps_the_second_factor_and_tells_the_owner(people: Personas) -> None:
    """Whoever gets a staff member's reset link gets the password, not the account: the authenticator
    stays the staff member's, and they are told by mail; the audit trail has it."""
    client = Client()
    client.post(reverse("accounts:password_reset"), {"email": "clinician@example.org"})
    [link] = mail.outbox
    assert _choose_password(client, _mailed_link(link), "taken over passphrase").status_code == 302
    notice = mail.outbox[-1]
    assert notice.to == ["clinician@example.org"]
    assert "was just changed" in notice.body
    assert _events(AccountAction.PASSWORD_RESET, people.clinician)
    client.post(reverse("accounts:login"), {"username": "clinician", "password": "taken over passphrase"})
    page = client.get(reverse("accounts:two_factor"))
    assert not page.context["setting_up"]  # the existing authenticator's code is asked for
    assert TOTPDevice.objects.filter(user=people.clinician).count() == 1
    response = client.get(reverse("patients:worklist"))
    assert response["Location"].startswith(reverse("accounts:two_factor"))


@pytest.mark.django_db
def test_administrator_adds_a_clinic(people: Personas) -> None:
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
    clinic = Clinic.objects.get(slug="eastside")
    assert clinic.region == "UK"
    page = client.get(reverse("accounts:clinics")).content.decode()
    # Regions by name, in the list and in the form (the codes are only the values sent).
    assert "<td>United Kingdom</td>" in page
    assert '<option value="UK">United Kingdom</option>' in page
