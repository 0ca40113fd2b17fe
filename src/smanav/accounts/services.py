"""The one write path for accounts, clinics, second factors and API tokens. Staff and administrator
powers have their own: grants.py."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from smanav.accounts.links import LinkPurpose, link_token
from smanav.accounts.models import ApiToken, Clinic, PolicyAcceptance, ReminderPreference, User
from smanav.accounts.policies import PRIVACY_VERSION, TERMS_VERSION
from smanav.audit.models import AccountAction
from smanav.audit.services import audit_account

TOKEN_PREFIX_LENGTH = 8


@transaction.atomic
def user_create(*, username: str, email: str, password: str | None, first_name: str = "") -> User:
    """A family account (clinic staff are family accounts plus a confirmed `StaffMembership`,
    grants.py)."""
    return User.objects.create_user(username=username, email=email, password=password, first_name=first_name)


@transaction.atomic
def clinic_create(*, name: str, slug: str, region: str = "") -> Clinic:
    return Clinic.objects.create(name=name, slug=slug, region=region)


@transaction.atomic
def totp_device_create(*, user: User, confirmed: bool = False, key: str | None = None) -> TOTPDevice:
    """A new authenticator-app device. Unconfirmed devices are replaced until one is confirmed; one made
    confirmed (demo data and tests, with a known key) is audited as a set-up on the command line."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice(user=user, name="authenticator app", confirmed=confirmed)
    if key is not None:
        device.key = key
    device.save()
    if confirmed:
        audit_account(
            actor=None,
            subject=user,
            action=AccountAction.SECOND_FACTOR,
            what="a key given on the command line",
        )
    return device


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice) -> None:
    """The user proved the new device with a code: it becomes their second factor (audited)."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_account(actor=device.user, subject=device.user, action=AccountAction.SECOND_FACTOR)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new bearer token: answers the row and the token itself, which is never stored or shown again."""
    token = "smn_" + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(
        user=user, name=name, prefix=token[:TOKEN_PREFIX_LENGTH], digest=_digest(token)
    )
    return row, token


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])


def api_token_authenticate(*, token: str) -> User | None:
    """The user a bearer token belongs to, if it is known and not revoked."""
    row = (
        ApiToken.objects.select_related("user").filter(digest=_digest(token), revoked_at__isnull=True).first()
    )
    if row is None or not row.user.is_active:
        return None
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row.user


@transaction.atomic
def password_reset_record(*, user: User) -> None:
    """A password was chosen with an emailed link: audited, and the owner is told at the account's
    address, so that a reset they did not make does not go unnoticed."""
    audit_account(actor=user, subject=user, action=AccountAction.PASSWORD_RESET)
    context = {"user": user}
    send_mail(
        subject=render_to_string("accounts/password_changed_subject.txt", context).strip(),
        message=render_to_string("accounts/password_changed_email.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


def _send(*, template: str, to: str, context: dict[str, object]) -> None:
    """One email from `accounts/<template>_subject.txt` and `_email.txt`."""
    send_mail(
        subject=render_to_string(f"accounts/{template}_subject.txt", context).strip(),
        message=render_to_string(f"accounts/{template}_email.txt", context),
        from_email=None,
        recipient_list=[to],
    )


def email_in_use(email: str, *, other_than: User | None = None) -> bool:
    users = User.objects.filter(email__iexact=email.strip())
    if other_than is not None:
        users = users.exclude(pk=other_than.pk)
    return users.exists()


def signup_request(*, email: str, confirm_url: str) -> None:
    """Someone asked for an account at `email` and accepted the privacy notice and terms (now).

    The answer on the page is the same either way; what differs is the email: a new address gets a link
    to finish (`confirm_url` with a signed token appended), a known one is told it has an account
    already and how to log in or reset the password. So the page reveals nothing about who has an
    account here."""
    email = email.strip()
    if email_in_use(email):
        _send(template="signup_known", to=email, context={})
        return
    token = link_token(
        LinkPurpose.SIGNUP,
        {
            "email": email,
            "privacy": PRIVACY_VERSION,
            "terms": TERMS_VERSION,
            "accepted_at": timezone.now().isoformat(),
        },
    )
    _send(template="signup_confirm", to=email, context={"url": confirm_url + token + "/"})


class LinkUsed(Exception):
    """The link did what it was made for already (or what it was for no longer holds)."""


@transaction.atomic
def signup_complete(*, payload: Mapping[str, object], username: str, password: str) -> User:
    """Create the family account a confirmed sign-up link asked for, with the versions of the privacy
    notice and terms accepted and when (audited). A second use of the link is refused (`LinkUsed`)."""
    email = str(payload["email"])
    if email_in_use(email):
        raise LinkUsed(email)
    user = user_create(username=username, email=email, password=password)
    PolicyAcceptance.objects.create(
        user=user,
        privacy_version=str(payload["privacy"]),
        terms_version=str(payload["terms"]),
        accepted_at=dt.datetime.fromisoformat(str(payload["accepted_at"])),
    )
    audit_account(actor=user, subject=user, action=AccountAction.ACCOUNT_CREATED)
    return user


@transaction.atomic
def password_change_record(*, user: User) -> None:
    """The signed-in owner changed their password: audited, and told at the account's address."""
    audit_account(actor=user, subject=user, action=AccountAction.PASSWORD_CHANGED)
    _send(template="password_changed_here", to=user.email, context={"user": user})


def email_change_request(*, user: User, new_email: str, confirm_url: str) -> None:
    """Send a link to the new address; the address changes only when it is opened (signed in as `user`).
    An address another account uses gets a note instead, so the page answers the same either way."""
    new_email = new_email.strip()
    if email_in_use(new_email, other_than=user):
        _send(template="email_change_taken", to=new_email, context={})
        return
    token = link_token(LinkPurpose.EMAIL_CHANGE, {"user": user.pk, "old": user.email, "new": new_email})
    _send(template="email_change_confirm", to=new_email, context={"url": confirm_url + token + "/"})


@transaction.atomic
def email_change_confirm(*, user: User, payload: Mapping[str, object]) -> None:
    """Apply a confirmed change of address (audited; the old address is told). Refused with `LinkUsed`
    when the link is for another account, the address changed since, or another account took it."""
    if payload.get("user") != user.pk or payload.get("old") != user.email:
        raise LinkUsed("not this account's link, or used already")
    new_email = str(payload["new"])
    if email_in_use(new_email, other_than=user):
        raise LinkUsed(new_email)
    old_email = user.email
    user.email = new_email
    user.save(update_fields=["email"])
    audit_account(actor=user, subject=user, action=AccountAction.EMAIL_CHANGED)
    if old_email:
        _send(template="email_changed", to=old_email, context={"user": user})


@transaction.atomic
def reminder_preference_set(
    *, user: User, enabled: bool, days_before: int, news_by_email: bool = False
) -> ReminderPreference:
    preference, _created = ReminderPreference.objects.update_or_create(
        user=user, defaults={"enabled": enabled, "days_before": days_before, "news_by_email": news_by_email}
    )
    return preference


def notice_preferences_set(
    *,
    user: User,
    due_email: bool,
    days_before: int,
    news_email: bool,
    news_on_site: bool,
    news_weekly: bool,
    news_details: bool,
) -> ReminderPreference:
    """Save how the account is told of what is due and of changes to its records (the notices page)."""
    preference, _created = ReminderPreference.objects.update_or_create(
        user=user,
        defaults={
            "enabled": due_email,
            "days_before": days_before,
            "news_by_email": news_email,
            "news_on_site": news_on_site,
            "news_weekly": news_weekly,
            "news_details": news_details,
        },
    )
    return preference


def reminder_preference_of(user: User) -> ReminderPreference:
    """The account's reminder settings (off, 7 days, when it never chose)."""
    return ReminderPreference.objects.filter(user=user).first() or ReminderPreference(user=user)
