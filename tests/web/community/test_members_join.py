"""Joining the community (issue 11, part 1): a display name and the versioned guidelines accepted; the
community's home page for visitors, accounts and members; the guidelines asked again when they change."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from tests.web.community.members_people import Members, members_fixture  # noqa: F401
from tests.web.personas import log_in, make_user

from smanav.community import members_choices
from smanav.community.models import Member
from smanav.community.services.members import MemberRefused, member_join


@pytest.mark.django_db
def test_a_visitor_reads_what_the_community_is_and_is_asked_to_sign_up() -> None:
    page = Client().get(reverse("community:home"))
    assert page.status_code == 200
    text = page.content.decode()
    assert reverse("accounts:signup") in text
    assert "Only members read what members write" in text
    assert reverse("community:me") not in text


@pytest.mark.django_db
def test_the_site_links_to_the_community_from_its_home_page_and_navigation() -> None:
    text = Client().get(reverse("home")).content.decode()
    assert text.count(f'href="{reverse("community:home")}"') >= 2


@pytest.mark.django_db
def test_the_guidelines_are_public_and_carry_their_version() -> None:
    text = Client().get(reverse("community:guidelines")).content.decode()
    assert members_choices.GUIDELINES_VERSION in text
    assert "Share experience, not medical advice" in text


@pytest.mark.django_db
def test_member_pages_send_a_visitor_to_log_in_and_an_account_to_join(members: Members) -> None:
    assert Client().get(reverse("community:me")).url.startswith(reverse("accounts:login"))
    response = members.client(None).get(reverse("community:me"))
    assert response.status_code == 302
    assert response.url == reverse("community:join")


@pytest.mark.django_db
def test_an_account_joins_with_a_name_and_the_guidelines(members: Members) -> None:
    client = members.client(None)
    home = client.get(reverse("community:home")).content.decode()
    assert reverse("community:join") in home
    response = client.post(reverse("community:join"), {"display_name": "  Dan   the  Dad ", "accept": "on"})
    assert response.status_code == 302
    assert response.url == reverse("community:profile_edit")
    member = Member.objects.get(user=members.dan)
    assert member.display_name == "Dan the Dad"
    assert member.guidelines_version == members_choices.GUIDELINES_VERSION
    assert client.get(reverse("community:join")).url == reverse("community:home")


@pytest.mark.django_db
def test_joining_without_the_guidelines_or_with_a_taken_name_is_refused_in_the_forms_words(
    members: Members,
) -> None:
    client = members.client(None)
    refused = client.post(reverse("community:join"), {"display_name": "Dan"})
    assert refused.status_code == 422
    assert "Read and accept the community guidelines to join." in refused.content.decode()
    taken = client.post(reverse("community:join"), {"display_name": "ana   m", "accept": "on"})
    assert taken.status_code == 422
    assert "Display name: Another member has this name." in taken.content.decode()
    odd = client.post(reverse("community:join"), {"display_name": "<script>", "accept": "on"})
    assert odd.status_code == 422
    assert "Display name: Use letters, numbers" in odd.content.decode()
    assert not Member.objects.filter(user=members.dan).exists()


@pytest.mark.django_db
def test_the_service_refuses_without_the_guidelines_and_joins_once(members: Members) -> None:
    with pytest.raises(MemberRefused):
        member_join(user=members.dan, display_name="Dan", accepted_guidelines=False)
    assert not Member.objects.filter(user=members.dan).exists()
    first = member_join(user=members.dan, display_name="Dan", accepted_guidelines=True)
    again = member_join(user=members.dan, display_name="Other", accepted_guidelines=True)
    assert first.pk == again.pk
    assert Member.objects.filter(user=members.dan).count() == 1
    with pytest.raises(MemberRefused):
        member_join(user=make_user("eve"), display_name="DAN", accepted_guidelines=True)


@pytest.mark.django_db
def test_a_member_is_asked_to_accept_changed_guidelines(members: Members, monkeypatch: Any) -> None:
    monkeypatch.setattr(members_choices, "GUIDELINES_VERSION", "2099-01-01")
    for module in (
        "smanav.community.selectors.members",
        "smanav.community.services.members",
        "smanav.community.views.members",
    ):
        monkeypatch.setattr(f"{module}.GUIDELINES_VERSION", "2099-01-01", raising=False)
    client = members.client(members.ana)
    assert "The community guidelines have changed" in client.get(reverse("community:home")).content.decode()
    refused = client.post(reverse("community:guidelines"), {})
    assert refused.status_code == 422
    accepted = client.post(reverse("community:guidelines"), {"accept": "on"})
    assert accepted.status_code == 302
    members.ana.refresh_from_db()
    assert members.ana.guidelines_version == "2099-01-01"
    assert (
        "The community guidelines have changed" not in client.get(reverse("community:home")).content.decode()
    )


@pytest.mark.django_db
def test_a_member_home_is_the_feed_with_the_members_links(members: Members) -> None:
    text = members.client(members.ana).get(reverse("community:home")).content.decode()
    assert "Latest in the community" in text
    assert reverse("community:me") in text
    assert "Only members read what members write" not in text


@pytest.mark.django_db
def test_a_suspended_member_is_no_member(members: Members) -> None:
    import datetime as dt

    from django.utils import timezone

    members.cara.suspended_until = timezone.now() + dt.timedelta(days=1)
    members.cara.save()
    client = log_in(Client(), members.cara.user)
    assert client.get(reverse("community:me")).url == reverse("community:join")
    # Nor may they join again under another name.
    response = client.post(reverse("community:join"), {"display_name": "Cara2", "accept": "on"})
    assert Member.objects.filter(user=members.cara.user).count() == 1
    assert response.status_code in (302, 422)
