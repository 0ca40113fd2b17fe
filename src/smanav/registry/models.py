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


class ReportedItem(models.TextChoices):
    """The registry items a family can report (and a clinic can report too)."""

    SYMPTOM_ONSET = "symptom_onset", _("First signs of SMA")
    MILESTONE_ACHIEVED = "milestone_achieved", _("Movement milestone reached")
    MILESTONE_LOST = "milestone_lost", _("Movement milestone lost")
    VENTILATION_HOURS = "ventilation_hours", _("Breathing machine: hours a day")
    FEEDING = "feeding", _("How they eat")
    HOSPITAL_STAY = "hospital_stay", _("Hospital stay")
    ADVERSE_EVENT = "adverse_event", _("Unwanted effect of a treatment")


class ReportedBy(models.TextChoices):
    FAMILY = "family", _("reported by the family")
    CLINIC = "clinic", _("reported by the clinic")


class ReportedValue(models.Model):
    """One value of one registry item as the family or the clinic reported it, on a date.

    Rows are only added: a newer report of the same item is a new row (the latest counts), and a value
    taken back keeps its row with `removed_at`. Which columns an item uses: `symptom_onset` the age in
    months (`number`); `milestone_achieved`/`milestone_lost` the milestone (`code`, the core's
    `MotorMilestone`) and when (`date`); `ventilation_hours` hours a day (`number`) from `date`;
    `feeding` the core's `Feeding` code from `date`; `hospital_stay` the admission (`date`), discharge
    (`end_date`) and the reason (`code`); `adverse_event` when (`date`), the treatment (`code`, a therapy
    code or empty) and what happened (`note`, free text: never exported).
    """

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="reported_values")
    item = models.CharField(max_length=30, choices=ReportedItem.choices)
    reported_by = models.CharField(max_length=10, choices=ReportedBy.choices)
    code = models.CharField(max_length=40, blank=True, default="")
    number = models.FloatField(null=True, blank=True)
    date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True, default="", max_length=1000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["item", "created_at", "id"]
        indexes = [models.Index(fields=["patient", "item"], name="reported_value_item")]

    def __str__(self) -> str:
        return f"{self.item} {self.reported_by} of patient {self.patient_id}"


class ConflictDecision(models.TextChoices):
    FAMILY = "family", _("The family's value is right")
    CLINIC = "clinic", _("The clinic's value is right")
    NOTED = "noted", _("Both kept, with a note")


class ConflictResolution(models.Model):
    """A clinician's decision on one disagreement between the family's and the clinic's value of an item.

    The disagreement is matched by its key (item and, for milestones, which one) and both values as
    they were shown (`family_value`, `clinic_value`, canonical text): if either value changes, it is a
    new disagreement and shows again. Rows are only added."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="conflict_resolutions"
    )
    key = models.CharField(max_length=80)
    family_value = models.CharField(max_length=200)
    clinic_value = models.CharField(max_length=200)
    decision = models.CharField(max_length=10, choices=ConflictDecision.choices)
    note = models.TextField(blank=True, default="", max_length=1000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    by_label = models.CharField(max_length=200)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["patient", "key"], name="conflict_resolution_key")]

    def __str__(self) -> str:
        return f"{self.key} of patient {self.patient_id}: {self.decision}"


class ReviewInvitation(models.Model):
    """An e-mail inviting the family to review a participant's data and consents, sent once for each due
    date (`registry.invitations`). A review moves the due date on, so the next one is a new row."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="review_invitations"
    )
    due_on = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient", "due_on"], name="review_invitation_once_per_due_date")
        ]

    def __str__(self) -> str:
        return f"review invitation of patient {self.patient_id} due {self.due_on}"


class CohortFact(models.Model):
    """What the cohort dashboard groups and counts one registry participant by, worked out from their
    record by the nightly refresh (`registry.cohort_facts`, ADR 0029), so that a page reads one narrow
    row a person instead of their whole record. It holds no consent: the dashboard joins these rows with
    the consent selector at request time, so a withdrawal counts at once. The columns are those of the
    dashboard's cohort table (`registry.dashboard_cohort`), all as of `worked_out_on`; the age band is
    worked out from the date of birth at request time."""

    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    worked_out_on = models.DateField()
    birth_date = models.DateField()
    region = models.CharField(max_length=10, blank=True)
    sma_type = models.CharField(max_length=20, blank=True)
    smn2 = models.CharField(max_length=2, blank=True)
    therapy = models.CharField(max_length=40)
    has_smn1 = models.SmallIntegerField()
    has_smn2 = models.SmallIntegerField()
    has_type = models.SmallIntegerField()
    has_function = models.SmallIntegerField()
    recent_motor = models.SmallIntegerField()
    undated_event = models.SmallIntegerField()
    event_on = models.DateField(null=True)
    seen_on = models.DateField(null=True)
    event_months = models.IntegerField(null=True)
    seen_months = models.IntegerField(null=True)

    def __str__(self) -> str:
        return f"cohort facts of patient {self.patient_id} on {self.worked_out_on}"


class TrajectoryPoint(models.Model):
    """One point of a participant's motor-score trajectory on the dashboard: for one measure and one
    whole year since their first measurement of it, their last value that year minus their first value
    (points of the measure's scale). Worked out with `CohortFact` by the nightly refresh."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="+")
    instrument = models.CharField(max_length=32)
    year = models.SmallIntegerField()
    change = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "patient", "year"], name="trajectory_point_once_a_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument} of patient {self.patient_id}, year {self.year}: {self.change:+g}"
