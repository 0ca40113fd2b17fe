"""Members, a moderator and posts for the moderation tests, made with the rows the members' and the
conversation's services will make (so that these tests need not wait for them), and moderators made the
one way there is: the server's command line service."""

from __future__ import annotations

import datetime as dt
import itertools

from django.db.models import F
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from smanav.accounts.services import totp_device_create, user_create
from smanav.community.models import Comment, Member, Post, Status, Topic, TrustLevel
from smanav.community.services.moderation import moderator_grant

PASSWORD = "correct horse battery staple"
TOTP_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test key, hex
_keys = itertools.count(1)


def make_member(
    name: str,
    *,
    trust: TrustLevel = TrustLevel.MEMBER,
    joined_days_ago: int = 30,
    second_factor: bool = False,
) -> Member:
    user = user_create(username=name.lower(), email=f"{name.lower()}@example.org", password=PASSWORD)
    if second_factor:
        totp_device_create(user=user, confirmed=True, key=TOTP_KEY)
    return Member.objects.create(
        user=user,
        display_name=name,
        name_key=name.lower(),
        guidelines_version="1",
        guidelines_accepted_at=timezone.now(),
        trust_level=trust,
        joined_at=timezone.now() - dt.timedelta(days=joined_days_ago),
    )


def make_moderator(name: str = "Mona") -> Member:
    member = make_member(name, trust=TrustLevel.TRUSTED, second_factor=True)
    moderator_grant(member=member, reason="test moderator")
    return member


def a_topic() -> Topic:
    topic, _ = Topic.objects.get_or_create(slug="equipment", defaults={"name": "Equipment"})
    return topic


def make_post(
    author: Member | None,
    *,
    title: str = "Which power chair?",
    body: str = "We are choosing a power chair for our son.",
    status: Status = Status.PUBLISHED,
    created_at: dt.datetime | None = None,
) -> Post:
    return Post.objects.create(
        author=author,
        topic=a_topic(),
        title=title,
        body=body,
        body_html=f"<p>{body}</p>",
        status=status,
        submission_key=f"key-{next(_keys)}",
        created_at=created_at or timezone.now(),
    )


def make_comment(
    post: Post,
    author: Member | None,
    *,
    body: str = "We chose one with tilt and it helps.",
    status: Status = Status.PUBLISHED,
    created_at: dt.datetime | None = None,
) -> Comment:
    if status == Status.PUBLISHED:
        Post.objects.filter(pk=post.pk).update(comment_count=F("comment_count") + 1)
    return Comment.objects.create(
        post=post,
        author=author,
        body=body,
        body_html=f"<p>{body}</p>",
        status=status,
        submission_key=f"key-{next(_keys)}",
        created_at=created_at or timezone.now(),
    )


def client_for(member: Member, *, verified: bool = True) -> Client:
    client = Client()
    client.force_login(member.user, backend="django.contrib.auth.backends.ModelBackend")
    device = member.user.totpdevice_set.filter(confirmed=True).first()
    if verified and device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
