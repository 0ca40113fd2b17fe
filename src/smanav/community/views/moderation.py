"""Moderation's pages: the moderators' queue, decisions, actions on members, the audit and watched
words (moderators only, past a second factor), and the members' side: reporting a post or reply,
linking "what the sources say", and the support lines page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smanav.accounts.roles import has_verified_second_factor
from smanav.community.access import MemberHttpRequest, member_required
from smanav.community.forms.moderation import (
    AuditFilterForm,
    DecisionForm,
    MemberActionForm,
    RegionForm,
    ReportForm,
    SourcesLinkForm,
    TrustLevelForm,
    WatchedWordForm,
)
from smanav.community.models import (
    Comment,
    FlagReason,
    Guideline,
    Member,
    Post,
    TrustLevel,
    WatchedWordAction,
)
from smanav.community.selectors import moderation as selectors
from smanav.community.services import moderation as services
from smanav.community.support_lines import region_from_languages, support_lines

P = ParamSpec("P")


def moderator_required(
    view: Callable[Concatenate[MemberHttpRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """A member who moderates now, past a second factor in this session (ADR 0020). Anyone else is told
    the page is not found, so the pages do not say who moderates."""

    @wraps(view)
    def guarded(request: MemberHttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if selectors.moderator_for(request.user) is None:
            raise Http404
        if not has_verified_second_factor(request.user):
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('accounts:two_factor')}?{query}")
        return view(request, *args, **kwargs)

    return member_required(guarded)


def _target(post_id: int | None, comment_id: int | None) -> Post | Comment:
    found: Post | Comment | None
    if post_id is not None:
        found = selectors.post_get_for_moderator(post_id=post_id)
    else:
        found = selectors.comment_get_for_moderator(comment_id=comment_id or 0)
    if found is None:
        raise Http404
    return found


# Moderators --------------------------------------------------------------------------------------


@require_GET
@moderator_required
def queue(request: MemberHttpRequest) -> HttpResponse:
    items = selectors.moderation_queue()
    return render(
        request,
        "community/moderation/queue.html",
        {
            "items": items,
            "form": DecisionForm(),
            "self_harm_label": FlagReason.SELF_HARM.label,
            "guidelines": [("", _("Choose a guideline")), *Guideline.choices],
        },
    )


@require_POST
@moderator_required
def decide(
    request: MemberHttpRequest, post_id: int | None = None, comment_id: int | None = None
) -> HttpResponse:
    target = _target(post_id, comment_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        decision = services.Decision(form.cleaned_data["decision"])
        guideline = Guideline(form.cleaned_data["guideline"]) if form.cleaned_data["guideline"] else None
        try:
            if isinstance(target, Post):
                services.post_decide(
                    moderator=request.member,
                    post=target,
                    decision=decision,
                    reason=form.cleaned_data["reason"],
                    guideline=guideline,
                )
            else:
                services.comment_decide(
                    moderator=request.member,
                    comment=target,
                    decision=decision,
                    reason=form.cleaned_data["reason"],
                    guideline=guideline,
                )
        except services.ModerationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Done. The member is told."))
    else:
        messages.error(request, _("Choose a decision."))
    return redirect("community:moderation_queue")


@require_http_methods(["GET", "POST"])
@moderator_required
def member_page(request: MemberHttpRequest, member_id: int) -> HttpResponse:
    member = selectors.member_get_for_moderator(member_id=member_id)
    if member is None:
        raise Http404
    form = MemberActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_moderate(
                moderator=request.member,
                member=member,
                action=services.MemberAction(form.cleaned_data["action"]),
                reason=form.cleaned_data["reason"],
                until=form.until_datetime(),
            )
        except services.ModerationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Done. The member is told."))
            return redirect("community:moderation_member", member_id=member.pk)
    posts, comments = selectors.member_recent_writing(member=member)
    history = selectors.moderation_audit(member=member)[:20]
    return render(
        request,
        "community/moderation/member.html",
        {"subject": member, "form": form, "posts": posts, "comments": comments, "history": history},
    )


@require_http_methods(["GET", "POST"])
@moderator_required
def trust_level(request: MemberHttpRequest, member_id: int) -> HttpResponse:
    """Set a member's trust level by hand (for example, trust a long-known volunteer at once, or put a
    member's posts back under review); recorded in the audit with its reason."""
    member = selectors.member_get_for_moderator(member_id=member_id)
    if member is None:
        raise Http404
    form = TrustLevelForm(request.POST or None, initial={"trust_level": member.trust_level})
    if request.method == "POST" and form.is_valid():
        try:
            services.member_trust_set(
                moderator=request.member,
                member=member,
                level=TrustLevel(form.cleaned_data["trust_level"]),
                reason=form.cleaned_data["reason"],
            )
        except services.ModerationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The trust level is saved."))
            return redirect("community:moderation_member", member_id=member.pk)
    status = 422 if form.errors else 200
    return render(
        request, "community/moderation/trust.html", {"subject": member, "form": form}, status=status
    )


@require_GET
@moderator_required
def audit(request: MemberHttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None, moderators=selectors.moderators_and_former())
    unknown_member = False
    actions = selectors.moderation_audit()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        member = None
        if data["member"]:
            member = Member.objects.filter(name_key=data["member"].strip().lower()).first()
            unknown_member = member is None
        actions = selectors.moderation_audit(
            moderator=data["moderator"], member=member, date_from=data["date_from"], date_to=data["date_to"]
        )
        if unknown_member:
            actions = actions.none()
    page = Paginator(actions, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "community/moderation/audit.html",
        {"form": form, "page": page, "query": query.urlencode(), "unknown_member": unknown_member},
    )


@require_http_methods(["GET", "POST"])
@moderator_required
def watched_words(request: MemberHttpRequest) -> HttpResponse:
    form = WatchedWordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.watched_word_add(
                moderator=request.member,
                word=form.cleaned_data["word"],
                action=WatchedWordAction(form.cleaned_data["action"]),
                reason=form.cleaned_data["reason"],
            )
        except services.ModerationError as error:
            form.add_error("word", str(error))
        else:
            messages.success(request, _("The word is watched from now on."))
            return redirect("community:moderation_watched_words")
    return render(
        request, "community/moderation/watched_words.html", {"form": form, "words": selectors.watched_words()}
    )


@require_POST
@moderator_required
def watched_word_remove(request: MemberHttpRequest, word_id: int) -> HttpResponse:
    watched = selectors.watched_words().filter(pk=word_id).first()
    if watched is None:
        raise Http404
    services.watched_word_remove(moderator=request.member, watched=watched, reason="")
    messages.success(request, _("The word is no longer watched."))
    return redirect("community:moderation_watched_words")


# Members -----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_required
def report(
    request: MemberHttpRequest, post_id: int | None = None, comment_id: int | None = None
) -> HttpResponse:
    target: Post | Comment | None
    if post_id is not None:
        target = selectors.post_get_to_report(member=request.member, post_id=post_id)
    else:
        target = selectors.comment_get_to_report(member=request.member, comment_id=comment_id or 0)
    if target is None:
        raise Http404
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = FlagReason(form.cleaned_data["reason"])
        try:
            services.flag_create(
                reporter=request.member,
                reason=reason,
                post=target if isinstance(target, Post) else None,
                comment=target if isinstance(target, Comment) else None,
                note=form.cleaned_data["note"],
            )
        except services.ModerationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Thank you. The moderators will look at it."))
            if reason == FlagReason.SELF_HARM:
                return redirect("community:support_lines")
            return redirect("community:report_done")
    post = target if isinstance(target, Post) else target.post
    return render(request, "community/moderation/report.html", {"form": form, "target": target, "post": post})


@require_GET
@member_required
def report_done(request: MemberHttpRequest) -> HttpResponse:
    return render(request, "community/moderation/report_done.html")


@require_http_methods(["GET", "POST"])
@member_required
def sources_link(
    request: MemberHttpRequest, post_id: int | None = None, comment_id: int | None = None
) -> HttpResponse:
    target: Post | Comment | None
    if post_id is not None:
        target = selectors.post_get_for_sources(member=request.member, post_id=post_id)
    else:
        target = selectors.comment_get_for_sources(member=request.member, comment_id=comment_id or 0)
    if target is None:
        raise Http404
    form = SourcesLinkForm(request.POST or None, initial={"path": target.sources_path})
    if request.method == "POST" and form.is_valid():
        try:
            services.sources_link_set(
                actor=request.member,
                path=form.cleaned_data["path"],
                post=target if isinstance(target, Post) else None,
                comment=target if isinstance(target, Comment) else None,
            )
        except services.ModerationError as error:
            form.add_error("path", str(error))
        else:
            messages.success(request, _("Saved."))
            return redirect(request.path)
    post = target if isinstance(target, Post) else target.post
    return render(
        request, "community/moderation/sources_link.html", {"form": form, "target": target, "post": post}
    )


@require_GET
def support(request: HttpRequest) -> HttpResponse:
    """Support lines for the visitor's region: open to everyone, signed in or not, so that a link to it
    is never a dead end."""
    lines = support_lines()
    form = RegionForm(request.GET or None)
    region = ""
    if form.is_bound and form.is_valid():
        region = form.cleaned_data["region"]
    elif not form.is_bound:
        region = region_from_languages(request.headers.get("Accept-Language", ""))
        form = RegionForm(initial={"region": region})
    line = lines.for_region(region) if region else None
    return render(
        request,
        "community/moderation/support.html",
        {"form": form, "line": line, "fallback": lines.fallback, "all_lines": lines.lines},
    )
