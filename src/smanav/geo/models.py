"""Offline geography: place names and postal codes with their coordinates.

Loaded from GeoNames data shipped inside PyPI packages (see `loading.py`); the data is CC BY 4.0, so
every page that uses it shows the credit in `ATTRIBUTION`. Nothing here is clinical.
"""

from __future__ import annotations

from django.db import models

ATTRIBUTION = "Place names and postal codes: GeoNames (geonames.org), licensed CC BY 4.0."


class Place(models.Model):
    """One searchable name of a populated place: the GeoNames name, or an alternate name (`alias`)."""

    geonameid = models.BigIntegerField()
    name = models.CharField(max_length=200, help_text="The place's main GeoNames name, for display.")
    key = models.CharField(max_length=200, help_text="This name normalised by `names.name_key`.")
    alias = models.BooleanField(default=False)
    country_code = models.CharField(max_length=2)
    admin1 = models.CharField(max_length=20, blank=True, default="")
    latitude = models.FloatField()
    longitude = models.FloatField()
    population = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["geonameid", "key"], name="geo_place_name_once")]
        indexes = [
            models.Index(fields=["key", "country_code"], name="geo_place_key"),
            models.Index(fields=["country_code"], name="geo_place_country"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country_code})"


class PostalCode(models.Model):
    """A postal code and the place it serves; one code can serve several places (several rows)."""

    country_code = models.CharField(max_length=2)
    code = models.CharField(max_length=20, help_text="As published, for display.")
    key = models.CharField(max_length=20, help_text="Upper case without spaces or dashes.")
    place_name = models.CharField(max_length=200, blank=True, default="")
    admin1 = models.CharField(max_length=100, blank=True, default="")
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        indexes = [
            models.Index(fields=["key", "country_code"], name="geo_postal_key"),
            models.Index(fields=["country_code"], name="geo_postal_country"),
        ]

    def __str__(self) -> str:
        return f"{self.country_code} {self.code}"
