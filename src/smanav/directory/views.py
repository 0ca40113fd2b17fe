"""The services finder page. GET only, so a search is a link a family can bookmark or share."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language_info

from smanav.directory.disciplines import OrganisationKind, age_label, discipline_label
from smanav.directory.forms import DEFAULT_RADIUS, ServicesSearchForm
from smanav.directory.importing.nppes import SOURCE as NPPES_SOURCE
from smanav.directory.search import (
    SearchProblem,
    check_input,
    complete_care_search,
    resolve,
    services_search,
)
from smanav.geo.labels import country_name
from smanav.geo.models import ATTRIBUTION
from smanav.user_locale import DistanceUnit, LocaleSource, user_locale

# Sources whose key is not a name a family would recognise; curated lists are keyed by their own name.
SOURCE_NAMES = {NPPES_SOURCE: "NPPES, the US national register of health-care providers"}


def _language_name(code: str) -> str:
    """ "es" -> "Spanish", from Django's table of languages; a code it does not know is shown as given."""
    try:
        return str(get_language_info(code)["name"])
    except KeyError:
        return code


def _labelled(item: dict[str, Any] | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {
        **item,
        "discipline_labels": [discipline_label(code) for code in item["disciplines"]],
        "language_names": [_language_name(code) for code in item["languages"]],
        "age_words": " and ".join(age_label(a).lower() for a in item["age_groups"]) or "not known",
        "kind_label": str(OrganisationKind(item["kind"]).label),
        "source_name": SOURCE_NAMES.get(item["source"], item["source"]),
        "country_name": country_name(item["country"]) if item["country"] else "",
        # A date object, so the page writes it the reader's way ("21 Nov 2026", "Nov. 21, 2026").
        "last_verified_on": dt.date.fromisoformat(item["last_verified"]) if item["last_verified"] else None,
    }


def _links(base: dict[str, list[str]], choices: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(name, href) for each place to search instead, keeping the rest of the search."""
    return [(c["name"], "?" + urlencode({**base, "near": [c["near"]]}, doseq=True)) for c in choices]


def _bookmark_data(request: HttpRequest, unit: DistanceUnit) -> Any:
    """The form's data: links made before distances had a unit (`radius_km=500`) still work, and the
    reader's unit and the default distance are shown as chosen."""
    data = request.GET.copy()
    if not data:
        return None
    legacy = data.get("radius_km", "")
    if legacy and not data.get("radius"):
        data["radius"] = legacy
        data.setdefault("unit", DistanceUnit.KM.value)
    if not data.get("unit"):
        data["unit"] = unit.value
    if not data.get("radius"):
        data["radius"] = DEFAULT_RADIUS
    return data


def services_page(request: HttpRequest) -> HttpResponse:
    locale = user_locale(request)
    form = ServicesSearchForm(_bookmark_data(request, locale.distance_unit), unit=locale.distance_unit)
    context: dict[str, Any] = {
        "form": form,
        "attribution": ATTRIBUTION,
        "searched": False,
        "unit": form.chosen_unit.value,
        "home_country": country_name(locale.country) if locale.country else "",
        "home_from_records": locale.source is LocaleSource.RECORD,
    }
    if request.GET and form.is_valid():
        cleaned = form.cleaned_data
        in_miles = cleaned["unit"] is DistanceUnit.MI
        try:
            search = check_input(
                near=cleaned["near"],
                country=cleaned["country"] or None,
                radius_km=None if in_miles else cleaned["radius"],
                radius_mi=cleaned["radius"] if in_miles else None,
                disciplines=cleaned["discipline"],
                age_group=cleaned["age_group"] or None,
                limit=50,
                prefer_country=locale.country,
                unit=cleaned["unit"].value,
            )
        except SearchProblem as problem:
            for field, message in problem.problems:
                form.add_error(field if field in form.fields else None, message)
        else:
            place = resolve(search)
            answer = services_search(search, place=place)
            context.update(
                searched=True,
                answer=answer,
                results=[_labelled(r) for r in answer["results"]],
                radius=cleaned["radius"],
            )
            base = {k: v for k, v in request.GET.lists() if k != "near"}
            if not answer["found"]:
                context["choice_links"] = _links(base, answer["choices"])
            else:
                location = answer["location"]
                context["alternative_links"] = _links(base, location["alternatives"][:5])
                context["passed_over"] = ", ".join(
                    dict.fromkeys(country_name(c["country"]) for c in location["alternatives"])
                )
            if answer["found"] and search.disciplines:
                care = complete_care_search(search, place=place)
                context["care"] = {
                    "complete": _labelled(care["complete_centre"]),
                    "nearest": _labelled(care["nearest_centre"]),
                    "lacks": [discipline_label(code) for code in care["nearest_centre_lacks"]],
                    "elsewhere": [
                        {"label": discipline_label(e["discipline"]), "site": _labelled(e["site"])}
                        for e in care["elsewhere"]
                    ],
                }
            context["wanted_labels"] = [discipline_label(code) for code in search.disciplines]
            context["age_label"] = age_label(search.age_group).lower() if search.age_group else ""
    return render(request, "directory/services.html", context)
