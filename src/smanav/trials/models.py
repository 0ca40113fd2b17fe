"""Clinical trials imported from ClinicalTrials.gov API v2 study records, and their locations.

What we keep is what the record says (conditions, status, phases, the eligibility module, locations);
the SMA-specific criteria a family can be matched against come from the curated layer (`curation.py`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Trial(models.Model):
    nct_id = models.CharField(max_length=20, unique=True)
    brief_title = models.CharField(max_length=500)
    official_title = models.TextField(blank=True, default="")
    overall_status = models.CharField(max_length=40)
    study_type = models.CharField(max_length=40, blank=True, default="")
    phases = models.JSONField(default=list)
    conditions = models.JSONField(default=list)
    keywords = models.JSONField(default=list)
    interventions = models.JSONField(default=list)
    brief_summary = models.TextField(blank=True, default="")
    sponsor = models.CharField(max_length=300, blank=True, default="")
    is_sma = models.BooleanField(default=False, help_text="A condition, keyword or MeSH term names SMA.")
    # The eligibility module, as written in the record.
    eligibility_criteria = models.TextField(blank=True, default="")
    minimum_age = models.CharField(max_length=40, blank=True, default="")
    maximum_age = models.CharField(max_length=40, blank=True, default="")
    sex = models.CharField(max_length=10, blank=True, default="")
    healthy_volunteers = models.BooleanField(null=True)
    std_ages = models.JSONField(default=list)
    last_update_posted = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=200, blank=True, default="", help_text="File the record came from.")
    is_sample = models.BooleanField(default=False)
    content_hash = models.CharField(max_length=32, default="")
    # When an import found the trial newly recruiting (new, or changed to recruiting); None while it is
    # not recruiting, or when it was recruiting before trial news began. The trial news of families near
    # its sites are worked out once for each such moment (`news_worked_for`, `web/trial_news.py`).
    recruiting_since = models.DateTimeField(null=True, blank=True)
    news_worked_for = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["is_sma", "overall_status"], name="trials_sma_status")]

    def __str__(self) -> str:
        return f"{self.nct_id} {self.brief_title}"


class TrialSite(models.Model):
    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="sites")
    facility = models.CharField(max_length=300, blank=True, default="")
    status = models.CharField(max_length=40, blank=True, default="")
    city = models.CharField(max_length=120, blank=True, default="")
    state = models.CharField(max_length=120, blank=True, default="")
    postal_code = models.CharField(max_length=20, blank=True, default="")
    country = models.CharField(max_length=100, blank=True, default="")
    country_code = models.CharField(max_length=2, blank=True, default="")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    geocoded_by = models.CharField(max_length=12, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.facility} ({self.city}, {self.country})"


class TrialNewsPlace(models.Model):
    """Where a family account wants to hear of newly recruiting trials, and how far it would travel: a
    place resolved with the offline place tables (`geo.selectors.locate`), kept as its coordinates, and a
    distance in km. No row: no trial news. Chosen on the notices page; the trial news themselves are only
    for records whose consent to being contacted about clinical trials is in force."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trial_news_place"
    )
    # What the person typed, and the place it was resolved to ("Boston, Massachusetts, United States").
    query = models.CharField(max_length=200)
    label = models.CharField(max_length=300)
    country_code = models.CharField(max_length=2, blank=True, default="")
    latitude = models.FloatField()
    longitude = models.FloatField()
    distance_km = models.PositiveIntegerField()
    # An e-mail for each trial newly recruiting within the distance (on the site: always).
    by_email = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"trial news for {self.user_id}: {self.distance_km} km of {self.label}"
