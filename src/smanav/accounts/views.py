"""Sign-up, two-factor authentication, API tokens, clinics and the confirmation of staff and
administrator accounts. Log-in, log-out and password reset are Django's own views (see urls.py) with our
templates; the last step of a reset is audited and notified (`PasswordSetView`); django-axes throttles
failed log-ins."""

from __future__ import annotations

from base64 import b32encode
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from smanav.accounts.decorators import signed_in
from smanav.accounts.forms import (
    AccountDetailsForm,
    ApiTokenForm,
    ClinicForm,
    ResearcherForm,
    ResearcherPromoteForm,
    SignUpForm,
    StaffForm,
    TokenForm,
)
from smanav.accounts.grants import (
    GrantRefused,
    administrator_confirm,
    administrator_refuse,
    researcher_add,
    researcher_confirm,
    researcher_create,
    researcher_refuse,
    researcher_remove,
    staff_confirm,
    staff_member_create,
    staff_refuse,
)
from smanav.accounts.http import AuthenticatedHttpRequest
from smanav.accounts.links import LinkPurpose, link_payload
from smanav.accounts.models import (
    AdministratorGrant,
    ApiToken,
    Clinic,
    ResearcherGrant,
    StaffMembership,
    StaffRole,
)
from smanav.accounts.recovery import recovery_code_use
from smanav.accounts.roles import Role, is_staff_member, role_of
from smanav.accounts.selectors import (
    administrators_waiting,
    researchers_confirmed,
    researchers_waiting,
    staff_waiting,
)
from smanav.accounts.services import (
    LinkUsed,
    api_token_create,
    api_token_revoke,
    clinic_create,
    email_in_use,
    password_reset_record,
    signup_complete,
    signup_request,
    totp_device_confirm,
    totp_device_create,
)
from smanav.audit.selectors import account_events_recent


def _next_url(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return default


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Step 1: an email address and the privacy notice and terms accepted. The answer is the same for an
    address that has an account already (it gets an email saying so instead of a link)."""
    if request.user.is_authenticated:
        return redirect("patients:dashboard")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        signup_request(
            email=form.cleaned_data["email"],
            confirm_url=request.build_absolute_uri(reverse("accounts:signup_confirm", args=["-"]))[:-2],
        )
        request.session["signup_email"] = form.cleaned_data["email"]
        return redirect("accounts:signup_sent")
    status = 422 if request.method == "POST" else 200
    return render(request, "accounts/signup.html", {"form": form}, status=status)


def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_sent.html", {"email": request.session.get("signup_email", "")})


@require_http_methods(["GET", "POST"])
def signup_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Step 2, from the emailed link: choose a user name and a password; then the account exists, is
    signed in, and goes on to add a first record."""
    payload = link_payload(LinkPurpose.SIGNUP, token)
    if payload is None or email_in_use(str(payload.get("email", ""))):
        return render(request, "accounts/link_refused.html", {"again": "accounts:signup"}, status=400)
    form = AccountDetailsForm(request.POST or None, email=str(payload["email"]))
    if request.method == "POST" and form.is_valid():
        try:
            user = signup_complete(
                payload=payload,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
        except LinkUsed:
            return render(request, "accounts/link_refused.html", {"again": "accounts:signup"}, status=400)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome. Your account is ready: add your child's record, or your own."))
        return redirect("family:start")
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "email": payload["email"]}
    return render(request, "accounts/signup_confirm.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Staff and administrators prove a second factor: set up an authenticator app once, then enter its
    code. An account that has a device must use it: nothing here replaces a confirmed device."""
    user = request.user
    next_url = _next_url(request, "patients:dashboard")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    setting_up = device is None
    if setting_up:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or totp_device_create(
            user=user
        )
    form = TokenForm(request.POST or None)
    if setting_up:
        form.fields["token"].help_text = ""
    if request.method == "POST" and form.is_valid():
        allowed, _why = device.verify_is_allowed()
        if not allowed:
            form.add_error("token", _("Too many wrong codes. Wait a minute, then enter the current code."))
        elif device.verify_token(form.cleaned_data["token"].strip()):
            if setting_up:
                totp_device_confirm(device=device)
            otp_login(request, device)
            return redirect(next_url)
        elif not setting_up and (recovery := recovery_code_use(user=user, code=form.cleaned_data["token"])):
            otp_login(request, recovery)
            messages.warning(
                request,
                _(
                    "You logged in with a recovery code, which cannot be used again. If your phone is "
                    "lost, make new recovery codes and ask an administrator to reset your authenticator."
                ),
            )
            return redirect(next_url)
        else:
            form.add_error("token", _("That code is not right, or it has expired. Enter the current code."))
    context = {
        "form": form,
        "setting_up": setting_up,
        "secret": b32encode(bytes.fromhex(device.key)).decode() if setting_up else "",
        "config_url": device.config_url if setting_up else "",
        "next": next_url,
    }
    return render(request, "accounts/two_factor.html", context)


@signed_in
@require_http_methods(["GET", "POST"])
def api_tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Clinic staff create bearer tokens for their clinic's integrations."""
    if not is_staff_member(request.user):
        return HttpResponseRedirect("/")
    form = ApiTokenForm(request.POST or None)
    new_token = ""
    if request.method == "POST" and form.is_valid():
        _row, new_token = api_token_create(user=request.user, name=form.cleaned_data["name"])
        form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(
        request, "accounts/api_tokens.html", {"form": form, "tokens": tokens, "new_token": new_token}
    )


@signed_in
@require_http_methods(["POST"])
def api_token_revoke_view(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user, revoked_at__isnull=True)
    api_token_revoke(token=token)
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:api_tokens")


def _administrator_only(request: AuthenticatedHttpRequest) -> None:
    if role_of(request.user) is not Role.ADMINISTRATOR:
        raise Http404("Not an administrator account.")


@signed_in
@require_http_methods(["GET", "POST"])
def clinics(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Administrators add clinics and ask for staff and researcher accounts; another administrator
    confirms each staff, researcher or administrator account before it has any power (grants.py). A
    confirmed new account gets a link by email to choose its password, and sets up two-factor
    authentication at first log-in."""
    _administrator_only(request)
    clinic_form = ClinicForm(request.POST if "add_clinic" in request.POST else None, prefix="clinic")
    staff_form = StaffForm(request.POST if "add_staff" in request.POST else None, prefix="staff")
    researcher_form = ResearcherForm(
        request.POST if "add_researcher" in request.POST else None, prefix="researcher"
    )
    promote_form = ResearcherPromoteForm(
        request.POST if "promote_researcher" in request.POST else None, prefix="promote"
    )
    if clinic_form.is_bound and clinic_form.is_valid():
        clinic_create(**clinic_form.cleaned_data)
        messages.success(request, _("The clinic was added."))
        return redirect("accounts:clinics")
    if staff_form.is_bound and staff_form.is_valid():
        data = staff_form.cleaned_data
        staff_member_create(
            requested_by=request.user,
            username=data["username"],
            email=data["email"],
            clinic=data["clinic"],
            role=StaffRole(data["role"]),
        )
        messages.success(
            request,
            _(
                "The staff account waits for another administrator to confirm it. Once confirmed, a "
                "set-password link is sent to its email address."
            ),
        )
        return redirect("accounts:clinics")
    if researcher_form.is_bound and researcher_form.is_valid():
        researcher_create(
            requested_by=request.user,
            username=researcher_form.cleaned_data["username"],
            email=researcher_form.cleaned_data["email"],
        )
        messages.success(request, _researcher_waits())
        return redirect("accounts:clinics")
    if promote_form.is_bound and promote_form.is_valid():
        try:
            researcher_add(requested_by=request.user, user=promote_form.cleaned_data["username"])
        except GrantRefused as refused:
            promote_form.add_error("username", str(refused))
        else:
            messages.success(request, _researcher_waits())
            return redirect("accounts:clinics")
    status = 422 if request.method == "POST" else 200
    context = {
        "clinic_form": clinic_form,
        "staff_form": staff_form,
        "researcher_form": researcher_form,
        "promote_form": promote_form,
        "researchers": researchers_confirmed(),
        "researchers_waiting": researchers_waiting(),
        "clinics": Clinic.objects.prefetch_related("staff__user").order_by("name"),
        "single_admin": settings.SMANAV_SINGLE_ADMIN,
        "staff_waiting": staff_waiting(),
        "administrators_waiting": administrators_waiting(),
        "account_events": account_events_recent(),
    }
    return render(request, "accounts/clinics.html", context, status=status)


def _researcher_waits() -> str:
    return _(
        "The researcher account waits for another administrator to confirm it. Once confirmed, it sees "
        "the research cohort's dashboard, and a new account gets a set-password link at its email address."
    )


def _decide(
    request: AuthenticatedHttpRequest,
    confirm: Callable[[], Any],
    refuse: Callable[[], None],
    remove: Callable[[], None] | None = None,
) -> HttpResponse:
    decision = request.POST.get("decision")
    try:
        if decision == "confirm":
            confirm()
            messages.success(request, _("Confirmed."))
        elif decision == "refuse":
            refuse()
            messages.success(request, _("Refused: the account has no new powers."))
        elif decision == "remove" and remove is not None:
            remove()
            messages.success(request, _("Done: the account has no researcher's powers any more."))
        else:
            messages.error(request, _("Choose to confirm or to refuse."))
    except GrantRefused as refused:
        messages.error(request, str(refused))
    return redirect("accounts:clinics")


@signed_in
@require_POST
def staff_decide(request: AuthenticatedHttpRequest, membership_id: int) -> HttpResponse:
    """Confirm or refuse a staff account that waits (button on the clinics page)."""
    _administrator_only(request)
    membership = get_object_or_404(StaffMembership.objects.select_related("user", "clinic"), pk=membership_id)
    site = f"{request.scheme}://{request.get_host()}"
    return _decide(
        request,
        lambda: staff_confirm(actor=request.user, membership=membership, site=site),
        lambda: staff_refuse(actor=request.user, membership=membership),
    )


@signed_in
@require_POST
def administrator_decide(request: AuthenticatedHttpRequest, grant_id: int) -> HttpResponse:
    """Confirm or refuse an administrator account that waits (button on the clinics page)."""
    _administrator_only(request)
    grant = get_object_or_404(AdministratorGrant.objects.select_related("user"), pk=grant_id)
    return _decide(
        request,
        lambda: administrator_confirm(actor=request.user, grant=grant),
        lambda: administrator_refuse(actor=request.user, grant=grant),
    )


@signed_in
@require_POST
def researcher_decide(request: AuthenticatedHttpRequest, grant_id: int) -> HttpResponse:
    """Confirm or refuse a researcher account that waits, or end a confirmed one's powers (buttons on
    the clinics page)."""
    _administrator_only(request)
    grant = get_object_or_404(ResearcherGrant.objects.select_related("user"), pk=grant_id)
    site = f"{request.scheme}://{request.get_host()}"
    return _decide(
        request,
        lambda: researcher_confirm(actor=request.user, grant=grant, site=site),
        lambda: researcher_refuse(actor=request.user, grant=grant),
        lambda: researcher_remove(actor=request.user, grant=grant),
    )


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """Django's set-a-new-password page, which also writes the change to the audit trail and tells the
    account's owner by email: a password is never replaced silently."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        password_reset_record(user=form.user)
        return response
