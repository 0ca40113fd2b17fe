"""The members' pages: the community's home, joining, the guidelines, profiles, settings, blocks and
mutes, the welcoming committee, members like me, exporting my data and leaving. Thin: forms check,
services write, selectors read."""

from __future__ import annotations

import json
from typing import cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smanav.accounts.decorators import signed_in
from smanav.accounts.http import AuthenticatedHttpRequest
from smanav.community.access import MemberHttpRequest, member_for, member_required
from smanav.community.forms.members import (
    GuidelinesForm,
    JoinForm,
    LeaveForm,
    PhotoForm,
    ProfileForm,
    SettingsForm,
    WelcomeForm,
)
from smanav.community.members_choices import GUIDELINES_VERSION
from smanav.community.models import FollowKind, Member
from smanav.community.pictures import PictureRefused, picture_create
from smanav.community.selectors import members as selectors
from smanav.community.selectors.members_export import member_export
from smanav.community.services import members as services
from smanav.community.views import posts as posts_views


def _posted(request: HttpRequest) -> QueryDict | None:
    """The form's data on a POST (even an empty one, so that it is checked), none on a GET."""
    return request.POST if request.method == "POST" else None


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The community's front page. A member sees the feed (the conversation's page, with the member's
    links and notices in its layout); a visitor, or an account that has not joined, reads what the
    community is and how to join. Nothing members wrote is shown to anyone but members."""
    member = member_for(request.user)
    if member is not None:
        cast(MemberHttpRequest, request).member = member  # the feed's guard need not look it up again
        return posts_views.feed_page(request)
    return render(request, "community/members/landing.html")


@signed_in
@require_http_methods(["GET", "POST"])
def join(request: AuthenticatedHttpRequest) -> HttpResponse:
    """An account joins the community: a display name and the guidelines accepted."""
    if member_for(request.user) is not None:
        return redirect("community:home")
    form = JoinForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.member_join(
                user=request.user,
                display_name=form.cleaned_data["display_name"],
                accepted_guidelines=form.cleaned_data["accept"],
            )
        except services.MemberRefused as refusal:
            form.add_error("display_name", str(refusal))
        else:
            messages.success(
                request, _("Welcome to the community. You can tell others about yourself on your profile.")
            )
            return redirect("community:profile_edit")
    status = 422 if request.method == "POST" else 200
    return render(request, "community/members/join.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def guidelines(request: HttpRequest) -> HttpResponse:
    """The community guidelines, readable by anyone; a member who accepted an older version accepts
    this one here."""
    member = member_for(request.user)
    needs = member is not None and selectors.needs_guidelines(member)
    form = GuidelinesForm(_posted(request)) if needs else None
    if request.method == "POST":
        if member is None or form is None:
            return redirect("community:guidelines")
        if form.is_valid():
            services.guidelines_accept(member=member)
            messages.success(request, _("Thank you: you accepted the new guidelines."))
            return redirect("community:home")
    context = {"form": form, "version": GUIDELINES_VERSION, "member": member}
    status = 422 if form is not None and form.errors else 200
    return render(request, "community/members/guidelines.html", context, status=status)


@member_required
def me(request: MemberHttpRequest) -> HttpResponse:
    return redirect("community:member", member_id=request.member.pk)


@member_required
def member_detail(request: MemberHttpRequest, member_id: int) -> HttpResponse:
    """A member's profile, as members see it: only the details they chose to show."""
    member = selectors.member_get_visible(viewer=request.member, member_id=member_id)
    context = {
        "profile": member,
        "details": selectors.shown_details(member),
        "is_me": member.pk == request.member.pk,
        "links": selectors.links_of(request.member, member),
    }
    return render(request, "community/members/profile.html", context)


@member_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: MemberHttpRequest) -> HttpResponse:
    form = ProfileForm(_posted(request), member=request.member)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_profile_update(member=request.member, **form.cleaned_data)
        except services.MemberRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Your profile was saved."))
            return redirect("community:member", member_id=request.member.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "community/members/profile_edit.html", {"form": form}, status=status)


@member_required
@require_http_methods(["GET", "POST"])
def settings(request: MemberHttpRequest) -> HttpResponse:
    form = SettingsForm(_posted(request), member=request.member)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_settings_update(member=request.member, **form.cleaned_data)
        except services.MemberRefused as refusal:
            form.add_error("is_welcomer", str(refusal))
        else:
            messages.success(request, _("Your settings were saved."))
            return redirect("community:settings")
    status = 422 if request.method == "POST" else 200
    return render(request, "community/members/settings.html", {"form": form}, status=status)


@member_required
@require_http_methods(["GET", "POST"])
def photo_edit(request: MemberHttpRequest) -> HttpResponse:
    """Add, replace or remove the profile photo (checked and stripped of its metadata by pictures.py)."""
    form = PhotoForm(_posted(request), request.FILES or None)
    if request.method == "POST" and request.POST.get("remove") == "1":
        services.member_photo_set(member=request.member, picture=None)
        messages.success(request, _("Your photo was removed."))
        return redirect("community:member", member_id=request.member.pk)
    if request.method == "POST" and form.is_valid():
        try:
            picture = picture_create(
                owner=request.member,
                upload=form.cleaned_data["photo"],
                alt_text=form.cleaned_data["description"],
            )
        except PictureRefused as refusal:
            form.add_error("photo", refusal.message)
        else:
            services.member_photo_set(member=request.member, picture=picture)
            messages.success(request, _("Your photo was saved."))
            return redirect("community:member", member_id=request.member.pk)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "member": request.member}
    return render(request, "community/members/photo_edit.html", context, status=status)


_LINK_DONE = {
    (FollowKind.BLOCK, True): "You blocked {name}. Neither of you sees the other now.",
    (FollowKind.BLOCK, False): "You unblocked {name}.",
    (FollowKind.MUTE, True): "You muted {name}. You will not see their posts and replies.",
    (FollowKind.MUTE, False): "You unmuted {name}.",
    (FollowKind.FOLLOW, True): "You follow {name}.",
    (FollowKind.FOLLOW, False): "You no longer follow {name}.",
}


@member_required
@require_POST
def member_link(request: MemberHttpRequest, member_id: int) -> HttpResponse:
    """Block, mute or follow a member, or undo it. Unblocking works on a member one no longer sees."""
    kind_value = request.POST.get("kind", "")
    on = request.POST.get("on") == "1"
    if kind_value not in FollowKind.values:
        raise Http404
    kind = FollowKind(kind_value)
    if kind == FollowKind.BLOCK and not on:
        other = Member.objects.filter(pk=member_id).first()
        if other is None:
            raise Http404
    else:
        other = selectors.member_get_visible(viewer=request.member, member_id=member_id)
    try:
        services.member_link_set(member=request.member, other=other, kind=kind, on=on)
    except services.MemberRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _(_LINK_DONE[(kind, on)]).format(name=other.display_name))
    if kind == FollowKind.BLOCK or request.POST.get("back") == "links":
        return redirect("community:links")
    return redirect("community:member", member_id=other.pk)


@member_required
def links(request: MemberHttpRequest) -> HttpResponse:
    """The members I blocked, muted or follow, each with a way to undo it."""
    context = {
        "blocked": selectors.links_made(request.member, FollowKind.BLOCK),
        "muted": selectors.links_made(request.member, FollowKind.MUTE),
        "followed": selectors.links_made(request.member, FollowKind.FOLLOW),
    }
    return render(request, "community/members/links.html", context)


@member_required
def welcome_queue(request: MemberHttpRequest) -> HttpResponse:
    """The welcoming committee's queue: new members nobody has greeted yet."""
    if not request.member.is_welcomer:
        return render(request, "community/members/welcome_closed.html", status=403)
    context = {"queue": selectors.welcome_queue(welcomer=request.member), "form": WelcomeForm()}
    return render(request, "community/members/welcome.html", context)


@member_required
@require_POST
def welcome(request: MemberHttpRequest, member_id: int) -> HttpResponse:
    if not request.member.is_welcomer:
        return render(request, "community/members/welcome_closed.html", status=403)
    newcomer = selectors.member_get_visible(viewer=request.member, member_id=member_id)
    form = WelcomeForm(request.POST)
    if form.is_valid():
        try:
            services.member_welcome(
                welcomer=request.member, member=newcomer, message=form.cleaned_data["message"]
            )
        except services.MemberRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("You welcomed {name}.").format(name=newcomer.display_name))
    else:
        messages.error(
            request,
            _("Your welcome: {error}").format(error=" ".join(str(error) for error in form.errors["message"])),
        )
    return redirect("community:welcome_queue")


@member_required
def like_me(request: MemberHttpRequest) -> HttpResponse:
    """Members like me: opt-in, matched only on what both members show."""
    context = {
        "member": request.member,
        "matches": selectors.members_like_me(member=request.member),
        "shows_something": bool(selectors.shown_details(request.member)),
    }
    return render(request, "community/members/like_me.html", context)


@member_required
def export(request: MemberHttpRequest) -> HttpResponse:
    """Everything I wrote and set in the community, as a JSON download."""
    data = member_export(member=request.member)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, default=str),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="my-community-data-{stamp}.json"'
    return response


@member_required
@require_http_methods(["GET", "POST"])
def leave(request: MemberHttpRequest) -> HttpResponse:
    """Leave the community (the account stays): posts removed or kept without my name."""
    initial = {"posts": "remove" if request.member.remove_posts_on_leaving else "keep"}
    form = LeaveForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        services.member_leave(member=request.member, remove_posts=form.cleaned_data["posts"] == "remove")
        messages.success(request, _("You left the community. Your account is still here."))
        return HttpResponseRedirect(reverse("community:home"))
    status = 422 if request.method == "POST" else 200
    return render(request, "community/members/leave.html", {"form": form}, status=status)
