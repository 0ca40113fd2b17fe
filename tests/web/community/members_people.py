"""Named members for the members' tests: Ana (a parent who shows her child's SMA type and age and
matches with others), Ben (an adult with SMA, a trusted member on the welcoming committee), Cara (who
joined today and keeps everything private), and Dan, an account that never joined."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from tests.web.personas import log_in, make_user

from smanav.community.models import Member, TrustLevel
from smanav.community.services.members import member_join, member_profile_update, member_settings_update


@dataclass
class Members:
    ana: Member
    ben: Member
    cara: Member
    dan: Any  # an account, not a member

    def client(self, member: Member | None) -> Client:
        return log_in(Client(), member.user if member is not None else self.dan)


def profile(member: Member, **changes: Any) -> Member:
    values: dict[str, Any] = {
        "display_name": member.display_name,
        "about": member.about,
        "relation": member.relation,
        "show_relation": member.show_relation,
        "sma_type": member.sma_type,
        "show_sma_type": member.show_sma_type,
        "age_band": member.age_band,
        "show_age_band": member.show_age_band,
        "treatments": member.treatments,
        "show_treatments": member.show_treatments,
    }
    values.update(changes)
    return member_profile_update(member=member, **values)


def make_members() -> Members:
    ana = member_join(user=make_user("ana"), display_name="Ana M", accepted_guidelines=True)
    profile(
        ana,
        relation="parent",
        show_relation=True,
        sma_type="2",
        show_sma_type=True,
        age_band="2_5",
        show_age_band=True,
        treatments=["risdiplam"],
        show_treatments=True,
        about="Mum of Leo.",
    )
    member_settings_update(member=ana, matching_opt_in=True, is_welcomer=False, remove_posts_on_leaving=False)
    ben = member_join(user=make_user("ben"), display_name="Ben", accepted_guidelines=True)
    ben.trust_level = TrustLevel.TRUSTED
    ben.save()
    profile(
        ben,
        relation="person_with_sma",
        show_relation=True,
        sma_type="2",
        show_sma_type=True,
        age_band="30_49",
        show_age_band=True,
        treatments=["nusinersen", "risdiplam"],
        show_treatments=False,
    )
    member_settings_update(member=ben, matching_opt_in=True, is_welcomer=True, remove_posts_on_leaving=False)
    cara = member_join(user=make_user("cara"), display_name="Cara", accepted_guidelines=True)
    profile(
        cara,
        relation="sibling",
        show_relation=False,
        sma_type="2",
        show_sma_type=False,
        age_band="2_5",
        show_age_band=False,
    )
    member_settings_update(
        member=cara, matching_opt_in=True, is_welcomer=False, remove_posts_on_leaving=False
    )
    return Members(ana=ana, ben=ben, cara=cara, dan=make_user("dan"))


@pytest.fixture(name="members")
def members_fixture(db: Any, settings: Any) -> Members:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_members()
