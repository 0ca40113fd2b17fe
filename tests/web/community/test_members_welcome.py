"""The welcoming committee's queue and "members like me" (issue 11, part 3)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from tests.web.community.members_people import Members, members_fixture, profile  # noqa: F401

from smanav.community.models import FollowKind, Member, Notification, NotificationKind
from smanav.community.selectors.members import members_like_me, welcome_queue
from smanav.community.services.members import MemberRefused, member_link_set, member_welcome


@pytest.mark.django_db
def test_the_queue_is_for_volunteers_only(members: Members) -> None:
    page = members.client(members.ana).get(reverse("community:welcome_queue"))
    assert page.status_code == 403
    assert "for volunteers of the welcoming committee" in page.content.decode()
    refused = members.client(members.ana).post(
        reverse("community:welcome", args=[members.cara.pk]), {"message": "Hi"}
    )
    assert refused.status_code == 403
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_a_volunteer_sees_new_members_and_greets_them_once(members: Members) -> None:
    Member.objects.filter(pk=members.ana.pk).update(joined_at=timezone.now() - dt.timedelta(days=40))
    client = members.client(members.ben)
    page = client.get(reverse("community:welcome_queue")).content.decode()
    assert "Cara" in page and "Ana M" not in page and "Your welcome to Cara" in page
    assert "1 new member is waiting" in client.get(reverse("community:home")).content.decode()
    empty = client.post(reverse("community:welcome", args=[members.cara.pk]), {"message": " "})
    assert empty.status_code == 302
    assert not Notification.objects.exists()
    client.post(reverse("community:welcome", args=[members.cara.pk]), {"message": "Welcome, Cara!"})
    notice = Notification.objects.get()
    assert (notice.recipient, notice.actor, notice.kind, notice.text) == (
        members.cara,
        members.ben,
        NotificationKind.WELCOME,
        "Welcome, Cara!",
    )
    members.cara.refresh_from_db()
    assert members.cara.welcomed_by == members.ben
    assert "Your welcome to Cara" not in client.get(reverse("community:welcome_queue")).content.decode()
    with pytest.raises(MemberRefused):
        member_welcome(welcomer=members.ben, member=members.cara, message="Again")
    assert Notification.objects.count() == 1


@pytest.mark.django_db
def test_a_blocked_newcomer_is_not_in_the_volunteers_queue(members: Members) -> None:
    member_link_set(member=members.cara, other=members.ben, kind=FollowKind.BLOCK, on=True)
    assert members.cara not in welcome_queue(welcomer=members.ben)
    response = members.client(members.ben).post(
        reverse("community:welcome", args=[members.cara.pk]), {"message": "Hi"}
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_members_like_me_match_only_on_what_both_show(members: Members) -> None:
    # Ana shows type 2, age 2 to 5 and risdiplam. Ben shows type 2 (and hides his treatments);
    # Cara has type 2 and age 2 to 5 but shows neither.
    [match] = members_like_me(member=members.ana)
    assert match.member == members.ben and match.shared == ["Type 2"]
    profile(members.cara, sma_type="2", show_sma_type=True)
    profile(members.ben, show_treatments=True)
    matches = {m.member.display_name: m.shared for m in members_like_me(member=members.ana)}
    assert matches == {"Ben": ["Type 2", "Risdiplam (Evrysdi)"], "Cara": ["Type 2"]}
    page = members.client(members.ana).get(reverse("community:like_me")).content.decode()
    assert "Risdiplam (Evrysdi)" in page and "Cara" in page


@pytest.mark.django_db
def test_members_like_me_is_off_until_chosen_and_respects_blocks(members: Members) -> None:
    members.ben.matching_opt_in = False
    members.ben.save()
    assert members_like_me(member=members.ana) == []
    assert members_like_me(member=members.ben) == []
    page = members.client(members.ben).get(reverse("community:like_me")).content.decode()
    assert "Switch on members like me" in page
    members.ben.matching_opt_in = True
    members.ben.save()
    member_link_set(member=members.ben, other=members.ana, kind=FollowKind.BLOCK, on=True)
    assert members_like_me(member=members.ana) == []
    text = members.client(members.cara).get(reverse("community:like_me")).content.decode()
    assert "you show none yet" in text
