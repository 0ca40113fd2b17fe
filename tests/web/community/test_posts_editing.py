"""An author edits and removes their own post and reply (issue 11): the earlier version kept for
moderators, "Edited" for members, an edit of a hidden or waiting one back to a moderator, a draft of the
edit kept as one types, and a removal that empties the text but keeps the thread's shape."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from tests.web.community.moderation_people import (
    client_for,
    make_comment,
    make_member,
    make_moderator,
    make_post,
)

from smanav.community.models import (
    Comment,
    Draft,
    Flag,
    FlagReason,
    Notification,
    Picture,
    Post,
    Revision,
    Status,
    TrustLevel,
    WatchedWord,
    WatchedWordAction,
)
from smanav.community.selectors.members_export import member_export
from smanav.community.services import editing
from smanav.community.services.members import member_leave
from smanav.community.services.moderation import Decision, comment_decide, flag_create, post_decide
from smanav.community.services.posts import SubmissionRefused

pytestmark = pytest.mark.django_db


def test_an_edit_keeps_the_earlier_version_for_moderators_and_marks_the_post_edited() -> None:
    author = make_member("Ada")
    post = make_post(author, title="Which chair?", body="We are choosing.")
    submitted = editing.post_edit(author=author, post=post, title="Which power chair?", body="We chose one.")
    post.refresh_from_db()
    assert submitted.post.status == Status.PUBLISHED
    assert (post.title, post.body, post.edited_at is not None) == (
        "Which power chair?",
        "We chose one.",
        True,
    )
    revision = Revision.objects.get(post=post)
    assert (revision.title, revision.body, revision.status) == (
        "Which chair?",
        "We are choosing.",
        "published",
    )
    reader = client_for(make_member("Ben")).get(reverse("community:post", args=[post.pk])).content.decode()
    assert (
        "Edited" in reader and "We are choosing." not in reader and "See the earlier versions" not in reader
    )
    moderator = client_for(make_moderator())
    assert (
        "See the earlier versions"
        in moderator.get(reverse("community:post", args=[post.pk])).content.decode()
    )
    history = moderator.get(reverse("community:post_history", args=[post.pk])).content.decode()
    assert "We are choosing." in history and "We chose one." in history


def test_only_the_author_edits_or_removes_and_others_are_told_not_found() -> None:
    author, other = make_member("Ada"), make_member("Ben")
    post = make_post(author)
    comment = make_comment(post, author, body="Mine.")
    client = client_for(other)
    for route, target in (
        ("post_edit", post),
        ("post_remove", post),
        ("comment_edit", comment),
        ("comment_remove", comment),
    ):
        url = reverse(f"community:{route}", args=[target.pk])
        assert client.get(url).status_code == 404, route
        assert client.post(url, {"title": "Taken", "body": "Taken"}).status_code == 404, route
    with pytest.raises(SubmissionRefused, match="Only its author"):
        editing.post_edit(author=other, post=post, title="Taken", body="Taken")
    post.refresh_from_db()
    comment.refresh_from_db()
    assert post.body != "Taken" and comment.body == "Mine." and not Revision.objects.exists()


def test_a_bad_edit_names_its_field_and_changes_nothing() -> None:
    author = make_member("Ada")
    post = make_post(author, title="Which chair?")
    response = client_for(author).post(
        reverse("community:post_edit", args=[post.pk]), {"title": " ", "body": "x"}
    )
    assert response.status_code == 422
    assert "Give your post a title." in response.content.decode()
    post.refresh_from_db()
    assert post.title == "Which chair?" and post.edited_at is None and not Revision.objects.exists()


def test_an_edit_with_a_refused_word_is_refused_and_one_with_self_harm_words_waits() -> None:
    WatchedWord.objects.create(word="casino", action=WatchedWordAction.BLOCK)
    author = make_member("Ada")
    post = make_post(author)
    with pytest.raises(SubmissionRefused, match="casino"):
        editing.post_edit(author=author, post=post, title=post.title, body="Try the casino.")
    submitted = editing.post_edit(author=author, post=post, title=post.title, body="I want to end my life.")
    post.refresh_from_db()
    assert post.status == Status.PENDING and submitted.mentions_self_harm


def test_an_edit_of_a_hidden_post_goes_back_to_a_moderator_who_restores_it_without_telling_again(
    settings: Any,
) -> None:
    settings.SMANAV_COMMUNITY_FLAGS_TO_HIDE = 1
    author = make_member("Ada")
    post = make_post(author, body="Buy my chair cushions.")
    flag_create(reporter=make_member("Ben"), post=post, reason=FlagReason.SPAM)
    post.refresh_from_db()
    assert post.status == Status.HIDDEN
    # The author still reads their hidden post, and can edit it.
    page = client_for(author).get(reverse("community:post", args=[post.pk])).content.decode()
    assert "The moderators hid this post from others" in page
    editing.post_edit(author=author, post=post, title=post.title, body="Which cushion helped you?")
    post.refresh_from_db()
    assert post.status == Status.PENDING
    before = Notification.objects.count()
    post_decide(moderator=make_moderator(), post=post, decision=Decision.APPROVE, reason="")
    post.refresh_from_db()
    assert post.status == Status.PUBLISHED
    # Only the author's "approved" notice: nobody is told of the post again.
    assert Notification.objects.count() == before + 1


def test_an_edited_reply_that_waits_again_leaves_the_count_until_approved() -> None:
    author = make_member("Ada", trust=TrustLevel.NEW)
    post = make_post(make_member("Ben"))
    reply = make_comment(post, author, body="Hello all.")
    post.refresh_from_db()
    count = post.comment_count
    reply, submitted = editing.comment_edit(author=author, comment=reply, body="Hello everyone.")
    post.refresh_from_db()
    assert reply.status == Status.PENDING and submitted.message
    assert post.comment_count == max(count - 1, 0)
    comment_decide(moderator=make_moderator(), comment=reply, decision=Decision.APPROVE, reason="")
    post.refresh_from_db()
    assert post.comment_count == count


def test_removing_a_post_empties_it_keeps_its_replies_and_forgets_its_history() -> None:
    author = make_member("Ada")
    picture = Picture.objects.create(
        owner=author, content_type="image/png", data=b"\x89PNG", width=1, height=1, alt_text="A ramp"
    )
    post = make_post(author, title="Our ramp", body="Look.")
    Post.objects.filter(pk=post.pk).update(picture=picture)
    reply = make_comment(post, make_member("Ben"), body="Lovely ramp.")
    editing.post_edit(author=author, post=post, title="Our new ramp", body="Look at it.")
    Flag.objects.create(reporter=reply.author, post=post, reason=FlagReason.OTHER)
    client = client_for(author)
    assert "Remove your post" in client.get(reverse("community:post_remove", args=[post.pk])).content.decode()
    assert client.post(reverse("community:post_remove", args=[post.pk])).status_code == 302
    post.refresh_from_db()
    assert post.status == Status.REMOVED and "ramp" not in post.title + post.body
    assert not Picture.objects.exists() and not Revision.objects.exists()
    assert not Flag.objects.filter(resolved_at__isnull=True).exists()
    page = client_for(reply.author).get(reverse("community:post", args=[post.pk])).content.decode()
    assert "Removed by its author" in page and "Lovely ramp." in page and "Our new ramp" not in page
    # Nothing more can be said under it, and it cannot be edited back.
    assert client.get(reverse("community:reply", args=[post.pk])).status_code == 404
    assert client.get(reverse("community:post_edit", args=[post.pk])).status_code == 404


def test_removing_a_reply_keeps_its_place_and_the_replies_to_it() -> None:
    author = make_member("Ada")
    post = make_post(make_member("Ben"))
    reply = make_comment(post, author, body="My secret phone number.")
    answer = Comment.objects.create(
        post=post, parent=reply, author=make_member("Cai"), body="Careful!", body_html="<p>Careful!</p>"
    )
    post.refresh_from_db()
    count = post.comment_count
    client_for(author).post(reverse("community:comment_remove", args=[reply.pk]))
    reply.refresh_from_db()
    post.refresh_from_db()
    assert reply.status == Status.REMOVED and "phone" not in reply.body
    assert post.comment_count == count - 1
    page = client_for(post.author).get(reverse("community:post", args=[post.pk])).content.decode()
    assert "A reply removed by its author" in page and "Careful!" in page and "phone" not in page
    assert answer.parent_id == reply.pk


def test_an_edit_in_progress_is_kept_as_a_draft_and_goes_when_saved() -> None:
    author = make_member("Ada")
    reply = make_comment(make_post(make_member("Ben")), author, body="First thoughts.")
    client = client_for(author)
    place = editing.place_for_edit(comment_id=reply.pk)
    saved = client.post(reverse("community:draft_save"), {"place": place, "body": "Second thoughts, half"})
    assert saved.status_code == 200
    page = client.get(reverse("community:comment_edit", args=[reply.pk])).content.decode()
    assert "Second thoughts, half" in page and "Draft saved at" in page
    client.post(reverse("community:comment_edit", args=[reply.pk]), {"body": "Second thoughts."})
    reply.refresh_from_db()
    assert reply.body == "Second thoughts." and not Draft.objects.filter(place=place).exists()


def test_visitors_are_sent_to_log_in() -> None:
    post = make_post(make_member("Ada"))
    response = Client().get(reverse("community:post_edit", args=[post.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_earlier_versions_are_in_my_export_and_go_when_i_leave_removing_my_posts() -> None:
    author = make_member("Ada")
    post = make_post(author, title="Which chair?", body="First words.")
    reply = make_comment(make_post(make_member("Ben")), author, body="First reply.")
    editing.post_edit(author=author, post=post, title="Which chair?", body="Second words.")
    editing.comment_edit(author=author, comment=reply, body="Second reply.")
    exported = member_export(member=author)
    assert exported["posts"][0]["earlier_versions"][0]["text"] == "First words."
    assert exported["replies"][0]["earlier_versions"][0]["text"] == "First reply."
    member_leave(member=author, remove_posts=True)
    assert not Revision.objects.exists()
