"""Members for the notification tests, made as plain rows (joining is the members' part): an author,
a replier, a third member, and a topic with a post by the author."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from smanav.accounts.services import user_create
from smanav.community.models import Comment, Member, Post, Topic

PASSWORD = "correct horse battery staple"


def member_make(name: str, *, email: str | None = None) -> Member:
    username = name.lower().replace(" ", "_")
    user = user_create(
        username=username, email=email if email is not None else f"{username}@example.org", password=PASSWORD
    )
    return Member.objects.create(
        user=user,
        display_name=name,
        name_key=name.lower(),
        guidelines_version="1",
        guidelines_accepted_at=timezone.now(),
    )


def post_make(
    author: Member | None, topic: Topic, *, title: str = "Our first wheelchair", body: str = "It came today."
) -> Post:
    return Post.objects.create(
        author=author, topic=topic, title=title, body=body, submission_key=f"p-{Post.objects.count()}"
    )


def comment_make(
    post: Post, author: Member, body: str = "Congratulations!", *, parent: Comment | None = None
) -> Comment:
    return Comment.objects.create(
        post=post, author=author, parent=parent, body=body, submission_key=f"c-{Comment.objects.count()}"
    )


@dataclass
class Folk:
    ana: Member
    ben: Member
    cai: Member
    topic: Topic
    post: Post


def folk_make(settings: Any) -> Folk:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    topic = Topic.objects.get_or_create(slug="equipment-notices", defaults={"name": "Equipment"})[0]
    ana = member_make("Ana Lopez")
    return Folk(
        ana=ana, ben=member_make("Ben"), cai=member_make("Cai"), topic=topic, post=post_make(ana, topic)
    )
