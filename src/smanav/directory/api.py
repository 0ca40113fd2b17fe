"""`/api/v1/services/...`: the services directory search (GET, no login: the directory is public)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from smanav.directory.disciplines import AgeGroup, Discipline
from smanav.directory.search import (
    SearchInput,
    SearchProblem,
    check_input,
    complete_care_search,
    services_search,
)
from smanav.jsonapi.errors import InvalidRequest, error_responses
from smanav.jsonapi.throttling import throttle
from smanav.user_locale import user_locale

router = Router(tags=["services"])


PREFER_COUNTRY = (
    "ISO 3166-1 alpha-2 code of the country to look in first: a postal code or a place name found there "
    "wins over the same one elsewhere. Default: the country of the first language of Accept-Language "
    "(en-US: US), else none, and a postal code found in several countries answers `found: false`, "
    "`ambiguous: true` with `choices`."
)
UNIT = "The unit the reader uses, `km` or `mi`, given back as `distance_unit`. Default: `mi` for US and GB "


class SearchParams(Schema):
    near: str = Field(description='A place name ("Boston", "Springfield, IL", "Lyon, FR") or a postal code.')
    country: str | None = Field(None, description="ISO 3166-1 alpha-2 code narrowing the place, e.g. US, DE.")
    prefer_country: str | None = Field(None, description=PREFER_COUNTRY)
    radius_km: float | None = Field(None, description="Search radius in km (default 100).")
    radius_mi: float | None = Field(None, description="Search radius in miles, instead of `radius_km`.")
    unit: str | None = Field(
        None,
        description=UNIT + "readers (see `prefer_country`) or with `radius_mi`, else `km`.",
        json_schema_extra={"enum": ["km", "mi"]},
    )
    discipline: list[str] = Field(
        default_factory=list,
        description="Repeat for several; a site must offer all of them.",
        json_schema_extra={"items": {"enum": list(Discipline.values)}},
    )
    age_group: str | None = Field(None, json_schema_extra={"enum": list(AgeGroup.values)})
    limit: int | None = Field(None, description="At most this many results (1-200, default 50).")


class CompleteCareParams(Schema):
    near: str
    country: str | None = None
    prefer_country: str | None = Field(None, description=PREFER_COUNTRY)
    unit: str | None = Field(
        None, description=UNIT + "readers, else `km`.", json_schema_extra={"enum": ["km", "mi"]}
    )
    discipline: list[str] = Field(
        default_factory=list, json_schema_extra={"items": {"enum": list(Discipline.values)}}
    )
    age_group: str | None = Field(None, json_schema_extra={"enum": list(AgeGroup.values)})


def _checked(
    request: HttpRequest,
    params: SearchParams | CompleteCareParams,
    *,
    radius_km: float | None = None,
    radius_mi: float | None = None,
    limit: int | None = None,
) -> SearchInput:
    locale = user_locale(request)
    unit = params.unit
    if unit is None and radius_mi is None:
        unit = locale.distance_unit.value
    try:
        return check_input(
            near=params.near,
            country=params.country,
            radius_km=radius_km,
            radius_mi=radius_mi,
            disciplines=params.discipline,
            age_group=params.age_group,
            limit=limit,
            prefer_country=params.prefer_country or locale.country,
            unit=unit,
        )
    except SearchProblem as problem:
        raise InvalidRequest(problem.problems) from None


@router.get(
    "/search",
    response={200: dict[str, Any], **error_responses(422)},
    summary="Find services near a place, nearest first",
    description=(
        "An unknown place answers `found: false` with `suggestions`, not an error; a place that several "
        "share (a postal code of several countries, a name like Springfield) answers `found: false`, "
        "`ambiguous: true` and `choices` (`near` to search again, `name` for a person). Each result "
        "gives `distance_km` and `distance_mi`; `distance_unit` says which one the reader uses."
    ),
)
def search(request: HttpRequest, params: Query[SearchParams]) -> dict[str, Any]:
    throttle(request, "search")
    checked = _checked(
        request, params, radius_km=params.radius_km, radius_mi=params.radius_mi, limit=params.limit
    )
    return services_search(checked)


@router.get(
    "/complete-care",
    response={200: dict[str, Any], **error_responses(422)},
    summary="The nearest centre with all of these disciplines, and where to find what it lacks",
)
def complete(request: HttpRequest, params: Query[CompleteCareParams]) -> dict[str, Any]:
    throttle(request, "search")
    return complete_care_search(_checked(request, params))
