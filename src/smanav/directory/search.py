"""One search, three faces: the API, the page and `smanav services search` all call `services_search`
and `complete_care_search`, so they answer the same thing in the same shape.

Distances are worked out in kilometres; every answer also gives them in miles (`distance_mi`) and says
which of the two the reader uses (`distance_unit`). The radius may be given in either unit. The reader's
own country (`prefer_country`) decides a postal code or a place name found in several countries, and the
answer says so (`location.preferred`, with the places passed over in `location.alternatives`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from smanav.directory.disciplines import AGE_BITS, DISCIPLINE_BITS, ages_of, discipline_mask, disciplines_of
from smanav.directory.selectors import DEFAULT_RADIUS_KM, MAX_RADIUS_KM, Hit, complete_care, search_sites
from smanav.geo.models import ATTRIBUTION
from smanav.geo.selectors import Choice, Location, Unresolved, locate
from smanav.user_locale import KM_PER_MILE, DistanceUnit


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
    # The reader's own country: a postal code or name found there wins (`geo.selectors.locate`).
    prefer_country: str | None = None
    # The unit the reader reads distances in; the search itself is in km.
    unit: DistanceUnit = DistanceUnit.KM


def miles(km: float) -> float:
    return km / KM_PER_MILE


def _country_code(value: str | None, field: str, problems: list[tuple[str, str]]) -> str | None:
    code = (value or "").strip().upper() or None
    if code is not None and not (len(code) == 2 and code.isalpha()):
        problems.append((field, f"must be a two-letter ISO country code (got {value!r})"))
    return code


def _radius_km(radius_km: float | None, radius_mi: float | None, problems: list[tuple[str, str]]) -> float:
    if radius_km is not None and radius_mi is not None:
        problems.append(("radius_mi", "give the radius in km or in miles, not both"))
        return DEFAULT_RADIUS_KM
    if radius_mi is not None:
        limit_mi = MAX_RADIUS_KM / KM_PER_MILE
        if not 0 < radius_mi <= limit_mi:
            problems.append(("radius_mi", f"must be above 0 and at most {limit_mi:,.0f}"))
        return radius_mi * KM_PER_MILE
    radius = DEFAULT_RADIUS_KM if radius_km is None else radius_km
    if not 0 < radius <= MAX_RADIUS_KM:
        problems.append(("radius_km", f"must be above 0 and at most {MAX_RADIUS_KM:g}"))
    return radius


def check_input(
    *,
    near: str,
    country: str | None,
    radius_km: float | None,
    disciplines: Sequence[str],
    age_group: str | None,
    limit: int | None,
    radius_mi: float | None = None,
    prefer_country: str | None = None,
    unit: str | None = None,
) -> SearchInput:
    problems: list[tuple[str, str]] = []
    near = (near or "").strip()
    if not near:
        problems.append(("near", "give a place name or a postal code"))
    elif len(near) > 200:
        problems.append(("near", "must be at most 200 characters"))
    code = _country_code(country, "country", problems)
    prefer = _country_code(prefer_country, "prefer_country", problems)
    radius = _radius_km(radius_km, radius_mi, problems)
    wanted_unit = (unit or "").strip().lower() or ("mi" if radius_mi is not None else "km")
    if wanted_unit not in {member.value for member in DistanceUnit}:
        problems.append(("unit", f"must be km or mi (got {unit!r})"))
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
    return SearchInput(near, code, radius, wanted, age, count, prefer, DistanceUnit(wanted_unit))


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
        "distance_mi": round(miles(hit.distance_km), 2),
        "source": site.source,
        "source_url": site.source_url,
        "last_verified": site.last_verified.isoformat() if site.last_verified else None,
        "is_sample": site.is_sample,
    }


def _choice_dict(choice: Choice) -> dict[str, Any]:
    return {"near": choice.near, "name": choice.name, "country": choice.country_code}


def _location_dict(location: Location) -> dict[str, Any]:
    return {
        "label": location.label,
        "name": location.display_name,
        "country": location.country_code or None,
        "latitude": location.latitude,
        "longitude": location.longitude,
        "kind": location.kind,
        "preferred": location.preferred,
        "alternatives": [_choice_dict(choice) for choice in location.alternatives],
    }


def _query_dict(search: SearchInput, *, radius: bool) -> dict[str, Any]:
    query: dict[str, Any] = {"near": search.near, "country": search.country}
    if radius:
        query["radius_km"] = search.radius_km
        query["radius_mi"] = round(miles(search.radius_km), 2)
    query.update(
        disciplines=list(search.disciplines),
        age_group=search.age_group,
        prefer_country=search.prefer_country,
    )
    return query


def _not_found(found: Unresolved) -> dict[str, Any]:
    return {
        "found": False,
        "location": None,
        "ambiguous": found.ambiguous,
        "suggestions": list(found.suggestions),
        "choices": [_choice_dict(choice) for choice in found.choices],
    }


def resolve(search: SearchInput) -> Location | Unresolved:
    """Where the search is centred, or choices; a caller running both searches resolves once."""
    return locate(search.near, search.country, prefer=search.prefer_country)


def services_search(search: SearchInput, *, place: Location | Unresolved | None = None) -> dict[str, Any]:
    found = resolve(search) if place is None else place
    answer: dict[str, Any] = {
        "query": _query_dict(search, radius=True),
        "distance_unit": search.unit.value,
        "attribution": ATTRIBUTION,
    }
    if isinstance(found, Unresolved):
        return {**answer, **_not_found(found), "results": []}
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
        "ambiguous": False,
        "suggestions": [],
        "choices": [],
        "results": [site_dict(hit) for hit in hits],
    }


def complete_care_search(
    search: SearchInput, *, place: Location | Unresolved | None = None
) -> dict[str, Any]:
    """The nearest centre with all `disciplines`, and where to find what the nearest centre lacks."""
    found = resolve(search) if place is None else place
    answer: dict[str, Any] = {
        "query": _query_dict(search, radius=False),
        "distance_unit": search.unit.value,
        "attribution": ATTRIBUTION,
    }
    if isinstance(found, Unresolved):
        return {**answer, **_not_found(found)}
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
        "ambiguous": False,
        "suggestions": [],
        "choices": [],
        "complete_centre": None if result.complete_centre is None else site_dict(result.complete_centre),
        "nearest_centre": None if result.nearest_centre is None else site_dict(result.nearest_centre),
        "nearest_centre_lacks": list(result.missing),
        "elsewhere": [
            {"discipline": code, "site": None if hit is None else site_dict(hit)}
            for code, hit in result.elsewhere.items()
        ],
    }
