"""Two-factor recovery codes for staff and administrators: django-otp's static device.

Ten single-use codes, shown once when made; making new ones replaces the old. A code stands in for the
authenticator app at log-in when the phone is lost. Making them and using one are audited.
"""

from __future__ import annotations

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from smanav.accounts.models import User
from smanav.audit.models import AccountAction
from smanav.audit.services import audit_account

RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "recovery codes"


@transaction.atomic
def recovery_codes_create(*, user: User) -> list[str]:
    """Ten new codes for `user`, replacing any earlier ones (audited). The codes are answered once,
    to be shown once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    audit_account(actor=user, subject=user, action=AccountAction.RECOVERY_CODES)
    return codes


def recovery_codes_left(*, user: User) -> int:
    left: int = StaticToken.objects.filter(device__user=user).count()
    return left


@transaction.atomic
def recovery_code_use(*, user: User, code: str) -> StaticDevice | None:
    """The device, if `code` is one of the user's unused recovery codes (it is used up, and audited);
    otherwise None. Wrong codes are throttled like the authenticator app's."""
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is None or not device.verify_token(code.strip().lower().replace(" ", "")):
        return None
    audit_account(
        actor=user,
        subject=user,
        action=AccountAction.RECOVERY_CODE_USED,
        what=f"{recovery_codes_left(user=user)} left",
    )
    return device
