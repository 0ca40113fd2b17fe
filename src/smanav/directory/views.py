"""The services finder page. GET only, so a search is a link a family can bookmark or share."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language_info

from smanav.directory.disciplines import OrganisationKind, age_label, discipline_label
from smanav.directory.forms import ServicesSearchForm
from smanav.directory.importing.nppes import SOURCE as NPPES_SOURCE
from smanav.directory.search import (
    SearchProblem,
    check_input,
    complete_care_search,
    resolve,
    services_search,
)
from smanav.geo.models import ATTRIBUTION

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
    }


def services_page(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    if data and not data.get("radius_km"):
        data["radius_km"] = "100"  # the default, shown as chosen in the form
    form = ServicesSearchForm(data or None)
    context: dict[str, Any] = {"form": form, "attribution": ATTRIBUTION, "searched": False}
    if request.GET and form.is_valid():
        cleaned = form.cleaned_data
        try:
            search = check_input(
                near=cleaned["near"],
                country=cleaned["country"] or None,
                radius_km=cleaned["radius_km"],
                disciplines=cleaned["discipline"],
                age_group=cleaned["age_group"] or None,
                limit=50,
            )
        except SearchProblem as problem:
            for field, message in problem.problems:
                form.add_error(field if field in form.fields else None, message)
        else:
            place = resolve(search)
            answer = services_search(search, place=place)
            context.update(searched=True, answer=answer, results=[_labelled(r) for r in answer["results"]])
            if not answer["found"]:
                base = {k: v for k, v in request.GET.lists() if k != "near"}
                context["suggestion_links"] = [
                    (label, "?" + urlencode({**base, "near": [label]}, doseq=True))
                    for label in answer["suggestions"]
                ]
            elif search.disciplines:
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
