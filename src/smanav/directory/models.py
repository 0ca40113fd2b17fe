"""Organisations, their sites and the services (disciplines, ages) each site offers.

Every row says where it came from (`source`, `external_id`: the idempotency key of the importers) and
when it was last verified. Sample rows shipped for demonstrations carry `is_sample`.
"""

from __future__ import annotations

from django.db import models

from smanav.directory.disciplines import OrganisationKind


class Organisation(models.Model):
    source = models.CharField(max_length=100, help_text="The list or file this came from.")
    external_id = models.CharField(max_length=100, help_text="Its identifier within that source.")
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=30, choices=OrganisationKind.choices)
    website = models.CharField(max_length=300, blank=True, default="")
    phone = models.CharField(max_length=60, blank=True, default="")
    email = models.CharField(max_length=200, blank=True, default="")
    description = models.TextField(blank=True, default="")
    source_url = models.CharField(max_length=300, blank=True, default="")
    last_verified = models.DateField(null=True, blank=True)
    is_sample = models.BooleanField(default=False)
    content_hash = models.CharField(max_length=32, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="directory_org_source_key")
        ]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    """A place where services are offered; NPPES practitioners are sites without an organisation."""

    source = models.CharField(max_length=100)
    external_id = models.CharField(max_length=100)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="sites"
    )
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=30, choices=OrganisationKind.choices)
    address = models.CharField(max_length=300, blank=True, default="")
    city = models.CharField(max_length=120, blank=True, default="")
    region = models.CharField(max_length=120, blank=True, default="")
    postal_code = models.CharField(max_length=20, blank=True, default="")
    country_code = models.CharField(max_length=2)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # How the coordinates were found: given in the source, or from our postal-code / place tables.
    geocoded_by = models.CharField(max_length=12, default="")
    phone = models.CharField(max_length=60, blank=True, default="")
    email = models.CharField(max_length=200, blank=True, default="")
    website = models.CharField(max_length=300, blank=True, default="")
    languages = models.CharField(max_length=200, blank=True, default="", help_text="Semicolon-separated.")
    disciplines = models.BigIntegerField(
        default=0, help_text="Bit mask of `Discipline` (see disciplines.py)."
    )
    age_groups = models.SmallIntegerField(default=0, help_text="Bit mask of `AgeGroup`; 0 = not known.")
    taxonomy_codes = models.CharField(
        max_length=200, blank=True, default="", help_text="NPPES taxonomy codes."
    )
    notes = models.TextField(blank=True, default="")
    source_url = models.CharField(max_length=300, blank=True, default="")
    last_verified = models.DateField(null=True, blank=True)
    is_sample = models.BooleanField(default=False)
    content_hash = models.CharField(max_length=32, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="directory_site_source_key")
        ]
        indexes = [
            # Radius searches scan a latitude band and filter longitude and disciplines inside the index.
            models.Index(fields=["latitude", "longitude", "disciplines"], name="directory_site_geo"),
        ]

    def __str__(self) -> str:
        return self.name
