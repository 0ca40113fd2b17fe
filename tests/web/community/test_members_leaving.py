"""Export my community data, leave the community, and delete the whole account (issue 11, part 1):
posts removed or kept without a name, as the member chose."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from tests.web.community.members_people import Members, members_fixture  # noqa: F401
from tests.web.personas import PASSWORD

from smanav.community.models import (
    Comment,
    FollowKind,
    Member,
    MemberLink,
    Picture,
    Post,
    Reaction,
    ReactionKind,
    Status,
    Topic,
)
from smanav.community.services.members import REMOVED_TEXT, member_link_set, member_settings_update


def _conversation(members: Members) -> tuple[Post, Comment]:
    """Ana writes a post with a picture, Ben replies, Ana reacts to Ben and replies to him."""
    topic = Topic.objects.get_or_create(slug="equipment", defaults={"name": "Equipment"})[0]
    picture = Picture.objects.create(
        owner=members.ana, content_type="image/jpeg", data=b"x", width=1, height=1, alt_text="a chair"
    )
    post = Post.objects.create(
        author=members.ana,
        topic=topic,
        title="Our new chair",
        body="It tilts!",
        picture=picture,
        submission_key="a",
    )
    reply = Comment.objects.create(post=post, author=members.ben, body="Lovely", submission_key="b")
    Comment.objects.create(post=post, parent=reply, author=members.ana, body="Thanks Ben", submission_key="c")
    Reaction.objects.create(member=members.ana, comment=reply, kind=ReactionKind.HUG)
    Comment.objects.filter(pk=reply.pk).update(reaction_count=1)
    member_link_set(member=members.ana, other=members.cara, kind=FollowKind.MUTE, on=True)
    return post, reply


@pytest.mark.django_db
def test_export_downloads_what_i_wrote_and_set_and_nothing_of_others(members: Members) -> None:
    _conversation(members)
    response = members.client(members.ana).get(reverse("community:export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="my-community-data-')
    data = json.loads(response.content)
    assert data["profile"]["display_name"] == "Ana M"
    assert data["profile"]["sma_type"] == {"value": "Type 2", "shown": True}
    assert [post["title"] for post in data["posts"]] == ["Our new chair"]
    assert [reply["text"] for reply in data["replies"]] == ["Thanks Ben"]
    assert data["reactions"][0]["on_post"] == "Our new chair"
    assert data["members_followed_muted_or_blocked"][0]["member"] == "Cara"
    assert "Lovely" not in response.content.decode()
    assert "ana@example.org" not in response.content.decode()


@pytest.mark.django_db
def test_leaving_with_posts_kept_keeps_them_without_a_name(members: Members) -> None:
    post, reply = _conversation(members)
    client = members.client(members.ana)
    refused = client.post(reverse("community:leave"), {"posts": "keep"})
    assert refused.status_code == 422
    assert "Tick the box to confirm" in refused.content.decode()
    assert Member.objects.filter(pk=members.ana.pk).exists()
    assert client.post(reverse("community:leave"), {"posts": "keep", "confirm": "on"}).status_code == 302
    assert not Member.objects.filter(pk=members.ana.pk).exists()
    post.refresh_from_db()
    assert post.author is None and post.body == "It tilts!" and post.picture is not None
    assert Comment.objects.get(body="Thanks Ben").author is None
    reply.refresh_from_db()
    assert reply.reaction_count == 0 and not Reaction.objects.exists()
    assert not MemberLink.objects.exists()
    # The account stays, and may join again.
    assert get_user_model().objects.filter(username="ana").exists()
    assert client.get(reverse("community:me")).url == reverse("community:join")


@pytest.mark.django_db
def test_leaving_with_posts_removed_empties_them_and_keeps_others_replies(members: Members) -> None:
    post, reply = _conversation(members)
    client = members.client(members.ana)
    client.post(reverse("community:leave"), {"posts": "remove", "confirm": "on"})
    post.refresh_from_db()
    assert post.status == Status.REMOVED and post.author is None
    assert post.body == REMOVED_TEXT and post.picture is None and "tilts" not in post.title + post.body_html
    assert not Picture.objects.exists()
    assert Comment.objects.filter(body="Thanks Ben").count() == 0
    reply.refresh_from_db()
    assert reply.body == "Lovely" and reply.author == members.ben


@pytest.mark.django_db
def test_deleting_the_account_follows_the_members_choice(members: Members) -> None:
    post, _ = _conversation(members)
    member_settings_update(
        member=members.ana, matching_opt_in=False, is_welcomer=False, remove_posts_on_leaving=True
    )
    client = members.client(members.ana)
    assert reverse("community:settings") in client.get(reverse("family:account_delete")).content.decode()
    response = client.post(reverse("family:account_delete"), {"password": PASSWORD})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(username="ana").exists()
    post.refresh_from_db()
    assert post.status == Status.REMOVED and post.body == REMOVED_TEXT and post.author is None


@pytest.mark.django_db
def test_deleting_the_account_keeps_posts_without_a_name_by_default(members: Members) -> None:
    post, _ = _conversation(members)
    members.ana.user.delete()
    post.refresh_from_db()
    assert post.author is None and post.body == "It tilts!" and post.status == Status.PUBLISHED


@pytest.mark.django_db
def test_the_settings_save_the_choice_and_refuse_a_new_member_as_welcomer(members: Members) -> None:
    client = members.client(members.cara)
    refused = client.post(
        reverse("community:settings"), {"is_welcomer": "on", "remove_posts_on_leaving": "remove"}
    )
    assert refused.status_code == 422
    assert "welcoming committee is open to members once" in refused.content.decode()
    saved = client.post(reverse("community:settings"), {"remove_posts_on_leaving": "remove"})
    assert saved.status_code == 302
    members.cara.refresh_from_db()
    assert members.cara.remove_posts_on_leaving and not members.cara.matching_opt_in
    missing = client.post(reverse("community:settings"), {})
    assert "If I leave the community or delete my account: Choose what happens" in missing.content.decode()


@pytest.mark.django_db
def test_a_visitor_cannot_export_or_leave(members: Members) -> None:
    assert Client().get(reverse("community:export")).status_code == 302
    assert members.client(None).post(
        reverse("community:leave"), {"posts": "remove", "confirm": "on"}
    ).url == reverse("community:join")
