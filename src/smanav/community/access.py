"""Who is a member, and the guard in front of every page that needs one.

Reading the community needs a member (a signed-in account that joined and accepted the guidelines):
the community is not public, so that what members write about their lives is read by members only.
A suspended member is treated as no member. Further checks (blocks, moderators, trust) live beside the
features that need them; this module stays the one place that says who a member is.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, cast

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from smanav.accounts.decorators import signed_in
from smanav.accounts.http import AuthenticatedHttpRequest, Visitor
from smanav.community.models import Member

P = ParamSpec("P")


class MemberHttpRequest(AuthenticatedHttpRequest):
    """A request from a member in good standing: `member` is theirs."""

    member: Member


def member_for(user: Visitor) -> Member | None:
    """The member an account is, or None (anonymous, never joined, or suspended now)."""
    if not user.is_authenticated:
        return None
    member = Member.objects.filter(user_id=user.pk).first()
    if member is None:
        return None
    if member.suspended_until is not None and member.suspended_until > timezone.now():
        return None
    return member


def member_required(
    view: Callable[Concatenate[MemberHttpRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Signed in (anonymous visitors go to the login page) and a member: an account that has not joined
    is sent to the page that explains the community and asks it to accept the guidelines."""

    @wraps(view)
    def guarded(request: AuthenticatedHttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        # Already found when one page hands the request to another (the community's home to the feed).
        member = getattr(request, "member", None) or member_for(request.user)
        if member is None:
            return HttpResponseRedirect(reverse("community:join"))
        typed = cast(MemberHttpRequest, request)
        typed.member = member
        return view(typed, *args, **kwargs)

    return signed_in(guarded)
