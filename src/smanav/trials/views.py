"""The families' trial finder. POST (the answers are health data: they must not end up in URLs or logs);
nothing is stored."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from smanav.geo.models import ATTRIBUTION
from smanav.trials.forms import TrialFinderForm
from smanav.trials.services import trials_match_document
from smanav_core import InvalidInput

# Rendered as a fieldset of radio buttons or check boxes; the others as one labelled input each.
CHOICE_FIELDS = ("sex", "symptomatic", "motor", "ventilation", "treatments")


def trials_page(request: HttpRequest) -> HttpResponse:
    form = TrialFinderForm(request.POST or None)
    context: dict[str, Any] = {"form": form, "attribution": ATTRIBUTION, "choice_fields": CHOICE_FIELDS}
    if request.method == "POST" and form.is_valid():
        try:
            answer = trials_match_document(
                form.record(),
                as_of=timezone.localdate(),
                near=form.cleaned_data.get("near") or None,
                country=form.cleaned_data.get("country") or None,
            )
        except InvalidInput as error:
            context["problems"] = error.problems
        else:
            context["answer"] = answer
    return render(request, "trials/finder.html", context)
