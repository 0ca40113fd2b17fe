"""Who may review: the one check in front of every reviewer page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from smanav.accounts.decorators import signed_in
from smanav.accounts.http import AuthenticatedHttpRequest
from smanav.accounts.roles import has_verified_second_factor
from smanav.library.selectors import reviewer_for

P = ParamSpec("P")


def reviewer_required(
    view: Callable[Concatenate[AuthenticatedHttpRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Signed in, an active medical reviewer (anyone else is told the page does not exist), and past
    the TOTP check in this session: a sign-off changes what every family reads."""

    @wraps(view)
    def guarded(request: AuthenticatedHttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if reviewer_for(request.user) is None:
            raise Http404("not found")
        if not has_verified_second_factor(request.user):
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('accounts:two_factor')}?{query}")
        return view(request, *args, **kwargs)

    return signed_in(guarded)
