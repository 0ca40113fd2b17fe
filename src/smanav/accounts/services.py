"""The one write path for accounts, clinics, second factors and API tokens. Staff and administrator
powers have their own: grants.py."""

from __future__ import annotations

import hashlib
import secrets

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from smanav.accounts.models import ApiToken, Clinic, User
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
