"""Reads of the directory: radius search, the nearest complete centre, where to find what a centre lacks.

A radius search costs a fixed number of queries whatever the size of the table: the bounding box of the
circle (on the indexed latitude/longitude/disciplines columns) narrows the rows, the database orders the
candidates by an equirectangular approximation of the distance, and Python computes the exact great-circle
distance of the best few, filters them to the radius and sorts them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import F, FloatField, Q, QuerySet
from django.db.models.expressions import ExpressionWrapper

from smanav.directory.disciplines import CENTRE_KINDS, DISCIPLINE_BITS, Discipline, discipline_mask
from smanav.directory.models import Site
from smanav.geo.distance import bounding_box, haversine_km

MAX_RADIUS_KM = 20_000.0
DEFAULT_RADIUS_KM = 100.0
MAX_RESULTS = 200
# Candidates fetched per wanted result: the equirectangular order can differ slightly from the exact
# great-circle order near the edge of the list, so a margin of extra rows is ranked exactly.
CANDIDATE_FACTOR = 4
CANDIDATE_MINIMUM = 50
# Radii tried, one query each, when looking for "the nearest" of something.
EXPANDING_RADII_KM = (25.0, 100.0, 300.0, 1000.0, 3000.0, MAX_RADIUS_KM)


@dataclass(frozen=True, slots=True)
class Hit:
    site: Site
    distance_km: float


def _within_box(
    rows: QuerySet[Site], lat: float, lon: float, radius_km: float
) -> tuple[QuerySet[Site], bool]:
    box = bounding_box(lat, lon, radius_km)
    rows = rows.filter(latitude__gte=box.min_lat, latitude__lte=box.max_lat)
    if box.lon_ranges != ((-180.0, 180.0),):
        condition = Q()
        for west, east in box.lon_ranges:
            condition |= Q(longitude__gte=west, longitude__lte=east)
        rows = rows.filter(condition)
    return rows, len(box.lon_ranges) > 1


def _filtered(
    *, disciplines: int = 0, age_groups: int = 0, kinds: tuple[str, ...] = (), include_samples: bool = True
) -> QuerySet[Site]:
    rows = Site.objects.all()
    if disciplines:
        rows = rows.annotate(_d=F("disciplines").bitand(disciplines)).filter(_d=disciplines)
    if age_groups:
        # A site whose ages are not known is kept: unknown is not "no".
        rows = rows.annotate(_a=F("age_groups").bitand(age_groups)).filter(Q(_a__gt=0) | Q(age_groups=0))
    if kinds:
        rows = rows.filter(kind__in=kinds)
    if not include_samples:
        rows = rows.filter(is_sample=False)
    return rows


def search_sites(
    *,
    latitude: float,
    longitude: float,
    radius_km: float = DEFAULT_RADIUS_KM,
    disciplines: int = 0,
    age_groups: int = 0,
    kinds: tuple[str, ...] = (),
    limit: int = 50,
    include_samples: bool = True,
) -> list[Hit]:
    """Sites within `radius_km` offering every discipline in the mask, nearest first (two queries)."""
    radius_km = min(max(radius_km, 0.0), MAX_RADIUS_KM)
    limit = max(1, min(limit, MAX_RESULTS))
    rows = _filtered(
        disciplines=disciplines, age_groups=age_groups, kinds=kinds, include_samples=include_samples
    )
    rows, crosses_dateline = _within_box(rows, latitude, longitude, radius_km)
    wanted: int | None = None
    if not crosses_dateline:
        scale = math.cos(math.radians(latitude)) ** 2
        approx = ExpressionWrapper(
            (F("latitude") - latitude) * (F("latitude") - latitude)
            + (F("longitude") - longitude) * (F("longitude") - longitude) * scale,
            output_field=FloatField(),
        )
        rows = rows.alias(_approx=approx).order_by("_approx")
        wanted = max(CANDIDATE_MINIMUM, limit * CANDIDATE_FACTOR)
    candidates = rows.values_list("id", "latitude", "longitude")[:wanted]
    ranked = sorted(
        (haversine_km(latitude, longitude, lat, lon), pk)
        for pk, lat, lon in candidates
        if lat is not None and lon is not None
    )
    chosen = [(distance, pk) for distance, pk in ranked if distance <= radius_km][:limit]
    if not chosen:
        return []
    sites = Site.objects.select_related("organisation").in_bulk([pk for _, pk in chosen])
    return [Hit(sites[pk], round(distance, 2)) for distance, pk in chosen if pk in sites]


def nearest_site(
    *,
    latitude: float,
    longitude: float,
    disciplines: int,
    age_groups: int = 0,
    kinds: tuple[str, ...] = (),
    include_samples: bool = True,
) -> Hit | None:
    for radius in EXPANDING_RADII_KM:
        hits = search_sites(
            latitude=latitude,
            longitude=longitude,
            radius_km=radius,
            disciplines=disciplines,
            age_groups=age_groups,
            kinds=kinds,
            limit=1,
            include_samples=include_samples,
        )
        if hits:
            return hits[0]
    return None


@dataclass(frozen=True, slots=True)
class CompleteCare:
    """The nearest centre with every wanted discipline; else the nearest centre and where to find the rest."""

    wanted: tuple[str, ...]
    complete_centre: Hit | None
    nearest_centre: Hit | None
    missing: tuple[str, ...]
    # Discipline -> the nearest site offering it (None: nowhere in the directory).
    elsewhere: dict[str, Hit | None]


def complete_care(
    *, latitude: float, longitude: float, wanted: list[str], age_groups: int = 0, include_samples: bool = True
) -> CompleteCare:
    wanted_codes = tuple(code for code in Discipline.values if code in wanted)
    mask = discipline_mask(wanted_codes)

    def nearest(disciplines: int, kinds: tuple[str, ...] = ()) -> Hit | None:
        return nearest_site(
            latitude=latitude,
            longitude=longitude,
            disciplines=disciplines,
            age_groups=age_groups,
            kinds=kinds,
            include_samples=include_samples,
        )

    complete = nearest(mask, CENTRE_KINDS)
    nearest_any = nearest(0, CENTRE_KINDS)
    missing: tuple[str, ...] = ()
    elsewhere: dict[str, Hit | None] = {}
    if complete is None or (nearest_any is not None and nearest_any.site.pk != complete.site.pk):
        # Closer than the complete centre (or no complete centre at all): what would the nearest one lack?
        base = nearest_any
        if base is not None:
            missing = tuple(
                code for code in wanted_codes if not base.site.disciplines & DISCIPLINE_BITS[code]
            )
            for code in missing:
                elsewhere[code] = nearest(DISCIPLINE_BITS[code])
    return CompleteCare(wanted_codes, complete, nearest_any, missing, elsewhere)
