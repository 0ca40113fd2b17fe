"""Account basics (issue 10, part 6): change password, change email with a confirmed link, delete my
account and the records only I keep, a second carer by invitation, staff recovery codes, reminder
settings. Every flow with bad input and access from the wrong account; links expired or tampered."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from tests.web.personas import PASSWORD, Personas, log_in, people_fixture  # noqa: F401

from smanav.accounts.links import LinkPurpose, link_token
from smanav.accounts.models import ReminderPreference
from smanav.audit.models import AccountAction, AccountEvent, AuditAction, AuditEvent
from smanav.patients.models import CarerInvitation, Guardian, Patient

NEW_PASSWORD = "another long passphrase"


def _link(message: Any, marker: str) -> str:
    [line] = [line for line in message.body.splitlines() if marker in line]
    return line[line.index(marker) :].strip()


# Change password ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_change_password_needs_the_current_one_is_audited_and_told(people: Personas) -> None:
    client = log_in(Client(), people.parent)
    wrong = client.post(
        reverse("accounts:password_change"),
        {"old_password": "not it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 422
    assert "Your current password is not right" in wrong.content.decode()
    people.parent.refresh_from_db()
    assert people.parent.check_password(PASSWORD)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    people.parent.refresh_from_db()
    assert people.parent.check_password(NEW_PASSWORD)
    assert client.get(reverse("accounts:account")).status_code == 200  # still signed in
    assert AccountEvent.objects.filter(subject=people.parent, action=AccountAction.PASSWORD_CHANGED).exists()
    [note] = [m for m in mail.outbox if people.parent.email in m.to]
    assert "password" in note.subject.lower()


@pytest.mark.django_db
def test_change_password_refuses_different_new_passwords_in_words(people: Personas) -> None:
    response = log_in(Client(), people.parent).post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"},
    )
    assert response.status_code == 422
    assert "The two new passwords are not the same" in response.content.decode()


# Change email ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_change_email_is_confirmed_by_a_link_to_the_new_address(people: Personas) -> None:
    client = log_in(Client(), people.parent)
    response = client.post(
        reverse("accounts:email_change"), {"new_email": "parent.new@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    people.parent.refresh_from_db()
    assert people.parent.email == "parent@example.org"  # not before the link
    [message] = [m for m in mail.outbox if "parent.new@example.org" in m.to]
    link = _link(message, "/accounts/email/confirm/")
    # Another account cannot use the link.
    assert log_in(Client(), people.adult).get(link).status_code == 400
    assert client.get(link).status_code == 302
    people.parent.refresh_from_db()
    assert people.parent.email == "parent.new@example.org"
    assert AccountEvent.objects.filter(subject=people.parent, action=AccountAction.EMAIL_CHANGED).count() == 1
    assert any("parent@example.org" in m.to and "changed" in m.subject for m in mail.outbox)
    # Used once: a second use changes nothing.
    assert client.get(link).status_code == 400


@pytest.mark.django_db
def test_change_email_to_a_taken_address_answers_the_same_and_changes_nothing(people: Personas) -> None:
    client = log_in(Client(), people.parent)
    response = client.post(
        reverse("accounts:email_change"), {"new_email": people.adult.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    [message] = [m for m in mail.outbox if people.adult.email in m.to]
    assert "/accounts/email/confirm/" not in message.body
    people.parent.refresh_from_db()
    assert people.parent.email == "parent@example.org"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"new_email": "nope", "password": PASSWORD}, "New email address: Enter a valid email address."),
        ({"new_email": "x@example.org", "password": "wrong"}, "Your password: Your password is not right."),
        ({"new_email": "parent@example.org", "password": PASSWORD}, "This is the address you have now."),
    ],
)
def test_change_email_bad_input_is_named(people: Personas, data: dict[str, str], words: str) -> None:
    response = log_in(Client(), people.parent).post(reverse("accounts:email_change"), data)
    assert response.status_code == 422
    assert words in response.content.decode()
    assert mail.outbox == []


@pytest.mark.django_db
def test_tampered_and_expired_email_links_are_refused(people: Personas, settings: Any) -> None:
    client = log_in(Client(), people.parent)
    token = link_token(
        LinkPurpose.EMAIL_CHANGE,
        {"user": people.parent.pk, "old": "parent@example.org", "new": "z@example.org"},
    )
    assert client.get(reverse("accounts:email_confirm", args=[token + "x"])).status_code == 400
    signup_token = link_token(
        LinkPurpose.SIGNUP, {"user": people.parent.pk, "old": "parent@example.org", "new": "z@example.org"}
    )
    assert client.get(reverse("accounts:email_confirm", args=[signup_token])).status_code == 400
    people.parent.refresh_from_db()
    assert people.parent.email == "parent@example.org"


# Reminder settings ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reminder_settings_are_saved_and_bad_numbers_named(people: Personas) -> None:
    client = log_in(Client(), people.parent)
    assert (
        client.post(reverse("accounts:reminders"), {"enabled": "on", "days_before": "10"}).status_code == 302
    )
    preference = ReminderPreference.objects.get(user=people.parent)
    assert (preference.enabled, preference.days_before) == (True, 10)
    for value, words in (("0", "at least 1"), ("a week", "must be a whole number"), ("99", "60 or fewer")):
        response = client.post(reverse("accounts:reminders"), {"enabled": "on", "days_before": value})
        assert response.status_code == 422
        assert words in response.content.decode()
    preference.refresh_from_db()
    assert preference.days_before == 10


# Recovery codes -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_recovery_codes_are_shown_once_work_once_and_are_audited(people: Personas) -> None:
    client = log_in(Client(), people.clinician)
    page = client.post(reverse("accounts:recovery_codes"))
    codes = page.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert not any(code in client.get(reverse("accounts:recovery_codes")).content.decode() for code in codes)
    assert AccountEvent.objects.filter(subject=people.clinician, action=AccountAction.RECOVERY_CODES).exists()

    fresh = log_in(Client(), people.clinician, verified=False)
    response = fresh.post(reverse("accounts:two_factor"), {"token": codes[0], "next": "/clinic/"})
    assert response.status_code == 302 and response["Location"] == "/clinic/"
    assert DEVICE_ID_SESSION_KEY in fresh.session
    assert AccountEvent.objects.filter(
        subject=people.clinician, action=AccountAction.RECOVERY_CODE_USED
    ).exists()
    again = log_in(Client(), people.clinician, verified=False)
    assert again.post(reverse("accounts:two_factor"), {"token": codes[0]}).status_code == 200  # used up
    assert DEVICE_ID_SESSION_KEY not in again.session

    # New codes replace the old ones.
    new_codes = client.post(reverse("accounts:recovery_codes")).context["codes"]
    assert StaticToken.objects.filter(device__user=people.clinician).count() == 10
    last = log_in(Client(), people.clinician, verified=False)
    last.post(reverse("accounts:two_factor"), {"token": codes[1]})
    assert DEVICE_ID_SESSION_KEY not in last.session
    assert set(new_codes).isdisjoint(codes)


@pytest.mark.django_db
def test_recovery_codes_are_for_staff_only_and_not_a_way_around_set_up(people: Personas) -> None:
    family = log_in(Client(), people.parent)
    assert family.post(reverse("accounts:recovery_codes")).status_code == 302
    assert not StaticToken.objects.filter(device__user=people.parent).exists()


# Second carer ---------------------------------------------------------------------------------------


def _invite(client: Client, patient: Patient, email: str) -> str:
    response = client.post(reverse("family:carers", args=[patient.pk]), {"email": email})
    assert response.status_code == 302
    [message] = [m for m in mail.outbox if email in m.to]
    assert "Ada" not in message.subject and "SMA" not in message.subject.replace("smanav", "")
    return _link(message, "/carers/accept/")


@pytest.mark.django_db
def test_a_second_carer_accepts_by_link_and_the_owner_can_remove_them(people: Personas) -> None:
    owner = log_in(Client(), people.parent)
    link = _invite(owner, people.shared_child, people.outsider.email)
    assert AuditEvent.objects.filter(
        patient_id=people.shared_child.pk, action=AuditAction.CARER_INVITED
    ).exists()
    carer = log_in(Client(), people.outsider)
    assert carer.get(reverse("patients:detail", args=[people.shared_child.pk])).status_code == 404
    assert carer.get(link).status_code == 200  # asks to confirm; nothing yet
    assert not Guardian.objects.filter(patient=people.shared_child, user=people.outsider).exists()
    response = carer.post(link)
    assert response["Location"] == reverse("patients:detail", args=[people.shared_child.pk])
    assert carer.get(response["Location"]).status_code == 200
    assert AuditEvent.objects.filter(
        patient_id=people.shared_child.pk, action=AuditAction.CARER_ADDED
    ).exists()
    # Used once.
    assert carer.post(link).status_code == 400

    guardian = Guardian.objects.get(patient=people.shared_child, user=people.outsider)
    # The invited carer cannot remove the parent who invited them...
    parent_row = Guardian.objects.get(patient=people.shared_child, user=people.parent)
    assert (
        carer.post(reverse("family:carer_remove", args=[people.shared_child.pk, parent_row.pk])).status_code
        == 404
    )
    # ...but the parent can remove the carer.
    owner.post(reverse("family:carer_remove", args=[people.shared_child.pk, guardian.pk]))
    assert not Guardian.objects.filter(pk=guardian.pk).exists()
    assert carer.get(reverse("patients:detail", args=[people.shared_child.pk])).status_code == 404
    assert AuditEvent.objects.filter(
        patient_id=people.shared_child.pk, action=AuditAction.CARER_REMOVED, what="carer removed"
    ).exists()


@pytest.mark.django_db
def test_an_invitation_opens_only_for_the_invited_address_and_not_after_withdrawal(people: Personas) -> None:
    owner = log_in(Client(), people.parent)
    link = _invite(owner, people.shared_child, "someone@example.org")
    wrong = log_in(Client(), people.adult)
    assert wrong.get(link).status_code == 403
    assert wrong.post(link).status_code == 403
    assert not Guardian.objects.filter(patient=people.shared_child, user=people.adult).exists()
    invitation = CarerInvitation.objects.get(email="someone@example.org")
    owner.post(reverse("family:carer_invitation_withdraw", args=[people.shared_child.pk, invitation.pk]))
    newcomer = get_user_model().objects.create_user(
        username="someone", email="someone@example.org", password="x"
    )
    assert log_in(Client(), newcomer).post(link).status_code == 400
    assert not Guardian.objects.filter(patient=people.shared_child, user=newcomer).exists()
    # A tampered link is refused.
    assert log_in(Client(), newcomer).get(link[:-3] + "xx/").status_code == 400


@pytest.mark.django_db
def test_one_family_cannot_invite_to_or_remove_from_another_s_record(people: Personas) -> None:
    outsider = log_in(Client(), people.outsider)
    page = outsider.post(reverse("family:carers", args=[people.shared_child.pk]), {"email": "me@example.org"})
    assert page.status_code == 404
    assert mail.outbox == []
    parent_row = Guardian.objects.get(patient=people.shared_child, user=people.parent)
    assert (
        outsider.post(
            reverse("family:carer_remove", args=[people.shared_child.pk, parent_row.pk])
        ).status_code
        == 404
    )
    assert Guardian.objects.filter(pk=parent_row.pk).exists()
    # A clinician of a clinic the record is shared with sees the record but does not manage its carers.
    clinician = log_in(Client(), people.clinician)
    assert clinician.get(reverse("family:carers", args=[people.shared_child.pk])).status_code == 404


@pytest.mark.django_db
def test_inviting_with_a_bad_address_is_named(people: Personas) -> None:
    response = log_in(Client(), people.parent).post(
        reverse("family:carers", args=[people.shared_child.pk]), {"email": "not an address"}
    )
    assert response.status_code == 422
    assert "Their email address: Enter a valid email address." in response.content.decode()
    assert not CarerInvitation.objects.exists()


# Delete my account ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_delete_my_account_says_what_goes_and_what_stays_and_asks_for_the_password(people: Personas) -> None:
    owner = log_in(Client(), people.parent)
    link = _invite(owner, people.shared_child, people.outsider.email)
    log_in(Client(), people.outsider).post(link)
    page = owner.get(reverse("family:account_delete")).content.decode()
    assert 'href="/my-data/"' in page
    assert "The record of Ben, with all its measurements" in page  # only the parent keeps Ben
    assert "The record of Ada: another carer keeps it" in page

    wrong = owner.post(reverse("family:account_delete"), {"password": "nope"})
    assert wrong.status_code == 422
    assert "Your password is not right. Nothing was deleted." in wrong.content.decode()
    assert get_user_model().objects.filter(pk=people.parent.pk).exists()

    ben, ada = people.private_child.pk, people.shared_child.pk
    response = owner.post(reverse("family:account_delete"), {"password": PASSWORD})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=people.parent.pk).exists()
    assert not Patient.objects.filter(pk=ben).exists()
    assert Patient.objects.filter(pk=ada).exists()
    assert list(Guardian.objects.filter(patient_id=ada).values_list("user__username", flat=True)) == [
        "outsider"
    ]
    assert AuditEvent.objects.filter(patient_id=ben, action=AuditAction.DELETE, actor_label="parent").exists()
    assert AuditEvent.objects.filter(
        patient_id=ada, action=AuditAction.CARER_REMOVED, actor_label="parent"
    ).exists()
    assert AccountEvent.objects.filter(subject_label="parent", action=AccountAction.ACCOUNT_DELETED).exists()
    assert owner.get(reverse("patients:dashboard")).status_code == 302  # signed out


@pytest.mark.django_db
def test_staff_cannot_delete_their_account_here(people: Personas) -> None:
    client = log_in(Client(), people.clinician)
    assert client.post(reverse("family:account_delete"), {"password": PASSWORD}).status_code == 403
    assert get_user_model().objects.filter(pk=people.clinician.pk).exists()


@pytest.mark.django_db
def test_the_account_page_links_to_every_setting(people: Personas) -> None:
    html = log_in(Client(), people.parent).get(reverse("accounts:account")).content.decode()
    for name in (
        "accounts:password_change",
        "accounts:email_change",
        "accounts:reminders",
        "family:account_delete",
    ):
        assert f'href="{reverse(name)}"' in html
    assert 'href="/my-data/"' in html
    assert reverse("accounts:recovery_codes") not in html
    staff = log_in(Client(), people.clinician).get(reverse("accounts:account")).content.decode()
    assert reverse("accounts:recovery_codes") in staff
    assert reverse("family:account_delete") not in staff
