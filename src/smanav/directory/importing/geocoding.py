"""Coordinates for imported addresses from our own postal-code and place tables, a batch at a time.

One query per batch for the postal codes not yet seen and one for the towns, so an import of millions of
rows asks the database about each distinct postal code once (the cache is bounded).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from smanav.geo.models import Place, PostalCode
from smanav.geo.names import name_key, postal_key

Point = tuple[float, float]
# Millions of rows share a few tens of thousands of towns and postal codes.
_name_key = functools.lru_cache(maxsize=65536)(name_key)
_postal_key = functools.lru_cache(maxsize=65536)(postal_key)
CACHE_LIMIT = 250_000


class Geocoder:
    def __init__(self, *, whole_countries: bool = False) -> None:
        self.whole_countries = whole_countries
        self._countries: set[str] = set()
        self._postal: dict[tuple[str, str], Point | None] = {}
        self._places: dict[tuple[str, str, str], Point | None] = {}

    def _trim(self) -> None:
        if len(self._postal) > CACHE_LIMIT:
            self._postal.clear()
            self._countries.clear()
        if len(self._places) > CACHE_LIMIT:
            self._places.clear()

    def prefetch(self, postal: Iterable[tuple[str, str]], places: Iterable[tuple[str, str, str]]) -> None:
        """Look up, in at most two queries, every (country, postal code) and (country, town, region) not
        yet cached."""
        self.prefetch_postal(postal)
        self.prefetch_places(places)

    def prefetch_postal(self, postal: Iterable[tuple[str, str]]) -> None:
        self._trim()
        wanted = {(cc, _postal_key(code)) for cc, code in postal if code} - self._postal.keys()
        if not wanted:
            return
        new_countries = {cc for cc, _ in wanted} - self._countries
        if new_countries and self.whole_countries:
            # A big file meets most of a country's codes: one query for the whole country (at most a
            # hundred thousand or so rows) is cheaper than a long IN list per batch.
            self._countries |= new_countries
            for cc, key, lat, lon in (
                PostalCode.objects.filter(country_code__in=new_countries)
                .order_by("-id")
                .values_list("country_code", "key", "latitude", "longitude")
                .iterator(chunk_size=10_000)
            ):
                self._postal[(cc, key)] = (lat, lon)  # in reverse id order, so the first row wins
            for missing in wanted - self._postal.keys():
                self._postal[missing] = None
            return
        rows = (
            PostalCode.objects.filter(
                country_code__in={cc for cc, _ in wanted}, key__in={key for _, key in wanted}
            )
            .order_by("id")
            .values_list("country_code", "key", "latitude", "longitude")
        )
        for cc, key, lat, lon in rows:
            if (cc, key) in wanted and (cc, key) not in self._postal:
                self._postal[(cc, key)] = (lat, lon)
        for missing in wanted - self._postal.keys():
            self._postal[missing] = None

    def prefetch_places(self, places: Iterable[tuple[str, str, str]]) -> None:
        wanted = {(cc, _name_key(town), region.upper()) for cc, town, region in places if town}
        wanted -= self._places.keys()
        if not wanted:
            return
        rows = (
            Place.objects.filter(
                country_code__in={cc for cc, _, _ in wanted}, key__in={key for _, key, _ in wanted}
            )
            .order_by("alias", "-population")
            .values_list("country_code", "key", "admin1", "latitude", "longitude")
        )
        best_any: dict[tuple[str, str], Point] = {}
        for cc, key, admin1, lat, lon in rows:
            best_any.setdefault((cc, key), (lat, lon))
            exact = (cc, key, admin1.upper())
            if exact in wanted and exact not in self._places:
                self._places[exact] = (lat, lon)
        for cc, key, region in wanted - self._places.keys():
            # A region we cannot match (a state name instead of a code) falls back to the biggest town.
            self._places[(cc, key, region)] = best_any.get((cc, key))

    def postal(self, country: str, code: str) -> Point | None:
        return self._postal.get((country, _postal_key(code))) if code else None

    def place(self, country: str, town: str, region: str) -> Point | None:
        return self._places.get((country, _name_key(town), region.upper())) if town else None
