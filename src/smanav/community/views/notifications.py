"""The notification pages: the inbox, opening a notification, marking read, the preferences, and the
unsubscribe link of the e-mails (the one page here that needs no signing in)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from smanav.community.access import MemberHttpRequest, member_required
from smanav.community.forms.notifications import PreferencesForm
from smanav.community.models import Member, NotificationKind
from smanav.community.notices import delivery as services
from smanav.community.selectors.notifications import (
    notification_of,
    notifications_page,
    notifications_unread_count,
)
from smanav.community.unsubscribe import unsubscribe_payload


@member_required
@require_http_methods(["GET"])
def inbox(request: MemberHttpRequest) -> HttpResponse:
    before = request.GET.get("before", "")
    page, more = notifications_page(
        member=request.member, before_id=int(before) if before.isdigit() else None
    )
    context = {
        "notices": [(notice, services.notification_target(notice)) for notice in page],
        "more": more,
        "unread": notifications_unread_count(member=request.member),
    }
    return render(request, "community/notifications/inbox.html", context)


@member_required
@require_http_methods(["GET"])
def notification_open(request: MemberHttpRequest, notification_id: int) -> HttpResponse:
    """Mark the notification read and go to what it is about."""
    notice = notification_of(member=request.member, notification_id=notification_id)
    if notice is None:
        raise Http404
    services.notifications_mark_read(member=request.member, notification_ids=[notice.pk])
    return redirect(services.notification_target(notice))


@member_required
@require_POST
def notifications_read(request: MemberHttpRequest) -> HttpResponse:
    """Mark one notification read (`notification`), or all of them."""
    one = request.POST.get("notification", "")
    changed = services.notifications_mark_read(
        member=request.member, notification_ids=[int(one)] if one.isdigit() else None
    )
    if changed and not one:
        messages.success(request, _("All your notifications are marked as read."))
    return redirect("community:notifications")


@member_required
@require_http_methods(["GET", "POST"])
def preferences(request: MemberHttpRequest) -> HttpResponse:
    current = {
        kind: services.choice_for(member=request.member, kind=kind) for kind in NotificationKind.values
    }
    form = PreferencesForm(request.POST or None, choices=current)
    if request.method == "POST" and form.is_valid():
        services.preferences_save(member=request.member, choices=form.chosen())
        messages.success(request, _("Your notification settings were saved."))
        return redirect("community:notification_preferences")
    return render(request, "community/notifications/preferences.html", {"form": form})


# The mail program's one-click request (RFC 8058) comes without a session or a CSRF token: the signed
# link is what proves it. It can only turn e-mails off.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with one button (a link scanner's GET changes nothing); POST: stop that kind of e-mail."""
    found = unsubscribe_payload(token)
    member = Member.objects.filter(pk=found[0]).first() if found else None
    if found is None or member is None:
        return render(request, "community/notifications/unsubscribe.html", {"refused": True}, status=404)
    kind = NotificationKind(found[1])
    done = request.method == "POST"
    if done:
        services.email_unsubscribe(member=member, kind=kind)
    context = {"kind": kind, "done": done, "digest": kind == NotificationKind.DIGEST}
    return render(request, "community/notifications/unsubscribe.html", context)
