"""Family pages: the guided form that adds a child's record or one's own, the carers of a record, and
leaving (deleting the account). Thin: the patients app's services write, its chokepoints read."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from smanav.accounts.decorators import signed_in
from smanav.accounts.http import AuthenticatedHttpRequest
from smanav.accounts.roles import clinic_of
from smanav.family.forms import GuidedRecordForm
from smanav.patients import services
from smanav.user_locale import user_locale
from smanav_core import InvalidInput

# The core's problems, by the record's field path, shown against the guided form's question.
FIELD_OF_PATH = {
    "birth_date": "birth_date",
    "region": "region",
    "genetics.smn1_copies": "smn1_copies",
    "genetics.smn2_copies": "smn2_copies",
    "clinical.symptomatic": "symptomatic",
    "clinical.max_motor_milestone": "max_motor_milestone",
    "clinical.current_motor_function": "current_motor_function",
}


@signed_in
@require_http_methods(["GET", "POST"])
def record_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Add my child / add myself, in plain words; lands on the new record with its evaluation."""
    if clinic_of(request.user) is not None:
        return redirect("patients:new")
    region = user_locale(request).region
    initial = {"form_key": secrets.token_urlsafe(24), "region": region.value if region else ""}
    form = GuidedRecordForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            patient = services.patient_create(
                author=request.user,
                display_name=form.cleaned_data["display_name"],
                document=form.document(),
                as_of=timezone.localdate(),
                relation=form.cleaned_data["relation"],
                creation_key=form.cleaned_data.get("form_key") or None,
            )
        except InvalidInput as error:
            for path, message in error.problems:
                field = FIELD_OF_PATH.get(path)
                if field is None:
                    form.add_error(None, _("This could not be saved: %(problem)s") % {"problem": message})
                else:
                    form.add_error(field, message)
        else:
            messages.success(request, _("The record was saved. Here is what it means."))
            return redirect("patients:detail", patient_id=patient.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "family/record_add.html", {"form": form}, status=status)
