"""Staff and administrator powers: who may confirm what (grants.py), `createsuperuser` with the first
administrator of an installation and every later one, and demo data that only loads in debug.
"""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.web.personas import PASSWORD, TOTP_KEY, Personas, log_in, people_fixture  # noqa: F401

from smanav.accounts.grants import (
    GrantRefused,
    administrator_confirm,
    administrator_refuse,
    administrator_request,
    staff_add,
    staff_confirm,
    staff_confirm_demo,
    staff_refuse,
)
from smanav.accounts.models import AdministratorGrant, StaffMembership, StaffRole
from smanav.accounts.roles import Role, role_of
from smanav.accounts.services import user_create
from smanav.audit.models import AccountAction, AccountEvent

SITE = "http://testserver"


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _createsuperuser(username: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    out = StringIO()
    call_command(
        "createsuperuser", interactive=False, username=username, email=f"{username}@example.org", stdout=out
    )
    user = get_user_model().objects.get(username=username)
    user.__dict__["_command_output"] = out.getvalue()
    return user


def _fresh(user: Any) -> Any:
    """The account as the next request will load it (no answer cached on an older object)."""
    return get_user_model().objects.get(pk=user.pk)


# --- the first administrator and every later one ----------------------------------------------------------


@pytest.mark.django_db
def test_createsuperuser_on_a_fresh_install_makes_the_first_administrator_who_sets_up_totp_at_first_login(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    root = _createsuperuser("root", monkeypatch)
    assert "first administrator" in root.__dict__["_command_output"]
    assert AdministratorGrant.objects.get(user=root).is_confirmed
    assert list(AccountEvent.objects.filter(subject=root).order_by("id").values_list("action", "actor")) == [
        (AccountAction.ADMIN_REQUESTED, None),
        (AccountAction.ADMIN_FIRST, None),
    ]
    client = Client()
    client.post(reverse("accounts:login"), {"username": "root", "password": PASSWORD})
    response = client.get(reverse("accounts:clinics"))
    assert response["Location"].startswith(reverse("accounts:two_factor"))
    assert client.get(reverse("accounts:two_factor")).context["setting_up"]
    device = TOTPDevice.objects.get(user=root, confirmed=False)
    client.post(reverse("accounts:two_factor"), {"token": _code(device)})
    assert client.get(reverse("accounts:clinics")).status_code == 200


@pytest.mark.django_db
def test_createsuperuser_once_an_administrator_exists_waits_for_another_administrator(
    people: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    late = _createsuperuser("late_admin", monkeypatch)
    assert "waits for another administrator" in late.__dict__["_command_output"]
    grant = AdministratorGrant.objects.get(user=late)
    assert not grant.is_confirmed
    assert late.is_superuser  # Django's flag is set, and gives nothing in smanav
    TOTPDevice.objects.create(user=late, name="app", confirmed=True, key=TOTP_KEY)
    client = log_in(Client(), late)
    assert client.get(reverse("accounts:clinics")).status_code == 404
    assert role_of(_fresh(late)) is Role.FAMILY
    # Another administrator confirms it on the clinics page.
    admin = log_in(Client(), people.administrator)
    assert "Confirm late_admin" in admin.get(reverse("accounts:clinics")).content.decode()
    admin.post(reverse("accounts:administrator_decide", args=[grant.pk]), {"decision": "confirm"})
    grant.refresh_from_db()
    assert grant.confirmed_by == people.administrator
    assert client.get(reverse("accounts:clinics")).status_code == 200
    assert AccountEvent.objects.filter(
        action=AccountAction.ADMIN_CONFIRMED, subject=late, actor=people.administrator
    ).exists()


@pytest.mark.django_db
def test_a_superuser_flag_set_by_hand_gives_nothing_but_needs_a_second_factor(people: Personas) -> None:
    sneaky = user_create(username="sneaky", email="sneaky@example.org", password=PASSWORD)
    sneaky.is_superuser = sneaky.is_staff = True
    sneaky.save()
    unverified = log_in(Client(), sneaky)
    assert unverified.get(reverse("patients:dashboard"))["Location"].startswith(
        reverse("accounts:two_factor")
    )
    TOTPDevice.objects.create(user=sneaky, name="app", confirmed=True, key=TOTP_KEY)
    assert log_in(Client(), sneaky).get(reverse("accounts:clinics")).status_code == 404


@pytest.mark.django_db
def test_refusing_an_administrator_takes_away_the_superuser_flag(people: Personas) -> None:
    grant = AdministratorGrant.objects.get(user=people.pending_administrator)
    administrator_refuse(actor=people.second_administrator, grant=grant)
    refused = _fresh(people.pending_administrator)
    assert not refused.is_superuser
    assert not refused.is_staff
    assert not AdministratorGrant.objects.filter(user=refused).exists()
    assert AccountEvent.objects.filter(action=AccountAction.ADMIN_REFUSED, subject=refused).exists()


# --- who may decide -------------------------------------------------------------------------------------


DECIDERS = [
    # (who tries to confirm the clinician that `administrator` asked for, why it is refused or None)
    ("second_administrator", None),
    ("administrator", "another administrator must confirm"),
    ("pending_administrator", "Only an administrator"),
    ("clinician", "Only an administrator"),
    ("parent", "Only an administrator"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("decider", "refusal"), DECIDERS)
def test_who_may_confirm_a_staff_account(people: Personas, decider: str, refusal: str | None) -> None:
    membership = StaffMembership.objects.get(user=people.pending_clinician)
    actor = _fresh(people.by_role(decider))
    if refusal is None:
        staff_confirm(actor=actor, membership=membership, site=SITE)
        assert StaffMembership.objects.get(pk=membership.pk).is_confirmed
        return
    with pytest.raises(GrantRefused, match=refusal):
        staff_confirm(actor=actor, membership=membership, site=SITE)
    assert not StaffMembership.objects.get(pk=membership.pk).is_confirmed
    assert not AccountEvent.objects.filter(action=AccountAction.STAFF_CONFIRMED, subject=membership.user)


@pytest.mark.django_db
def test_nobody_confirms_powers_for_their_own_account(people: Personas) -> None:
    membership = staff_add(
        requested_by=people.administrator,
        user=people.second_administrator,
        clinic=people.clinic,
        role=StaffRole.CLINICIAN,
    )
    with pytest.raises(GrantRefused, match="their own account"):
        staff_confirm(actor=people.second_administrator, membership=membership, site=SITE)


@pytest.mark.django_db
def test_the_single_administrator_setting_does_not_let_an_account_confirm_itself(
    people: Personas, settings: Any
) -> None:
    settings.SMANAV_SINGLE_ADMIN = True
    membership = staff_add(
        requested_by=people.administrator,
        user=people.administrator,
        clinic=people.clinic,
        role=StaffRole.CLINICIAN,
    )
    with pytest.raises(GrantRefused, match="their own account"):
        staff_confirm(actor=people.administrator, membership=membership, site=SITE)


@pytest.mark.django_db
def test_a_confirmed_grant_is_not_confirmed_or_refused_again(people: Personas) -> None:
    membership = StaffMembership.objects.get(user=people.clinician)
    with pytest.raises(GrantRefused, match="confirmed already"):
        staff_confirm(actor=people.second_administrator, membership=membership, site=SITE)
    with pytest.raises(GrantRefused, match="confirmed already"):
        staff_refuse(actor=people.second_administrator, membership=membership)
    grant = AdministratorGrant.objects.get(user=people.second_administrator)
    with pytest.raises(GrantRefused, match="confirmed already"):
        administrator_confirm(actor=people.administrator, grant=grant)


@pytest.mark.django_db
def test_an_account_is_asked_for_once(people: Personas) -> None:
    with pytest.raises(GrantRefused, match="team already"):
        staff_add(
            requested_by=people.administrator,
            user=people.clinician,
            clinic=people.other_clinic,
            role=StaffRole.COORDINATOR,
        )
    with pytest.raises(GrantRefused, match="administrator already"):
        administrator_request(requested_by=people.administrator, user=people.second_administrator)
    assert StaffMembership.objects.get(user=people.clinician).clinic == people.clinic


@pytest.mark.django_db
def test_a_web_request_for_an_administrator_waits_even_when_none_is_confirmed(db: None) -> None:
    """Only the command line makes the first administrator; a request made by an account never does."""
    asker = user_create(username="asker", email="asker@example.org", password=PASSWORD)
    other = user_create(username="other", email="other@example.org", password=PASSWORD)
    grant = administrator_request(requested_by=asker, user=other)
    assert not grant.is_confirmed
    assert not _fresh(other).is_superuser


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["staff_decide", "administrator_decide"])
def test_decisions_answer_post_only(people: Personas, path: str) -> None:
    grant_id = (
        StaffMembership.objects.get(user=people.pending_clinician).pk
        if path == "staff_decide"
        else AdministratorGrant.objects.get(user=people.pending_administrator).pk
    )
    client = log_in(Client(), people.second_administrator)
    assert client.get(reverse(f"accounts:{path}", args=[grant_id])).status_code == 405


# --- demo data ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_staff_are_confirmed_only_in_debug(people: Personas, settings: Any) -> None:
    membership = StaffMembership.objects.get(user=people.pending_clinician)
    with pytest.raises(GrantRefused, match="debug"):
        staff_confirm_demo(membership=membership)
    with pytest.raises(CommandError, match="SMANAV_DEBUG=1"):
        call_command("demo_load", stdout=StringIO())
    settings.DEBUG = True
    staff_confirm_demo(membership=membership)
    [event] = AccountEvent.objects.filter(action=AccountAction.STAFF_CONFIRMED, subject=membership.user)
    assert event.actor is None
    assert "demo data" in event.what


@pytest.mark.django_db
def test_demo_load_in_debug_gives_the_documented_logins(settings: Any) -> None:
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("demo_load", stdout=StringIO())
    client = Client()
    client.post(reverse("accounts:login"), {"username": "clinician", "password": "sma-demo-2026!"})
    device = TOTPDevice.objects.get(user__username="clinician")
    client.post(reverse("accounts:two_factor"), {"token": _code(device)})
    assert client.get(reverse("patients:worklist")).status_code == 200
    # The demo researcher, with the same published key: the research cohort's dashboard, no worklist.
    researcher = Client()
    researcher.post(reverse("accounts:login"), {"username": "researcher", "password": "sma-demo-2026!"})
    device = TOTPDevice.objects.get(user__username="researcher")
    researcher.post(reverse("accounts:two_factor"), {"token": _code(device)})
    assert (
        "Research cohort dashboard" in researcher.get(reverse("registry:cohort_dashboard")).content.decode()
    )
    assert researcher.get(reverse("patients:worklist")).status_code == 404
