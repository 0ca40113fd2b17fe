"""Coordinates for imported addresses from our own postal-code and place tables, a batch at a time.

One query per batch for the postal codes not yet seen and one for the towns, so an import of millions of
rows asks the database about each distinct postal code once (the cache is bounded).
"""

from __future__ import annotations

from collections.abc import Iterable

from smanav.geo.models import Place, PostalCode
from smanav.geo.names import name_key, postal_key

Point = tuple[float, float]
CACHE_LIMIT = 250_000


def us_zip5(code: str) -> str:
    """NPPES writes ZIP+4 without a dash ("021155724"); our table has the five-digit ZIP."""
    digits = code.strip().replace("-", "")
    return digits[:5] if len(digits) in (9, 5) and digits.isdigit() else digits


class Geocoder:
    def __init__(self) -> None:
        self._postal: dict[tuple[str, str], Point | None] = {}
        self._places: dict[tuple[str, str, str], Point | None] = {}

    def _trim(self) -> None:
        if len(self._postal) > CACHE_LIMIT:
            self._postal.clear()
        if len(self._places) > CACHE_LIMIT:
            self._places.clear()

    def prefetch(self, postal: Iterable[tuple[str, str]], places: Iterable[tuple[str, str, str]]) -> None:
        """Look up, in two queries, every (country, postal code) and (country, town, region) not cached."""
        self._trim()
        wanted_postal = {(cc, postal_key(code)) for cc, code in postal if code} - self._postal.keys()
        if wanted_postal:
            rows = (
                PostalCode.objects.filter(
                    country_code__in={cc for cc, _ in wanted_postal},
                    key__in={key for _, key in wanted_postal},
                )
                .order_by("id")
                .values_list("country_code", "key", "latitude", "longitude")
            )
            for cc, key, lat, lon in rows:
                if (cc, key) in wanted_postal and (cc, key) not in self._postal:
                    self._postal[(cc, key)] = (lat, lon)
            for missing in wanted_postal - self._postal.keys():
                self._postal[missing] = None
        wanted_places = {(cc, name_key(town), region.upper()) for cc, town, region in places if town}
        wanted_places -= self._places.keys()
        if wanted_places:
            rows_p = (
                Place.objects.filter(
                    country_code__in={cc for cc, _, _ in wanted_places},
                    key__in={key for _, key, _ in wanted_places},
                )
                .order_by("alias", "-population")
                .values_list("country_code", "key", "admin1", "latitude", "longitude")
            )
            best_any: dict[tuple[str, str], Point] = {}
            for cc, key, admin1, lat, lon in rows_p:
                best_any.setdefault((cc, key), (lat, lon))
                exact = (cc, key, admin1.upper())
                if exact in wanted_places and exact not in self._places:
                    self._places[exact] = (lat, lon)
            for cc, key, region in wanted_places - self._places.keys():
                # A region we cannot match (a state name instead of a code) falls back to the biggest town.
                self._places[(cc, key, region)] = best_any.get((cc, key))

    def postal(self, country: str, code: str) -> Point | None:
        return self._postal.get((country, postal_key(code))) if code else None

    def place(self, country: str, town: str, region: str) -> Point | None:
        return self._places.get((country, name_key(town), region.upper())) if town else None
