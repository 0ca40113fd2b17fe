"""Who may do what: clinics, the staff who belong to them, administrators, and API tokens for clinic
integrations.

Families are plain users: what they may see follows from the patients they manage (`patients.Guardian`),
not from a role here. Staff, researcher and administrator powers are granted by one administrator and
confirmed by another (`grants.py`); until confirmed, a membership or grant gives nothing. Django's
superuser flag alone does not make an administrator.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """An account: a family member (a parent, an adult with SMA), clinic staff, a researcher or an
    administrator.

    What an account may do never rests on this row alone: staff, researcher and administrator powers are
    the confirmed `StaffMembership`, `ResearcherGrant` and `AdministratorGrant` below, a family's records
    follow from `patients.Guardian`. smanav's own model (ADR 0011), so that what later apps need of a
    person (a community name, a research pseudonym) is added by this app's migrations.
    """

    # Not a column: set on the account that a bearer token authenticated, for that request only
    # (`api.auth.ApiTokenAuth`). A token can only be made in a session that passed two-factor
    # authentication, so a call with it counts as having passed it (`roles.has_verified_second_factor`).
    via_api_token: bool = False


class Clinic(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    region = models.CharField(_("region"), max_length=2, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StaffRole(models.TextChoices):
    CLINICIAN = "clinician", _("Clinician")
    COORDINATOR = "coordinator", _("Clinic coordinator")


class Grant(models.Model):
    """Who asked for a power and who confirmed it. `requested_by` is empty for a request made on the
    server's command line; `confirmed_at` is empty while the request waits (and gives nothing)."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class StaffMembership(Grant):
    """A member of a clinic's team. One clinic per staff account keeps the access rules simple."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(max_length=20, choices=StaffRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.role}, {self.clinic})"


class AdministratorGrant(Grant):
    """What makes a superuser an administrator of smanav (clinics, staff, confirmations)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="administrator_grant"
    )

    def __str__(self) -> str:
        return f"{self.user} (administrator)"


class ResearcherGrant(Grant):
    """A researcher: sees the cohort dashboard of the people who agreed to research use, and nothing
    else (no record, no list, no clinic). Belongs to no clinic; asked for by one administrator and
    confirmed by another, like staff; passes the second factor like staff (ADR 0031)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="researcher_grant"
    )

    def __str__(self) -> str:
        return f"{self.user} (researcher)"


class ApiToken(models.Model):
    """A bearer token for a clinic integration. Only a hash is stored; the token is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class PolicyAcceptance(models.Model):
    """Which versions of the privacy notice and the terms of use a person accepted, and when: at sign-up
    (`accepted_at` is when they ticked the box, before confirming their address). Rows are only added."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="policy_acceptances"
    )
    privacy_version = models.CharField(max_length=20)
    terms_version = models.CharField(max_length=20)
    accepted_at = models.DateTimeField()

    class Meta:
        ordering = ["-accepted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} accepted privacy {self.privacy_version}, terms {self.terms_version}"


class ReminderPreference(models.Model):
    """Whether an account gets emails about what is due on its records, and how many days ahead.

    No row means off. `last_sent_on` keeps the job from sending twice on one day."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference"
    )
    enabled = models.BooleanField(_("send me reminders"), default=False)
    days_before = models.PositiveSmallIntegerField(_("days before"), default=7)
    last_sent_on = models.DateField(null=True, blank=True)
    # An email when smanav's answer for a record changes without anyone editing it (a knowledge update,
    # the passing of time): `patients.services.news_mail`.
    news_by_email = models.BooleanField(_("email me when something changes"), default=False)
    # The "New since your last visit" box at the top of a record's page (the notices page, issue 15).
    news_on_site = models.BooleanField(_("show what changed on the record's page"), default=True)
    # One e-mail a week with every change, instead of one after each nightly re-evaluation that found some.
    news_weekly = models.BooleanField(_("once a week"), default=False)
    # What changed, in the body of the e-mail (never in the subject). Off: it only says that something did.
    news_details = models.BooleanField(_("say what changed in the email"), default=False)
    # The last news (`RecordNews.id`) e-mailed to this account, and when: the next e-mail tells what
    # came after.
    news_told_until = models.PositiveBigIntegerField(default=0)
    news_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"reminders for {self.user}: {'on' if self.enabled else 'off'}, {self.days_before} days"
