"""A member's photo (issue 11, privacy): seen by signed-in members on neither side of a block with its
owner, as the profile it belongs to; never by visitors or accounts that did not join."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from tests.web.community.post_members import make_member, signed_in_client

from smanav.community.models import FollowKind, MemberLink, Picture


def _with_photo(name: str) -> tuple[object, Picture]:
    member = make_member(name)
    photo = Picture.objects.create(
        owner=member, content_type="image/png", data=b"\x89PNG", width=1, height=1, alt_text="A smile"
    )
    member.photo = photo
    member.save(update_fields=["photo"])
    return member, photo


@pytest.mark.django_db
def test_a_photo_is_seen_by_members_but_not_by_a_member_its_owner_blocked() -> None:
    ana, photo = _with_photo("Ana")
    ben, cara = make_member("Ben"), make_member("Cara")
    MemberLink.objects.create(member=ana, other=ben, kind=FollowKind.BLOCK)
    url = reverse("community:picture", args=[photo.pk])
    assert signed_in_client(ana).get(url).status_code == 200
    assert signed_in_client(cara).get(url).status_code == 200
    assert signed_in_client(ben).get(url).status_code == 404
    assert Client().get(url).status_code == 302


@pytest.mark.django_db
def test_a_member_who_blocked_the_owner_does_not_see_the_photo_either() -> None:
    ana, photo = _with_photo("Ana")
    ben = make_member("Ben")
    MemberLink.objects.create(member=ben, other=ana, kind=FollowKind.BLOCK)
    assert signed_in_client(ben).get(reverse("community:picture", args=[photo.pk])).status_code == 404


@pytest.mark.django_db
def test_a_muted_owner_s_photo_stays_visible_like_their_profile() -> None:
    ana, photo = _with_photo("Ana")
    ben = make_member("Ben")
    MemberLink.objects.create(member=ben, other=ana, kind=FollowKind.MUTE)
    assert signed_in_client(ben).get(reverse("community:picture", args=[photo.pk])).status_code == 200
