"""Page guards: signed in; for staff, researchers and administrators, past the TOTP check in this
session; and for researchers, only the pages a researcher has (`RESEARCHER_PAGES`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, cast
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url

from smanav.accounts.http import AuthenticatedHttpRequest
from smanav.accounts.roles import Role, has_verified_second_factor, needs_second_factor, role_of

P = ParamSpec("P")

# Every signed-in page a researcher reaches (ADR 0031): their own account's pages, "My records" (which
# sends them on to the dashboard) and the research cohort's dashboard. Any other signed-in page answers
# "not found", as to anyone without a part in it: a page added later is closed to researchers until it
# is named here.
RESEARCHER_PAGES = frozenset(
    {
        "accounts:account",
        "accounts:password_change",
        "accounts:email_change",
        "accounts:email_confirm",
        "accounts:recovery_codes",
        "patients:dashboard",
        "registry:cohort_dashboard",
        "registry:trajectory_chart",
        "registry:survival_chart",
    }
)


def _closed_to_researcher(request: HttpRequest) -> bool:
    match = request.resolver_match
    return match is None or match.view_name not in RESEARCHER_PAGES


def signed_in(
    view: Callable[Concatenate[AuthenticatedHttpRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Anonymous visitors go to the login page; staff, researchers and administrators first pass
    two-factor authentication (`needs_second_factor`); a researcher gets "not found" outside
    `RESEARCHER_PAGES`. The view receives the request typed as signed in."""

    @wraps(view)
    def guarded(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        user = request.user
        next_query = urlencode({"next": request.get_full_path()})
        if not user.is_authenticated:
            return HttpResponseRedirect(f"{resolve_url(settings.LOGIN_URL)}?{next_query}")
        if needs_second_factor(user) and not has_verified_second_factor(user):
            return HttpResponseRedirect(f"{resolve_url('accounts:two_factor')}?{next_query}")
        if role_of(user) is Role.RESEARCHER and _closed_to_researcher(request):
            raise Http404("No such page.")
        return view(cast(AuthenticatedHttpRequest, request), *args, **kwargs)

    return guarded
