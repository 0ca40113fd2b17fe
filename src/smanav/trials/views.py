"""The families' trial finder. POST (the answers are health data: they must not end up in URLs or logs);
nothing is stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from smanav.geo.models import ATTRIBUTION
from smanav.trials.forms import TrialFinderForm
from smanav.trials.services import trials_match_document
from smanav.user_locale import user_locale
from smanav_core import InvalidInput
from smanav_core.dates import day_words

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
                prefer_country=user_locale(request).country,
            )
        except InvalidInput as error:
            context["problems"] = error.problems
        else:
            context["answer"] = _for_the_page(answer)
    return render(request, "trials/finder.html", context)


def _for_the_page(answer: dict[str, Any]) -> dict[str, Any]:
    """What is to check, split for reading: the points smanav assessed, then the record's own criteria
    under what they are (asked for, reasons to be left out, or under no heading)."""
    for trial in answer["trials"]:
        to_check = trial["criteria"]["to_check"]
        written = [item for item in to_check if "html" in item]
        trial["page"] = {
            "to_check": [item for item in to_check if "html" not in item],
            "asks": [item for item in written if item["section"] == "inclusion"],
            "leaves_out": [item for item in written if item["section"] == "exclusion"],
            "other": [item for item in written if item["section"] is None],
            "written": len(written),
            "reviewed_on": (
                day_words(dt.date.fromisoformat(trial["curated_review"]["reviewed_on"]))
                if trial["curated_review"]
                else None
            ),
        }
    return answer
