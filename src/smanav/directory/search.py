"""One search, three faces: the API, the page and `smanav services search` all call `services_search`
and `complete_care_search`, so they answer the same thing in the same shape."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from smanav.directory.disciplines import AGE_BITS, DISCIPLINE_BITS, ages_of, discipline_mask, disciplines_of
from smanav.directory.selectors import DEFAULT_RADIUS_KM, MAX_RADIUS_KM, Hit, complete_care, search_sites
from smanav.geo.models import ATTRIBUTION
from smanav.geo.selectors import Location, Unresolved, locate


class SearchProblem(ValueError):
    """The search itself is malformed (unknown discipline, radius out of range): (field, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class SearchInput:
    near: str
    country: str | None = None
    radius_km: float = DEFAULT_RADIUS_KM
    disciplines: tuple[str, ...] = ()
    age_group: str | None = None
    limit: int = 50


def check_input(
    *,
    near: str,
    country: str | None,
    radius_km: float | None,
    disciplines: Sequence[str],
    age_group: str | None,
    limit: int | None,
) -> SearchInput:
    problems: list[tuple[str, str]] = []
    near = (near or "").strip()
    if not near:
        problems.append(("near", "give a place name or a postal code"))
    elif len(near) > 200:
        problems.append(("near", "must be at most 200 characters"))
    code = (country or "").strip().upper() or None
    if code is not None and not (len(code) == 2 and code.isalpha()):
        problems.append(("country", f"must be a two-letter ISO country code (got {country!r})"))
    radius = DEFAULT_RADIUS_KM if radius_km is None else radius_km
    if not 0 < radius <= MAX_RADIUS_KM:
        problems.append(("radius_km", f"must be above 0 and at most {MAX_RADIUS_KM:g}"))
    wanted = tuple(dict.fromkeys(d.strip().lower() for d in disciplines if d and d.strip()))
    for code_ in wanted:
        if code_ not in DISCIPLINE_BITS:
            problems.append(
                ("discipline", f"unknown discipline {code_!r}; one of {', '.join(DISCIPLINE_BITS)}")
            )
    age = (age_group or "").strip().lower() or None
    if age is not None and age not in AGE_BITS:
        problems.append(("age_group", f"must be one of {', '.join(AGE_BITS)} (got {age_group!r})"))
    count = 50 if limit is None else limit
    if not 1 <= count <= 200:
        problems.append(("limit", "must be from 1 to 200"))
    if problems:
        raise SearchProblem(problems)
    return SearchInput(near, code, radius, wanted, age, count)


def site_dict(hit: Hit) -> dict[str, Any]:
    site = hit.site
    org = site.organisation
    return {
        "id": site.pk,
        "name": site.name,
        "organisation": None if org is None else org.name,
        "kind": site.kind,
        "address": site.address,
        "city": site.city,
        "region": site.region,
        "postal_code": site.postal_code,
        "country": site.country_code,
        "latitude": site.latitude,
        "longitude": site.longitude,
        "phone": site.phone,
        "email": site.email,
        "website": site.website if site.website.lower().startswith(("https://", "http://")) else "",
        "languages": [code for code in site.languages.split(";") if code],
        "disciplines": disciplines_of(site.disciplines),
        "age_groups": ages_of(site.age_groups),
        "distance_km": hit.distance_km,
        "source": site.source,
        "source_url": site.source_url,
        "last_verified": site.last_verified.isoformat() if site.last_verified else None,
        "is_sample": site.is_sample,
    }


def _location_dict(location: Location) -> dict[str, Any]:
    return {
        "label": location.label,
        "country": location.country_code or None,
        "latitude": location.latitude,
        "longitude": location.longitude,
        "kind": location.kind,
    }


def resolve(search: SearchInput) -> Location | Unresolved:
    """Where the search is centred, or suggestions; a caller running both searches resolves once."""
    return locate(search.near, search.country)


def services_search(search: SearchInput, *, place: Location | Unresolved | None = None) -> dict[str, Any]:
    found = resolve(search) if place is None else place
    answer: dict[str, Any] = {
        "query": {
            "near": search.near,
            "country": search.country,
            "radius_km": search.radius_km,
            "disciplines": list(search.disciplines),
            "age_group": search.age_group,
        },
        "attribution": ATTRIBUTION,
    }
    if isinstance(found, Unresolved):
        return {
            **answer,
            "found": False,
            "location": None,
            "suggestions": list(found.suggestions),
            "results": [],
        }
    hits = search_sites(
        latitude=found.latitude,
        longitude=found.longitude,
        radius_km=search.radius_km,
        disciplines=discipline_mask(search.disciplines),
        age_groups=AGE_BITS[search.age_group] if search.age_group else 0,
        limit=search.limit,
    )
    return {
        **answer,
        "found": True,
        "location": _location_dict(found),
        "suggestions": [],
        "results": [site_dict(hit) for hit in hits],
    }


def complete_care_search(
    search: SearchInput, *, place: Location | Unresolved | None = None
) -> dict[str, Any]:
    """The nearest centre with all `disciplines`, and where to find what the nearest centre lacks."""
    found = resolve(search) if place is None else place
    answer: dict[str, Any] = {
        "query": {
            "near": search.near,
            "country": search.country,
            "disciplines": list(search.disciplines),
            "age_group": search.age_group,
        },
        "attribution": ATTRIBUTION,
    }
    if isinstance(found, Unresolved):
        return {**answer, "found": False, "location": None, "suggestions": list(found.suggestions)}
    result = complete_care(
        latitude=found.latitude,
        longitude=found.longitude,
        wanted=list(search.disciplines),
        age_groups=AGE_BITS[search.age_group] if search.age_group else 0,
    )
    return {
        **answer,
        "found": True,
        "location": _location_dict(found),
        "suggestions": [],
        "complete_centre": None if result.complete_centre is None else site_dict(result.complete_centre),
        "nearest_centre": None if result.nearest_centre is None else site_dict(result.nearest_centre),
        "nearest_centre_lacks": list(result.missing),
        "elsewhere": [
            {"discipline": code, "site": None if hit is None else site_dict(hit)}
            for code, hit in result.elsewhere.items()
        ],
    }
