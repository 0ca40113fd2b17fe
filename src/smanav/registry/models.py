"""Consent to the registry's uses of a record, per person and purpose, and the texts it was given to.

A `Consent` row is one decision: given on a date to one version of a purpose's text, by the person or by
a parent for a child, and later perhaps withdrawn. Rows are never deleted; a withdrawal keeps the row with
who withdrew it and when, and a later consent is a new row. Whether a consent counts on a given day (the
person may have come of age since a parent gave it) is worked out by `registry.consent`, and every export
or dashboard reads patients only through `registry.selectors`, which applies it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ConsentPurpose(models.TextChoices):
    CLINICAL_CARE = "clinical_care", _("Sharing with the clinical team")
    REGISTRY = "registry", _("Taking part in the registry")
    RESEARCH = "research", _("Use in research")
    TRIAL_CONTACT = "trial_contact", _("Being contacted about clinical trials")
    DATA_LINKAGE = "data_linkage", _("Linking with other health records")


class ConsentGivenAs(models.TextChoices):
    SELF = "self", _("by the person themselves")
    PARENT = "parent", _("by a parent or carer for a child")


class ConsentText(models.Model):
    """What a person agrees to for one purpose, in one version. Published texts are never edited: a new
    wording is a new version."""

    purpose = models.CharField(max_length=20, choices=ConsentPurpose.choices)
    version = models.PositiveIntegerField()
    published_on = models.DateField()
    title = models.CharField(max_length=200)
    text = models.TextField()

    class Meta:
        ordering = ["purpose", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["purpose", "version"], name="consent_text_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.purpose} consent text, version {self.version}"


class Consent(models.Model):
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=20, choices=ConsentPurpose.choices)
    text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="consents")
    given_as = models.CharField(max_length=10, choices=ConsentGivenAs.choices)
    given_on = models.DateField()
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The date of the last review of the data and this consent with the participant (first: `given_on`).
    reviewed_on = models.DateField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["purpose", "-given_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="consent_one_active_per_purpose",
            )
        ]
        indexes = [models.Index(fields=["purpose", "withdrawn_at"], name="consent_purpose_active")]

    def __str__(self) -> str:
        return f"{self.purpose} consent of patient {self.patient_id} ({self.given_as}, {self.given_on})"
