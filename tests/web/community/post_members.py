"""Members for the conversation's tests, made the way the join page will make them (a member row for
an account that accepted the guidelines), so that these tests do not wait for the members' services."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone

from smanav.accounts.services import user_create
from smanav.community.models import Member, Topic, TrustLevel
from smanav.community.topics import topics_ensure


def make_member(name: str, *, trust: TrustLevel = TrustLevel.MEMBER) -> Member:
    # No password: tests sign in with force_login, and hashing one costs seconds a member.
    user = user_create(username=name.lower(), email=f"{name.lower()}@example.org", password=None)
    return Member.objects.create(
        user=user,
        display_name=name,
        name_key=name.lower(),
        guidelines_version="1",
        guidelines_accepted_at=timezone.now(),
        trust_level=trust,
    )


def signed_in_client(member: Member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def a_topic(slug: str = "equipment") -> Topic:
    # The migration seeds the topics; a test database emptied by a browser test has them put back.
    topics_ensure()
    return Topic.objects.get(slug=slug)
