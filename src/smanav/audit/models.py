"""The audit trail: every view and change of a patient record, and every grant of staff or
administrator powers, who and when.

Rows are only ever added. The patient is kept as a plain id (not a foreign key) so the trail outlives
anything that happens to the record; the clinic is copied when the actor acts for a clinic, so a
coordinator can read what their own team did.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    VIEW = "view", _("viewed the record")
    CREATE = "create", _("created the record")
    CHANGE = "change", _("changed the record")
    EXPORT = "export", _("exported the record")
    SHARE = "share", _("shared the record with a clinic")
    UNSHARE = "unshare", _("withdrew a clinic's access")
    API_READ = "api_read", _("read the record through the API")
    API_WRITE = "api_write", _("changed the record through the API")
    ACKNOWLEDGE = "acknowledge", _("acknowledged an alert")
    CARER_INVITED = "carer_invited", _("invited a carer to the record")
    CARER_ADDED = "carer_added", _("became a carer of the record")
    CARER_REMOVED = "carer_removed", _("removed a carer of the record")
    DELETE = "delete", _("deleted the record")


class AuditEvent(models.Model):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    # Kept even if the account is later deleted.
    actor_label = models.CharField(max_length=200)
    clinic = models.ForeignKey(
        "accounts.Clinic", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    patient_id = models.BigIntegerField(db_index=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    what = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["clinic", "-at"], name="audit_clinic_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} patient {self.patient_id}"


class AccountAction(models.TextChoices):
    STAFF_REQUESTED = "staff_requested", _("asked for a clinic staff account")
    STAFF_CONFIRMED = "staff_confirmed", _("confirmed a clinic staff account")
    STAFF_REFUSED = "staff_refused", _("refused a clinic staff account")
    RESEARCHER_REQUESTED = "researcher_requested", _("asked for a researcher account")
    RESEARCHER_CONFIRMED = "researcher_confirmed", _("confirmed a researcher account")
    RESEARCHER_REFUSED = "researcher_refused", _("refused a researcher account")
    RESEARCHER_REMOVED = "researcher_removed", _("ended a researcher account's powers")
    DASHBOARD_VIEWED = "dashboard_viewed", _("viewed the cohort dashboard")
    ADMIN_REQUESTED = "admin_requested", _("asked for an administrator account")
    ADMIN_CONFIRMED = "admin_confirmed", _("confirmed an administrator account")
    ADMIN_REFUSED = "admin_refused", _("refused an administrator account")
    ADMIN_FIRST = "admin_first", _("made the first administrator of this installation")
    POWERS_KEPT = "powers_kept", _("kept powers granted before confirmation was required")
    LINK_SENT = "link_sent", _("sent a set-password link")
    PASSWORD_RESET = "password_reset", _("chose a new password with an emailed link")
    SECOND_FACTOR = "second_factor", _("set up two-factor authentication")
    REVIEWER_GRANTED = "reviewer_granted", _("made a medical reviewer of the library")
    REVIEWER_REVOKED = "reviewer_revoked", _("ended a medical reviewer's role")
    AUDIT_LOG_EXPORTED = "audit_log_exported", _("downloaded the clinic's audit log")
    ACCOUNT_CREATED = "account_created", _("created an account with a confirmed email address")
    PASSWORD_CHANGED = "password_changed", _("changed the password")
    EMAIL_CHANGED = "email_changed", _("changed the email address with a confirmed link")
    ACCOUNT_DELETED = "account_deleted", _("deleted the account")
    RECOVERY_CODES = "recovery_codes", _("made new two-factor recovery codes")
    RECOVERY_CODE_USED = "recovery_code_used", _("signed in with a two-factor recovery code")


class AccountEvent(models.Model):
    """Something that changed what an account may do or how it signs in. Rows are only ever added.

    `actor` is empty for what the server's command line did (`actor_label` then says so); `subject` is
    the account concerned. Labels are copied so the trail outlives the accounts.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="account_events_done"
    )
    actor_label = models.CharField(max_length=200)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="account_events"
    )
    subject_label = models.CharField(max_length=200)
    clinic = models.ForeignKey(
        "accounts.Clinic", null=True, blank=True, on_delete=models.SET_NULL, related_name="account_events"
    )
    action = models.CharField(max_length=20, choices=AccountAction.choices)
    # The requester confirmed their own request under SMANAV_SINGLE_ADMIN (no second administrator).
    single_admin = models.BooleanField(default=False)
    what = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.subject_label}"
