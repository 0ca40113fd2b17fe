"""Page guards: signed in, and for staff and administrators, past the TOTP check in this session."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, cast
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url

from smanav.accounts.http import AuthenticatedHttpRequest
from smanav.accounts.roles import has_verified_second_factor, needs_second_factor

P = ParamSpec("P")


def signed_in(
    view: Callable[Concatenate[AuthenticatedHttpRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Anonymous visitors go to the login page; staff and administrators first pass two-factor
    authentication (`needs_second_factor`). The view receives the request typed as signed in."""

    @wraps(view)
    def guarded(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        user = request.user
        next_query = urlencode({"next": request.get_full_path()})
        if not user.is_authenticated:
            return HttpResponseRedirect(f"{resolve_url(settings.LOGIN_URL)}?{next_query}")
        if needs_second_factor(user) and not has_verified_second_factor(user):
            return HttpResponseRedirect(f"{resolve_url('accounts:two_factor')}?{next_query}")
        return view(cast(AuthenticatedHttpRequest, request), *args, **kwargs)

    return guarded
