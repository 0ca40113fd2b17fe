"""Clinical trials imported from ClinicalTrials.gov API v2 study records, and their locations.

What we keep is what the record says (conditions, status, phases, the eligibility module, locations);
the SMA-specific criteria a family can be matched against come from the curated layer (`curation.py`).
"""

from __future__ import annotations

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
