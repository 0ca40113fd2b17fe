"""A person's own account: the account page, change password, change email (confirmed by a link to the
new address), reminder preferences, and two-factor recovery codes for staff. Deleting the account is a
family page (`smanav.family`), because it deletes records too."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from smanav.accounts.decorators import signed_in
from smanav.accounts.forms import EmailChangeForm, ReminderForm
from smanav.accounts.http import AuthenticatedHttpRequest
from smanav.accounts.links import LinkPurpose, link_payload
from smanav.accounts.recovery import recovery_codes_create, recovery_codes_left
from smanav.accounts.roles import Role, needs_second_factor, role_of
from smanav.accounts.services import (
    LinkUsed,
    email_change_confirm,
    email_change_request,
    password_change_record,
    reminder_preference_of,
    reminder_preference_set,
)


def _status(request: AuthenticatedHttpRequest, form: Any) -> int:
    return 422 if request.method == "POST" and form.errors else 200


@signed_in
def account(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "is_family": role_of(user) is Role.FAMILY,
        # A researcher has no records, so no reminders or notices about them (ADR 0031).
        "is_researcher": role_of(user) is Role.RESEARCHER,
        "needs_second_factor": needs_second_factor(user),
        "codes_left": recovery_codes_left(user=user),
        "reminders": reminder_preference_of(user),
    }
    return render(request, "accounts/account.html", context)


class _PasswordChangeForm(PasswordChangeForm):
    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": gettext_lazy("Your current password is not right. Enter it again."),
        "password_mismatch": gettext_lazy("The two new passwords are not the same. Type them again."),
    }


@signed_in
@require_http_methods(["GET", "POST"])
def password_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = _PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)  # keep this session signed in
        password_change_record(user=request.user)
        messages.success(request, _("Your password was changed. We sent a note to your email address."))
        return redirect("accounts:account")
    return render(request, "accounts/password_change.html", {"form": form}, status=_status(request, form))


@signed_in
@require_http_methods(["GET", "POST"])
def email_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = EmailChangeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        email_change_request(
            user=request.user,
            new_email=form.cleaned_data["new_email"],
            confirm_url=request.build_absolute_uri(reverse("accounts:email_confirm", args=["-"]))[:-2],
        )
        messages.success(
            request,
            _(
                "We sent a link to %(email)s. Your address changes when you open it, signed in to this "
                "account, within a day."
            )
            % {"email": form.cleaned_data["new_email"]},
        )
        return redirect("accounts:account")
    return render(request, "accounts/email_change.html", {"form": form}, status=_status(request, form))


@signed_in
def email_confirm(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    payload = link_payload(LinkPurpose.EMAIL_CHANGE, token)
    if payload is not None:
        try:
            email_change_confirm(user=request.user, payload=payload)
        except LinkUsed:
            payload = None
    if payload is None:
        return render(request, "accounts/link_refused.html", {"again": "accounts:email_change"}, status=400)
    messages.success(request, _("Your email address is now %(email)s.") % {"email": request.user.email})
    return redirect("accounts:account")


@signed_in
@require_http_methods(["GET", "POST"])
def reminders(request: AuthenticatedHttpRequest) -> HttpResponse:
    current = reminder_preference_of(request.user)
    form = ReminderForm(
        request.POST or None,
        initial={
            "enabled": current.enabled,
            "days_before": current.days_before,
            "news_by_email": current.news_by_email,
        },
    )
    if request.method == "POST" and form.is_valid():
        reminder_preference_set(
            user=request.user,
            enabled=form.cleaned_data["enabled"],
            days_before=form.cleaned_data["days_before"],
            news_by_email=form.cleaned_data["news_by_email"],
        )
        messages.success(request, _("Your reminder settings were saved."))
        return redirect("accounts:account")
    return render(request, "accounts/reminders.html", {"form": form}, status=_status(request, form))


@signed_in
@require_http_methods(["GET", "POST"])
def recovery_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Staff and administrators make ten recovery codes, shown once (making new ones ends the old)."""
    if not needs_second_factor(request.user):
        return redirect("accounts:account")
    codes: list[str] = []
    if request.method == "POST":
        codes = recovery_codes_create(user=request.user)
    context = {"codes": codes, "codes_left": recovery_codes_left(user=request.user)}
    return render(request, "accounts/recovery_codes.html", context)
