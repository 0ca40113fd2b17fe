"""Family pages: the guided form that adds a child's record or one's own, the carers of a record, and
leaving (deleting the account). Thin: the patients app's services write, its chokepoints read."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth import logout
from django.db.models import ProtectedError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from smanav.accounts.decorators import signed_in
from smanav.accounts.http import AuthenticatedHttpRequest
from smanav.accounts.links import LinkPurpose, link_payload
from smanav.accounts.roles import Role, clinic_of, role_of
from smanav.audit.purposes import Purpose
from smanav.family.forms import AccountDeleteForm, CarerInviteForm, GuidedRecordForm
from smanav.patients import services
from smanav.patients.access import patient_get_for_manager
from smanav.patients.problem_words import plain_problem, record_subject, subject_of_label
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
            # Said in the form's words (the question as it is labelled, what to do), never the path.
            for path, message in error.problems:
                field = FIELD_OF_PATH.get(path)
                if field is None:
                    form.add_error(None, plain_problem(message, subject=record_subject(path)))
                else:
                    subject = subject_of_label(form.fields[field].label)
                    form.add_error(field, plain_problem(message, subject=subject))
        else:
            messages.success(request, _("The record was saved. Here is what it means."))
            return redirect("patients:detail", patient_id=patient.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "family/record_add.html", {"form": form}, status=status)


@signed_in
@require_http_methods(["GET", "POST"])
def carers(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    """Who keeps this record with me: invite a second carer by email, remove one, withdraw an invitation."""
    patient = patient_get_for_manager(
        user=request.user, patient_id=patient_id, purpose=Purpose.page("carers page")
    )
    form = CarerInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.carer_invite(
            author=request.user,
            patient_id=patient.pk,
            email=form.cleaned_data["email"],
            accept_url=request.build_absolute_uri(reverse("family:carer_accept", args=["-"]))[:-2],
        )
        messages.success(
            request, _("We sent the invitation to %(email)s.") % {"email": form.cleaned_data["email"]}
        )
        return redirect("family:carers", patient_id=patient.pk)
    guardians = [
        (guardian, services.carer_may_remove(actor=request.user, guardian=guardian))
        for guardian in patient.guardians.select_related("user").order_by("created_at", "id")
    ]
    invitations = patient.carer_invitations.filter(accepted_at__isnull=True, withdrawn_at__isnull=True)
    context = {"patient": patient, "form": form, "guardians": guardians, "invitations": invitations}
    status = 422 if request.method == "POST" else 200
    return render(request, "family/carers.html", context, status=status)


@signed_in
@require_POST
def carer_remove(request: AuthenticatedHttpRequest, patient_id: int, guardian_id: int) -> HttpResponse:
    patient = patient_get_for_manager(
        user=request.user, patient_id=patient_id, purpose=Purpose.page("carers page")
    )
    leaving = patient.guardians.filter(pk=guardian_id, user=request.user).exists()
    if not services.carer_remove(author=request.user, patient_id=patient.pk, guardian_id=guardian_id):
        raise Http404("No such carer.")
    if leaving:
        messages.success(
            request, _("You no longer keep the record of %(name)s.") % {"name": patient.display_name}
        )
        return redirect("patients:dashboard")
    messages.success(request, _("That carer no longer sees the record."))
    return redirect("family:carers", patient_id=patient.pk)


@signed_in
@require_POST
def carer_invitation_withdraw(
    request: AuthenticatedHttpRequest, patient_id: int, invitation_id: int
) -> HttpResponse:
    patient = patient_get_for_manager(
        user=request.user, patient_id=patient_id, purpose=Purpose.page("carers page")
    )
    if not patient.carer_invitations.filter(pk=invitation_id).exists():
        raise Http404("No such invitation.")
    services.carer_invitation_withdraw(
        author=request.user, patient_id=patient.pk, invitation_id=invitation_id
    )
    messages.success(request, _("The invitation was withdrawn: its link no longer works."))
    return redirect("family:carers", patient_id=patient.pk)


@signed_in
@require_http_methods(["GET", "POST"])
def carer_accept(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    """The invited carer, signed in with the invited address, accepts; then the record is theirs too."""
    payload = link_payload(LinkPurpose.CARER_INVITATION, token)
    refused = render(request, "accounts/link_refused.html", {"again": None}, status=400)
    if payload is None:
        return refused
    if (request.user.email or "").lower() != str(payload.get("email", "")).lower():
        context = {"email": payload.get("email", "")}
        return render(request, "family/carer_wrong_account.html", context, status=403)
    if request.method != "POST":
        return render(request, "family/carer_accept.html", {})
    try:
        guardian = services.carer_accept(
            user=request.user, invitation_id=int(payload["invitation"]), email=str(payload["email"])
        )
    except services.InvitationRefused:
        return refused
    messages.success(request, _("You now keep this record too."))
    return redirect("patients:detail", patient_id=guardian.patient_id)


@signed_in
@require_http_methods(["GET", "POST"])
def account_delete(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Delete my account, after offering the download of everything entered; says exactly which records
    go with it and which stay with another carer; asks for the password."""
    if role_of(request.user) is not Role.FAMILY:
        return render(request, "family/account_delete_staff.html", status=403)
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_delete(user=request.user)
        except ProtectedError:
            form.add_error(
                None,
                _(
                    "This account signed off library articles, so it cannot be deleted here. "
                    "Ask an administrator."
                ),
            )
        else:
            logout(request)
            messages.success(request, _("Your account was deleted."))
            return redirect("home")
    plan = services.account_leaving_plan(user=request.user)
    status = 422 if request.method == "POST" else 200
    return render(request, "family/account_delete.html", {"form": form, "plan": plan}, status=status)
