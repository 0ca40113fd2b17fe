"""The public pages: the front door, the privacy notice and terms, evaluate a record (for clinicians and
developers), the triage questionnaire, the bibliography.

Nothing is stored: a record pasted here is evaluated and shown, then forgotten. The core is called the
same way the API calls it, so a page, the API and the CLI give the same answer for the same input.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from smanav.accounts.policies import PRIVACY_VERSION, TERMS_VERSION
from smanav.jsonapi.documents import json_document
from smanav.web.forms import EvaluateForm, TriageForm
from smanav.web.result_display import evaluation_view, triage_view
from smanav_core import InvalidInput, evaluation_of, load_knowledge, triage_of


def home(request: HttpRequest) -> HttpResponse:
    """The front door: what smanav does and where to start, for a family first."""
    return render(request, "web/home.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "web/privacy.html", {"version": PRIVACY_VERSION})


def terms(request: HttpRequest) -> HttpResponse:
    return render(request, "web/terms.html", {"version": TERMS_VERSION})


@require_http_methods(["GET", "POST"])
def evaluate_page(request: HttpRequest) -> HttpResponse:
    """Paste a record (the contract's JSON document) and read its evaluation: for clinicians and
    developers. Families add a record with the guided form instead."""
    today = timezone.localdate()
    context: dict[str, Any] = {"today": today}
    if request.method != "POST":
        context["form"] = EvaluateForm(initial={"as_of": today})
        return render(request, "web/evaluate.html", context)

    form = EvaluateForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return render(request, "web/evaluate.html", context, status=422)
    try:
        record = json_document(form.cleaned_data["document"], "record")
        result = evaluation_of(
            record, region=form.cleaned_data["region"] or None, as_of=form.cleaned_data["as_of"] or today
        )
    except InvalidInput as error:
        context["problems"] = error.problems
        return render(request, "web/evaluate.html", context, status=422)
    context.update(evaluation_view(result))
    return render(request, "web/evaluate.html", context)


@require_http_methods(["GET", "POST"])
def triage_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "web/triage.html", {"form": TriageForm()})
    form = TriageForm(request.POST)
    context: dict[str, Any] = {"form": form}
    if not form.is_valid():
        return render(request, "web/triage.html", context, status=422)
    try:
        result = triage_of(form.answers(), as_of=timezone.localdate())
    except InvalidInput as error:
        context["problems"] = error.problems
        return render(request, "web/triage.html", context, status=422)
    context.update(triage_view(result))
    return render(request, "web/triage.html", context)


def sources(request: HttpRequest) -> HttpResponse:
    knowledge = load_knowledge()
    entries = sorted(knowledge.sources.items(), key=lambda item: (item[1].title.lower(), item[0]))
    return render(request, "web/sources.html", {"sources": entries, "knowledge_version": knowledge.version})


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's answer to a request it cannot read (a broken form upload, a body above the size limit):
    a page that says which problem it was, in words, and that nothing was saved."""
    if isinstance(exception, MultiPartParserError):
        problem = _(
            "The form was sent in a broken format (multipart without a valid boundary), so none of it "
            "could be read."
        )
    elif isinstance(exception, RequestDataTooBig):
        problem = _("What was sent is too large: a form or upload may be at most 2.5 MB.")
    elif isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        problem = _("The form has too many fields or files.")
    else:
        problem = _("The request was not in a form this site can read.")
    return render(request, "400.html", {"problem": problem}, status=400)
