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

router = Router(tags=["services"])


class SearchParams(Schema):
    near: str = Field(description='A place name ("Boston", "Springfield, IL", "Lyon, FR") or a postal code.')
    country: str | None = Field(None, description="ISO 3166-1 alpha-2 code narrowing the place, e.g. US, DE.")
    radius_km: float | None = Field(None, description="Search radius in km (default 100).")
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
    discipline: list[str] = Field(
        default_factory=list, json_schema_extra={"items": {"enum": list(Discipline.values)}}
    )
    age_group: str | None = Field(None, json_schema_extra={"enum": list(AgeGroup.values)})


def _checked(
    params: SearchParams | CompleteCareParams, *, radius_km: float | None = None, limit: int | None = None
) -> SearchInput:
    try:
        return check_input(
            near=params.near,
            country=params.country,
            radius_km=radius_km,
            disciplines=params.discipline,
            age_group=params.age_group,
            limit=limit,
        )
    except SearchProblem as problem:
        raise InvalidRequest(problem.problems) from None


@router.get(
    "/search",
    response={200: dict[str, Any], **error_responses(422)},
    summary="Find services near a place, nearest first",
    description="An unknown place answers `found: false` with `suggestions`, not an error.",
)
def search(request: HttpRequest, params: Query[SearchParams]) -> dict[str, Any]:
    return services_search(_checked(params, radius_km=params.radius_km, limit=params.limit))


@router.get(
    "/complete-care",
    response={200: dict[str, Any], **error_responses(422)},
    summary="The nearest centre with all of these disciplines, and where to find what it lacks",
)
def complete(request: HttpRequest, params: Query[CompleteCareParams]) -> dict[str, Any]:
    return complete_care_search(_checked(params))
