"""The conversation's pages. Thin: each reads through a selector or writes through a service; every
page needs a member (`access.member_required`) and works without JavaScript."""

from __future__ import annotations

import re
import uuid

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smanav.community.access import MemberHttpRequest, member_required
from smanav.community.forms.posts import DraftForm, PostForm, ReactionForm, ReplyForm, SearchForm
from smanav.community.models import Comment, Picture, PostKind, ReactionKind, Status, Topic, TopicFollow
from smanav.community.pictures import PictureRefused, picture_create
from smanav.community.selectors import feed as feeds
from smanav.community.selectors.search import search
from smanav.community.services.comments import answer_accept, comment_create
from smanav.community.services.drafts import PLACE_NEW_POST, draft_for, draft_save, place_for_reply
from smanav.community.services.posts import SubmissionRefused, post_create
from smanav.community.services.reactions import reaction_toggle

REPLY_PLACE = re.compile(r"reply:[0-9]{1,12}(:[0-9]{1,12})?")
# An edit in progress of one's own post or reply (`services.editing.place_for_edit`).
EDIT_PLACE = re.compile(r"edit:(post|comment):[0-9]{1,12}")


def _key() -> str:
    return uuid.uuid4().hex


@require_GET
@member_required
def picture_show(request: MemberHttpRequest, picture_id: int) -> HttpResponse:
    """A stored picture's bytes, for members only (the community is not public), and only a picture
    they may see: their own, one of a post they may read, or a member's photo."""
    if not feeds.picture_visible_to(member=request.member, picture_id=picture_id):
        raise Http404
    picture = Picture.objects.only("content_type", "data").get(pk=picture_id)
    response = HttpResponse(bytes(picture.data), content_type=picture.content_type)
    response["Cache-Control"] = "private, max-age=86400"
    response["Content-Disposition"] = "inline"
    return response


@require_GET
@member_required
def feed_page(request: MemberHttpRequest) -> HttpResponse:
    following = request.GET.get("show") == "following"
    after = request.GET.get("after")
    page = (feeds.feed_following if following else feeds.feed_all)(member=request.member, after=after)
    context = {
        "page": page,
        "following": following,
        "topics": Topic.objects.all(),
        "search_form": SearchForm(),
        "has_draft": draft_for(member=request.member, place=PLACE_NEW_POST) is not None,
        "pending": feeds.pending_of(request.member),
    }
    return render(request, "community/posts/feed.html", context)


@require_GET
@member_required
def topic_page(request: MemberHttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug)
    page = feeds.feed_topic(member=request.member, topic_id=topic.pk, after=request.GET.get("after"))
    follows = TopicFollow.objects.filter(member=request.member, topic=topic).exists()
    return render(request, "community/posts/topic.html", {"topic": topic, "page": page, "follows": follows})


@require_POST
@member_required
def topic_follow(request: MemberHttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug)
    if request.POST.get("follow") == "1":
        TopicFollow.objects.get_or_create(member=request.member, topic=topic)
    else:
        TopicFollow.objects.filter(member=request.member, topic=topic).delete()
    return HttpResponseRedirect(reverse("community:topic", args=[slug]))


def _composer_initial(request: MemberHttpRequest) -> dict[str, object]:
    draft = draft_for(member=request.member, place=PLACE_NEW_POST)
    initial: dict[str, object] = {"submission_key": _key(), "kind": PostKind.DISCUSSION}
    if "topic" in request.GET:
        initial["topic"] = Topic.objects.filter(slug=request.GET["topic"]).first()
    if draft is not None:
        initial.update(
            title=draft.title, body=draft.body, topic=draft.topic, kind=draft.kind or PostKind.DISCUSSION
        )
    return initial


@require_http_methods(["GET", "POST"])
@member_required
def post_write(request: MemberHttpRequest) -> HttpResponse:
    """The composer. "Publish" posts; "Save draft" keeps everything (picture included) for later."""
    member = request.member
    if request.method == "GET":
        form = PostForm(initial=_composer_initial(request))
        return _composer(request, form)
    form = PostForm(request.POST, request.FILES)
    if not form.is_valid():
        return _composer(request, form, status=422)
    data = form.cleaned_data
    draft = draft_for(member=member, place=PLACE_NEW_POST)
    picture = draft.picture if draft is not None and not data["remove_picture"] else None
    if data["picture"] is not None:
        try:
            picture = picture_create(owner=member, upload=data["picture"], alt_text=data["alt_text"])
        except PictureRefused as refused:
            form.add_error("alt_text" if "Describe" in refused.message else "picture", refused.message)
            return _composer(request, form, status=422)
    if "save_draft" not in request.POST and not (data["title"] or data["body"] or picture):
        form.add_error("body", "Write some text, add a picture, or both.")
        return _composer(request, form, status=422)
    saved = draft_save(
        member=member,
        place=PLACE_NEW_POST,
        title=data["title"],
        body=data["body"],
        topic=data["topic"],
        kind=data["kind"],
        picture=picture,
        keep_picture=picture is not None,
    )
    if "save_draft" in request.POST:
        messages.success(request, "Your draft is saved. It will be here when you come back.")
        return HttpResponseRedirect(reverse("community:write"))
    if data["topic"] is None:
        form.add_error("topic", "Choose the topic your post belongs to.")
        return _composer(request, form, status=422)
    try:
        submitted = post_create(
            author=member,
            topic=data["topic"],
            title=data["title"],
            body=data["body"],
            kind=PostKind(data["kind"]),
            picture=saved.picture,
            submission_key=data["submission_key"],
        )
    except SubmissionRefused as refused:
        form.add_error(refused.field if refused.field in form.fields else None, refused.message)
        return _composer(request, form, status=422)
    if submitted.message:
        messages.info(request, submitted.message)
    elif submitted.created:
        messages.success(request, "Your post is published.")
    if submitted.mentions_self_harm:
        return HttpResponseRedirect(reverse("community:support_lines"))
    return HttpResponseRedirect(reverse("community:post", args=[submitted.post.pk]))


def _composer(request: MemberHttpRequest, form: PostForm, *, status: int = 200) -> HttpResponse:
    draft = draft_for(member=request.member, place=PLACE_NEW_POST)
    context = {"form": form, "draft": draft, "place": PLACE_NEW_POST}
    return render(request, "community/posts/write.html", context, status=status)


@require_POST
@member_required
def draft_autosave(request: MemberHttpRequest) -> HttpResponse:
    """The composer's script saves the text every few seconds and when the member leaves the page, and
    a new post's picture as soon as it is chosen and described (checked like a post's picture; a refusal
    answers 422 with the reason in words, and nothing is kept)."""
    form = DraftForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=422)
    data = form.cleaned_data
    place = data["place"]
    if place != PLACE_NEW_POST and not REPLY_PLACE.fullmatch(place) and not EDIT_PLACE.fullmatch(place):
        return HttpResponse(status=422)
    picture = None
    upload = request.FILES.get("picture")
    if upload is not None:
        if place != PLACE_NEW_POST:
            return HttpResponse("Only a new post carries a picture.", content_type="text/plain", status=422)
        try:
            picture = picture_create(owner=request.member, upload=upload, alt_text=data["alt_text"])
        except PictureRefused as refused:
            return HttpResponse(refused.message, content_type="text/plain; charset=utf-8", status=422)
    draft = draft_save(
        member=request.member,
        place=place,
        title=data["title"],
        body=data["body"],
        topic=data["topic"],
        kind=data["kind"],
        picture=picture,
    )
    return HttpResponse(draft.updated_at.strftime("%H:%M"), content_type="text/plain", status=200)


@require_GET
@member_required
def post_page(request: MemberHttpRequest, post_id: int) -> HttpResponse:
    post = feeds.post_for_member(member=request.member, post_id=post_id)
    if post is None:
        raise Http404
    conversation = feeds.conversation_for(member=request.member, post=post)
    place = place_for_reply(post_id=post.pk)
    draft = draft_for(member=request.member, place=place)
    reply_form = ReplyForm(initial={"submission_key": _key(), "body": draft.body if draft else ""})
    context = {
        "post": post,
        "conversation": conversation,
        "reply_form": reply_form,
        "place": place,
        "my_post_reactions": feeds.my_post_reactions(request.member, [post]).get(post.pk, set()),
        "reaction_kinds": ReactionKind.choices,
        "is_asker": post.author_id == request.member.pk and post.kind == PostKind.QUESTION,
    }
    return render(request, "community/posts/post.html", context)


@require_http_methods(["GET", "POST"])
@member_required
def reply_write(request: MemberHttpRequest, post_id: int, comment_id: int | None = None) -> HttpResponse:
    """A reply to the post, or (`comment_id`) to one of its replies."""
    post = feeds.post_for_member(member=request.member, post_id=post_id)
    if post is None or post.status == Status.REMOVED:
        raise Http404
    parent = None
    if comment_id is not None:
        parent = (
            Comment.objects.filter(pk=comment_id, post=post, status=Status.PUBLISHED)
            .select_related("author")
            .first()
        )
        if parent is None or parent.author_id in feeds.hidden_ids(request.member):
            raise Http404
    place = place_for_reply(post_id=post.pk, parent_id=parent.pk if parent else None)
    if request.method == "GET":
        draft = draft_for(member=request.member, place=place)
        form = ReplyForm(initial={"submission_key": _key(), "body": draft.body if draft else ""})
        return _reply(request, form, post=post, parent=parent, place=place)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _reply(request, form, post=post, parent=parent, place=place, status=422)
    if "save_draft" in request.POST:
        draft_save(member=request.member, place=place, body=form.cleaned_data["body"])
        messages.success(request, "Your reply is saved as a draft.")
        return HttpResponseRedirect(request.path)
    if feeds.blocked_between(request.member, post.author_id) or (
        parent is not None and feeds.blocked_between(request.member, parent.author_id)
    ):
        form.add_error(None, "You cannot reply to this member.")
        return _reply(request, form, post=post, parent=parent, place=place, status=422)
    try:
        replied = comment_create(
            author=request.member,
            post=post,
            parent=parent,
            body=form.cleaned_data["body"],
            submission_key=form.cleaned_data["submission_key"],
        )
    except SubmissionRefused as refused:
        form.add_error("body" if refused.field == "body" else None, refused.message)
        return _reply(request, form, post=post, parent=parent, place=place, status=422)
    if replied.message:
        messages.info(request, replied.message)
    if replied.mentions_self_harm:
        return HttpResponseRedirect(reverse("community:support_lines"))
    return HttpResponseRedirect(reverse("community:post", args=[post.pk]) + f"#reply-{replied.comment.pk}")


def _reply(
    request: MemberHttpRequest,
    form: ReplyForm,
    *,
    post: object,
    parent: Comment | None,
    place: str,
    status: int = 200,
) -> HttpResponse:
    context = {"form": form, "post": post, "parent": parent, "place": place}
    return render(request, "community/posts/reply.html", context, status=status)


@require_POST
@member_required
def reaction_post(request: MemberHttpRequest, post_id: int) -> HttpResponse:
    post = feeds.post_for_member(member=request.member, post_id=post_id)
    form = ReactionForm(request.POST)
    if post is None or not form.is_valid():
        raise Http404
    comment = None
    if form.cleaned_data["comment"]:
        comment = Comment.objects.filter(pk=form.cleaned_data["comment"], post=post).first()
        if comment is None or comment.author_id in feeds.hidden_ids(request.member):
            raise Http404
    try:
        reaction_toggle(
            member=request.member,
            kind=ReactionKind(form.cleaned_data["kind"]),
            post=None if comment else post,
            comment=comment,
        )
    except SubmissionRefused as refused:
        messages.error(request, refused.message)
    anchor = f"#reply-{comment.pk}" if comment else "#post"
    return HttpResponseRedirect(reverse("community:post", args=[post.pk]) + anchor)


@require_POST
@member_required
def answer_choose(request: MemberHttpRequest, post_id: int) -> HttpResponse:
    post = feeds.post_for_member(member=request.member, post_id=post_id)
    if post is None:
        raise Http404
    comment_id = request.POST.get("comment", "")
    comment = Comment.objects.filter(pk=int(comment_id), post=post).first() if comment_id.isdigit() else None
    try:
        answer_accept(member=request.member, post=post, comment=comment)
    except SubmissionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "The answer is marked." if comment else "No answer is marked now.")
    return HttpResponseRedirect(reverse("community:post", args=[post.pk]))


@require_GET
@member_required
def search_page(request: MemberHttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    hits = search(member=request.member, text=query) if query else []
    return render(request, "community/posts/search.html", {"form": form, "query": query, "hits": hits})
