"""Profiles (issue 11, part 1): seen by members only; each detail about SMA shown only if the member
switched it on; a photo checked and described; block (both ways) and mute."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image
from tests.web.community.members_people import Members, members_fixture, profile  # noqa: F401

from smanav.community.models import FollowKind, MemberLink, Picture
from smanav.community.selectors.members import shown_details


def _page(client: Client, member_id: int) -> str:
    response = client.get(reverse("community:member", args=[member_id]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_profiles_are_for_members_only(members: Members) -> None:
    url = reverse("community:member", args=[members.ana.pk])
    assert Client().get(url).status_code == 302
    assert members.client(None).get(url).url == reverse("community:join")


@pytest.mark.django_db
def test_a_profile_shows_only_the_details_its_member_switched_on(members: Members) -> None:
    ana = _page(members.client(members.cara), members.ana.pk)
    assert "Type 2" in ana and "2 to 5" in ana and "Risdiplam" in ana and "Parent or carer" in ana
    # Ben shows his type and age but not his treatments; Cara shows nothing.
    ben = _page(members.client(members.ana), members.ben.pk)
    assert "Type 2" in ben and "30 to 49" in ben
    assert "Nusinersen" not in ben and "Risdiplam" not in ben
    cara = _page(members.client(members.ana), members.cara.pk)
    assert "Brother or sister" not in cara and "Type 2" not in cara and "2 to 5" not in cara
    assert shown_details(members.cara) == []


@pytest.mark.django_db
def test_a_detail_left_empty_is_never_shown_whatever_its_switch(members: Members) -> None:
    profile(members.cara, sma_type="", show_sma_type=True, treatments=[], show_treatments=True)
    members.cara.refresh_from_db()
    assert not members.cara.show_sma_type and not members.cara.show_treatments


@pytest.mark.django_db
def test_editing_the_profile_saves_and_names_a_bad_field(members: Members) -> None:
    client = members.client(members.cara)
    form = {
        "display_name": "Cara B",
        "about": "Big sister <script>alert(1)</script>",
        "relation": "sibling",
        "show_relation": "on",
        "sma_type": "3",
        "age_band": "13_17",
        "treatments": ["nusinersen"],
        "show_treatments": "on",
    }
    assert client.post(reverse("community:profile_edit"), form).status_code == 302
    page = _page(members.client(members.ana), members.cara.pk)
    assert "Cara B" in page and "Brother or sister" in page and "Nusinersen" in page
    assert "Type 3" not in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    bad = client.post(reverse("community:profile_edit"), {**form, "display_name": "ben", "sma_type": "9"})
    assert bad.status_code == 422
    text = bad.content.decode()
    assert "Display name: Another member has this name." in text
    assert "SMA type: Select a valid choice." in text


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 100, 50)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.mark.django_db
def test_a_photo_is_checked_described_and_replaced(members: Members) -> None:
    client = members.client(members.ana)
    refused = client.post(
        reverse("community:photo_edit"),
        {"photo": SimpleUploadedFile("me.jpg", b"not a picture", "image/jpeg"), "description": "me"},
    )
    assert refused.status_code == 422
    assert "Photo: This file is not a picture we can read." in refused.content.decode()
    assert not Picture.objects.exists()
    undescribed = client.post(
        reverse("community:photo_edit"), {"photo": SimpleUploadedFile("me.jpg", _jpeg())}
    )
    assert "What the photo shows: Describe the photo" in undescribed.content.decode()
    for _ in range(2):
        saved = client.post(
            reverse("community:photo_edit"),
            {"photo": SimpleUploadedFile("me.jpg", _jpeg(), "image/jpeg"), "description": "Leo at the beach"},
        )
        assert saved.status_code == 302
    members.ana.refresh_from_db()
    assert Picture.objects.count() == 1 and members.ana.photo is not None
    page = _page(members.client(members.ben), members.ana.pk)
    assert 'alt="Leo at the beach"' in page
    assert client.post(reverse("community:photo_edit"), {"remove": "1"}).status_code == 302
    assert not Picture.objects.exists()


@pytest.mark.django_db
def test_a_block_hides_both_members_from_each_other_and_can_be_undone(members: Members) -> None:
    ana, ben = members.client(members.ana), members.client(members.ben)
    response = ana.post(reverse("community:member_link", args=[members.ben.pk]), {"kind": "block", "on": "1"})
    assert response.url == reverse("community:links")
    assert ana.get(reverse("community:member", args=[members.ben.pk])).status_code == 404
    assert ben.get(reverse("community:member", args=[members.ana.pk])).status_code == 404
    # Ben cannot block back someone he no longer sees, nor learn that she exists.
    assert (
        ben.post(
            reverse("community:member_link", args=[members.ana.pk]), {"kind": "mute", "on": "1"}
        ).status_code
        == 404
    )
    links = ana.get(reverse("community:links")).content.decode()
    assert "Ben" in links and "Unblock" in links
    ana.post(reverse("community:member_link", args=[members.ben.pk]), {"kind": "block", "on": "0"})
    assert ben.get(reverse("community:member", args=[members.ana.pk])).status_code == 200


@pytest.mark.django_db
def test_a_block_ends_follows_both_ways_and_mute_is_one_way(members: Members) -> None:
    ana, ben = members.client(members.ana), members.client(members.ben)
    ana.post(reverse("community:member_link", args=[members.ben.pk]), {"kind": "follow", "on": "1"})
    ben.post(reverse("community:member_link", args=[members.ana.pk]), {"kind": "follow", "on": "1"})
    ana.post(reverse("community:member_link", args=[members.ben.pk]), {"kind": "mute", "on": "1"})
    assert ben.get(reverse("community:member", args=[members.ana.pk])).status_code == 200
    ana.post(reverse("community:member_link", args=[members.ben.pk]), {"kind": "block", "on": "1"})
    kinds = set(MemberLink.objects.values_list("member__display_name", "kind"))
    assert kinds == {("Ana M", FollowKind.MUTE), ("Ana M", FollowKind.BLOCK)}


@pytest.mark.django_db
def test_a_member_cannot_link_to_themselves_and_odd_kinds_are_not_found(members: Members) -> None:
    ana = members.client(members.ana)
    ana.post(reverse("community:member_link", args=[members.ana.pk]), {"kind": "block", "on": "1"})
    assert not MemberLink.objects.exists()
    assert (
        ana.post(
            reverse("community:member_link", args=[members.ben.pk]), {"kind": "x", "on": "1"}
        ).status_code
        == 404
    )
    assert ana.get(reverse("community:member_link", args=[members.ben.pk])).status_code == 405
