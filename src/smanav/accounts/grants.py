"""The one write path for staff, researcher and administrator powers: ask, confirm, refuse, remove.

One administrator asks; another confirms. Until then the membership or grant exists, is shown to every
administrator and in the audit trail, and gives nothing: no clinic records, no administration, and for a
new staff account no password (so no set-password or reset link can reach anyone). On confirmation the
account gets a password it does not know and one set-password link, mailed to the address the
confirming administrator saw. A one-clinic install may set SMANAV_SINGLE_ADMIN=1, which lets the
requester confirm alone; each such confirmation is marked in the audit trail.

The very first administrator has nobody to confirm them: `createsuperuser` on the server's command line
while no confirmed administrator exists makes one at once (and says so in the audit trail). Whoever can
run commands on the server can change the database anyway; what this module closes is the web path, a
single stolen or rogue administrator account.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from smanav.accounts.models import (
    AdministratorGrant,
    Clinic,
    Grant,
    ResearcherGrant,
    StaffMembership,
    StaffRole,
    User,
)
from smanav.audit.models import AccountAction
from smanav.audit.services import audit_account


class GrantRefused(Exception):
    """The actor may not decide this request; the message says why, in words for the page."""


def _is_administrator(user: User | AnonymousUser | None) -> bool:
    """As `roles.is_administrator`, read afresh: a decision never rests on an answer cached earlier."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_superuser
        and AdministratorGrant.objects.filter(user_id=user.pk, confirmed_at__isnull=False).exists()
    )


def _decider_check(*, actor: User, grant: Grant, subject: User) -> bool:
    """Raise GrantRefused unless `actor` may confirm `grant`; answer whether the single-administrator
    setting is what allows it."""
    if not _is_administrator(actor):
        raise GrantRefused(_("Only an administrator can confirm this."))
    if grant.is_confirmed:
        raise GrantRefused(_("This was confirmed already."))
    if actor.pk == subject.pk:
        raise GrantRefused(_("Nobody can confirm powers for their own account."))
    if grant.requested_by_id != actor.pk:
        return False
    if not settings.SMANAV_SINGLE_ADMIN:
        raise GrantRefused(_("You asked for this, so another administrator must confirm it."))
    return True


def _confirm(*, actor: User | None, grant: Grant) -> None:
    grant.confirmed_by = actor
    grant.confirmed_at = timezone.now()
    grant.save(update_fields=["confirmed_by", "confirmed_at"])


# --- clinic staff ----------------------------------------------------------------------------------------


@transaction.atomic
def staff_add(*, requested_by: User | None, user: User, clinic: Clinic, role: StaffRole) -> StaffMembership:
    """Ask for `user` to join `clinic`'s team as `role` (`requested_by` None: the command line). The
    membership waits, without powers, for `staff_confirm`. An account that is staff already is refused."""
    if StaffMembership.objects.filter(user=user).exists():
        raise GrantRefused(_("This account belongs to a clinic's team already."))
    if ResearcherGrant.objects.filter(user=user).exists():
        raise GrantRefused(_("This account is a researcher's: a clinic's team needs another account."))
    membership = StaffMembership.objects.create(
        user=user, clinic=clinic, role=role, requested_by=requested_by
    )
    audit_account(
        actor=requested_by,
        subject=user,
        action=AccountAction.STAFF_REQUESTED,
        clinic=clinic,
        what=f"{StaffRole(role).label} of {clinic.name}",
    )
    return membership


@transaction.atomic
def staff_member_create(
    *, requested_by: User, username: str, email: str, clinic: Clinic, role: StaffRole
) -> StaffMembership:
    """A new staff account, waiting for confirmation. It has no usable password until then, so neither
    the set-password link nor the public password reset can reach it."""
    user = get_user_model().objects.create_user(username=username, email=email, password=None)
    return staff_add(requested_by=requested_by, user=user, clinic=clinic, role=role)


@transaction.atomic
def staff_confirm(*, actor: User, membership: StaffMembership, site: str) -> StaffMembership:
    """An administrator other than the requester confirms: the member gets the clinic's powers, and a
    new account its set-password link (`site`: scheme and host the link points at). If the mail cannot
    be sent, nothing is confirmed."""
    single_admin = _decider_check(actor=actor, grant=membership, subject=membership.user)
    _confirm(actor=actor, grant=membership)
    user = membership.user
    audit_account(
        actor=actor,
        subject=user,
        action=AccountAction.STAFF_CONFIRMED,
        clinic=membership.clinic,
        single_admin=single_admin,
        what=f"{StaffRole(membership.role).label} of {membership.clinic.name}, {user.email}",
    )
    if not user.has_usable_password():
        set_password_link_send(actor=actor, user=user, site=site)
    return membership


@transaction.atomic
def staff_refuse(*, actor: User, membership: StaffMembership) -> None:
    """Any administrator (the requester too) refuses or withdraws a request that waits."""
    if not _is_administrator(actor):
        raise GrantRefused(_("Only an administrator can refuse this."))
    if membership.is_confirmed:
        raise GrantRefused(_("This was confirmed already."))
    audit_account(
        actor=actor,
        subject=membership.user,
        action=AccountAction.STAFF_REFUSED,
        clinic=membership.clinic,
        what=f"{StaffRole(membership.role).label} of {membership.clinic.name}",
    )
    membership.delete()


@transaction.atomic
def staff_confirm_demo(*, membership: StaffMembership) -> StaffMembership:
    """Demo data only (`manage.py demo_load`, which runs in debug): the demo clinic's staff are
    confirmed by the command line that loads them. Refused outside debug."""
    if not settings.DEBUG:
        raise GrantRefused("demo staff can only be confirmed in debug (SMANAV_DEBUG=1)")
    _confirm(actor=None, grant=membership)
    audit_account(
        actor=None,
        subject=membership.user,
        action=AccountAction.STAFF_CONFIRMED,
        clinic=membership.clinic,
        what="demo data, confirmed on the command line in debug",
    )
    return membership


@transaction.atomic
def set_password_link_send(*, actor: User, user: User, site: str) -> None:
    """Mail one set-password link for `user` (only this account, only to its address). `site` is the
    scheme and host the link points at."""
    if not user.has_usable_password():
        # A password nobody knows makes the account reachable by the reset link (which checks it).
        user.set_password(secrets.token_urlsafe(32))
        user.save(update_fields=["password"])
    context = {
        "user": user,
        "site": site,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    send_mail(
        subject=render_to_string("accounts/set_password_subject.txt", context).strip(),
        message=render_to_string("accounts/set_password_email.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
    audit_account(actor=actor, subject=user, action=AccountAction.LINK_SENT, what=user.email)


# --- researchers ----------------------------------------------------------------------------------------


@transaction.atomic
def researcher_add(*, requested_by: User | None, user: User) -> ResearcherGrant:
    """Ask for `user` to become a researcher (`requested_by` None: the command line). The grant waits,
    without powers, for `researcher_confirm`. A researcher belongs to no clinic and holds no other power:
    an account that is clinic staff or an administrator, or waits to be one, is refused."""
    if ResearcherGrant.objects.filter(user=user).exists():
        raise GrantRefused(_("This account is a researcher already, or waits to be one."))
    if StaffMembership.objects.filter(user=user).exists():
        raise GrantRefused(_("This account belongs to a clinic's team: a researcher needs another account."))
    if user.is_superuser or user.is_staff or AdministratorGrant.objects.filter(user=user).exists():
        raise GrantRefused(_("This account is an administrator's: a researcher needs another account."))
    grant = ResearcherGrant.objects.create(user=user, requested_by=requested_by)
    audit_account(
        actor=requested_by, subject=user, action=AccountAction.RESEARCHER_REQUESTED, what=user.email
    )
    return grant


@transaction.atomic
def researcher_create(*, requested_by: User, username: str, email: str) -> ResearcherGrant:
    """A new researcher account, waiting for confirmation, without a usable password until then (as
    `staff_member_create`)."""
    user = get_user_model().objects.create_user(username=username, email=email, password=None)
    return researcher_add(requested_by=requested_by, user=user)


@transaction.atomic
def researcher_confirm(*, actor: User, grant: ResearcherGrant, site: str) -> ResearcherGrant:
    """An administrator other than the requester confirms (or the requester alone under
    SMANAV_SINGLE_ADMIN, marked as such); a new account gets its set-password link. If the mail cannot
    be sent, nothing is confirmed."""
    single_admin = _decider_check(actor=actor, grant=grant, subject=grant.user)
    _confirm(actor=actor, grant=grant)
    user = grant.user
    audit_account(
        actor=actor,
        subject=user,
        action=AccountAction.RESEARCHER_CONFIRMED,
        single_admin=single_admin,
        what=user.email,
    )
    if not user.has_usable_password():
        set_password_link_send(actor=actor, user=user, site=site)
    return grant


@transaction.atomic
def researcher_refuse(*, actor: User, grant: ResearcherGrant) -> None:
    """Any administrator (the requester too) refuses or withdraws a request that waits."""
    if not _is_administrator(actor):
        raise GrantRefused(_("Only an administrator can refuse this."))
    if grant.is_confirmed:
        raise GrantRefused(_("This was confirmed already."))
    audit_account(actor=actor, subject=grant.user, action=AccountAction.RESEARCHER_REFUSED)
    grant.delete()


@transaction.atomic
def researcher_remove(*, actor: User, grant: ResearcherGrant) -> None:
    """Any administrator ends a confirmed researcher's powers at once (taking a power away needs no
    second administrator). The account stays, as a plain account with nothing to see."""
    if not _is_administrator(actor):
        raise GrantRefused(_("Only an administrator can end a researcher's powers."))
    if not grant.is_confirmed:
        raise GrantRefused(_("This researcher account waits for confirmation: refuse it instead."))
    audit_account(actor=actor, subject=grant.user, action=AccountAction.RESEARCHER_REMOVED)
    grant.delete()


@transaction.atomic
def researcher_confirm_demo(*, grant: ResearcherGrant) -> ResearcherGrant:
    """Demo data only (`manage.py demo_load`, in debug), as `staff_confirm_demo`."""
    if not settings.DEBUG:
        raise GrantRefused("demo researchers can only be confirmed in debug (SMANAV_DEBUG=1)")
    _confirm(actor=None, grant=grant)
    audit_account(
        actor=None,
        subject=grant.user,
        action=AccountAction.RESEARCHER_CONFIRMED,
        what="demo data, confirmed on the command line in debug",
    )
    return grant


# --- administrators --------------------------------------------------------------------------------------


def _administrators_exist() -> bool:
    return AdministratorGrant.objects.filter(
        confirmed_at__isnull=False, user__is_active=True, user__is_superuser=True
    ).exists()


def _make_superuser(user: User) -> None:
    if not (user.is_superuser and user.is_staff):
        user.is_superuser = True
        user.is_staff = True
        user.save(update_fields=["is_superuser", "is_staff"])


@transaction.atomic
def administrator_request(*, requested_by: User | None, user: User) -> AdministratorGrant:
    """Ask for `user` to become an administrator (`requested_by` None: the command line, e.g.
    `createsuperuser`). It waits for `administrator_confirm`, except the first administrator of an
    installation, asked for on the command line, who is confirmed at once."""
    if AdministratorGrant.objects.filter(user=user).exists():
        raise GrantRefused(_("This account is an administrator already, or waits to be one."))
    grant = AdministratorGrant.objects.create(user=user, requested_by=requested_by)
    audit_account(actor=requested_by, subject=user, action=AccountAction.ADMIN_REQUESTED)
    if requested_by is None and not _administrators_exist():
        _confirm(actor=None, grant=grant)
        _make_superuser(user)
        audit_account(actor=None, subject=user, action=AccountAction.ADMIN_FIRST)
    return grant


@transaction.atomic
def administrator_confirm(*, actor: User, grant: AdministratorGrant) -> AdministratorGrant:
    single_admin = _decider_check(actor=actor, grant=grant, subject=grant.user)
    _confirm(actor=actor, grant=grant)
    _make_superuser(grant.user)
    audit_account(
        actor=actor,
        subject=grant.user,
        action=AccountAction.ADMIN_CONFIRMED,
        single_admin=single_admin,
        what=grant.user.email,
    )
    return grant


@transaction.atomic
def administrator_refuse(*, actor: User, grant: AdministratorGrant) -> None:
    """Refusing also takes away the superuser flag that `createsuperuser` set."""
    if not _is_administrator(actor):
        raise GrantRefused(_("Only an administrator can refuse this."))
    if grant.is_confirmed:
        raise GrantRefused(_("This was confirmed already."))
    user = grant.user
    audit_account(actor=actor, subject=user, action=AccountAction.ADMIN_REFUSED)
    grant.delete()
    user.is_superuser = False
    user.is_staff = False
    user.save(update_fields=["is_superuser", "is_staff"])
