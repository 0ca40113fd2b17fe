"""The author's changes to what they wrote: edit (a draft kept as they type, like the composer) and
remove, each for a post or a reply; and, for moderators, the history of earlier versions. Thin: the
selectors find the author's own post or reply (anyone else is told "not found"), the services change it."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from smanav.community.access import MemberHttpRequest, member_required
from smanav.community.forms.posts import EditPostForm, EditReplyForm
from smanav.community.models import Comment, Post
from smanav.community.selectors import editing as selectors
from smanav.community.selectors import moderation as moderation_selectors
from smanav.community.services import editing as services
from smanav.community.services.drafts import draft_for, draft_save
from smanav.community.services.posts import SubmissionRefused, Submitted
from smanav.community.views.moderation import moderator_required


def _done(request: MemberHttpRequest, submitted: Submitted, anchor: str) -> HttpResponse:
    if submitted.message:
        messages.info(request, submitted.message)
    else:
        messages.success(request, "Your change is saved.")
    if submitted.mentions_self_harm:
        return HttpResponseRedirect(reverse("community:support_lines"))
    return HttpResponseRedirect(reverse("community:post", args=[submitted.post.pk]) + anchor)


@require_http_methods(["GET", "POST"])
@member_required
def post_edit(request: MemberHttpRequest, post_id: int) -> HttpResponse:
    post = selectors.post_get_for_author(member=request.member, post_id=post_id)
    if post is None:
        raise Http404
    place = services.place_for_edit(post_id=post.pk)
    draft = draft_for(member=request.member, place=place)
    if request.method == "GET":
        initial = (
            {"title": draft.title, "body": draft.body} if draft else {"title": post.title, "body": post.body}
        )
        return _edit_page(
            request, EditPostForm(initial=initial), target=post, post=post, place=place, draft=draft
        )
    form = EditPostForm(request.POST)
    if not form.is_valid():
        return _edit_page(request, form, target=post, post=post, place=place, draft=draft, status=422)
    data = form.cleaned_data
    if "save_draft" in request.POST:
        draft_save(member=request.member, place=place, title=data["title"], body=data["body"])
        messages.success(request, "Your change is kept as a draft. It will be here when you come back.")
        return HttpResponseRedirect(request.path)
    try:
        submitted = services.post_edit(
            author=request.member, post=post, title=data["title"], body=data["body"]
        )
    except SubmissionRefused as refused:
        form.add_error(refused.field if refused.field in form.fields else None, refused.message)
        return _edit_page(request, form, target=post, post=post, place=place, draft=draft, status=422)
    return _done(request, submitted, "#post")


@require_http_methods(["GET", "POST"])
@member_required
def comment_edit(request: MemberHttpRequest, comment_id: int) -> HttpResponse:
    comment = selectors.comment_get_for_author(member=request.member, comment_id=comment_id)
    if comment is None:
        raise Http404
    place = services.place_for_edit(comment_id=comment.pk)
    draft = draft_for(member=request.member, place=place)
    if request.method == "GET":
        form = EditReplyForm(initial={"body": draft.body if draft else comment.body})
        return _edit_page(request, form, target=comment, post=comment.post, place=place, draft=draft)
    form = EditReplyForm(request.POST)
    if not form.is_valid():
        return _edit_page(
            request, form, target=comment, post=comment.post, place=place, draft=draft, status=422
        )
    if "save_draft" in request.POST:
        draft_save(member=request.member, place=place, body=form.cleaned_data["body"])
        messages.success(request, "Your change is kept as a draft. It will be here when you come back.")
        return HttpResponseRedirect(request.path)
    try:
        comment, submitted = services.comment_edit(
            author=request.member, comment=comment, body=form.cleaned_data["body"]
        )
    except SubmissionRefused as refused:
        form.add_error("body" if refused.field == "body" else None, refused.message)
        return _edit_page(
            request, form, target=comment, post=comment.post, place=place, draft=draft, status=422
        )
    return _done(request, submitted, f"#reply-{comment.pk}")


def _edit_page(
    request: MemberHttpRequest,
    form: EditPostForm | EditReplyForm,
    *,
    target: Post | Comment,
    post: Post,
    place: str,
    draft: object,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "target": target,
        "post": post,
        "is_post": isinstance(target, Post),
        "place": place,
        "draft": draft,
    }
    return render(request, "community/posts/edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@member_required
def post_remove(request: MemberHttpRequest, post_id: int) -> HttpResponse:
    post = selectors.post_get_for_author(member=request.member, post_id=post_id)
    if post is None:
        raise Http404
    if request.method == "POST":
        services.post_remove(author=request.member, post=post)
        messages.success(request, "Your post is removed. Replies to it stay, under “Removed by its author”.")
        return HttpResponseRedirect(reverse("community:post", args=[post.pk]))
    return render(request, "community/posts/remove.html", {"target": post, "post": post, "is_post": True})


@require_http_methods(["GET", "POST"])
@member_required
def comment_remove(request: MemberHttpRequest, comment_id: int) -> HttpResponse:
    comment = selectors.comment_get_for_author(member=request.member, comment_id=comment_id)
    if comment is None:
        raise Http404
    if request.method == "POST":
        services.comment_remove(author=request.member, comment=comment)
        messages.success(request, "Your reply is removed. Replies to it keep their place.")
        return HttpResponseRedirect(
            reverse("community:post", args=[comment.post_id]) + f"#reply-{comment.pk}"
        )
    context = {"target": comment, "post": comment.post, "is_post": False}
    return render(request, "community/posts/remove.html", context)


@require_GET
@moderator_required
def history(
    request: MemberHttpRequest, post_id: int | None = None, comment_id: int | None = None
) -> HttpResponse:
    """Every earlier version of a post or reply, for moderators (members see only "edited")."""
    target: Post | Comment | None
    if post_id is not None:
        target = moderation_selectors.post_get_for_moderator(post_id=post_id)
    else:
        target = moderation_selectors.comment_get_for_moderator(comment_id=comment_id or 0)
    if target is None:
        raise Http404
    post = target if isinstance(target, Post) else target.post
    context = {
        "target": target,
        "post": post,
        "is_post": isinstance(target, Post),
        "revisions": selectors.revisions_of(target),
    }
    return render(request, "community/moderation/history.html", context)
