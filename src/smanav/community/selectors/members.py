"""Reads about members: a profile as another member may see it, blocks, the welcoming committee's
queue and "members like me".

Privacy lives here: a member's details about SMA are shown only where their "show" switch is on, and
a block hides both members from each other (`member_get_visible` answers "not found").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from smanav.community.members_choices import GUIDELINES_VERSION, treatment_labels
from smanav.community.models import AgeBand, FollowKind, Member, MemberLink, Relation, SmaType

# How long a new member stays in the welcoming committee's queue if nobody greets them.
WELCOME_WINDOW = dt.timedelta(days=30)
LIKE_ME_LIMIT = 50


@dataclass(frozen=True, slots=True)
class Detail:
    label: str
    value: str


def blocked_ids(member: Member) -> set[int]:
    """The members this member blocked or was blocked by: neither sees the other."""
    links = MemberLink.objects.filter(Q(member=member) | Q(other=member), kind=FollowKind.BLOCK)
    return {
        other if mine == member.pk else mine for mine, other in links.values_list("member_id", "other_id")
    }


def muted_ids(member: Member) -> set[int]:
    return set(
        MemberLink.objects.filter(member=member, kind=FollowKind.MUTE).values_list("other_id", flat=True)
    )


def links_of(member: Member, other: Member) -> set[str]:
    """The kinds of link from `member` to `other` (follow, mute, block)."""
    return set(MemberLink.objects.filter(member=member, other=other).values_list("kind", flat=True))


def member_get_visible(*, viewer: Member, member_id: int) -> Member:
    """The member `viewer` may see: not found if missing, suspended, or blocked either way."""
    member = Member.objects.select_related("photo").filter(pk=member_id).first()
    if member is None:
        raise Http404
    if member.suspended_until is not None and member.suspended_until > timezone.now():
        raise Http404
    if member.pk != viewer.pk and member.pk in blocked_ids(viewer):
        raise Http404
    return member


def shown_details(member: Member) -> list[Detail]:
    """The details about SMA the member chose to show, in plain words."""
    details = []
    if member.show_relation and member.relation:
        details.append(Detail("Relation to SMA", str(Relation(member.relation).label)))
    if member.show_sma_type and member.sma_type:
        details.append(Detail("SMA type", str(SmaType(member.sma_type).label)))
    if member.show_age_band and member.age_band:
        details.append(Detail("Age", str(AgeBand(member.age_band).label)))
    if member.show_treatments and member.treatments:
        details.append(Detail("Treatments", ", ".join(treatment_labels(member.treatments))))
    return details


def needs_guidelines(member: Member) -> bool:
    """The guidelines changed since the member accepted them."""
    return member.guidelines_version != GUIDELINES_VERSION


def links_made(member: Member, kind: FollowKind) -> QuerySet[MemberLink]:
    return (
        MemberLink.objects.filter(member=member, kind=kind)
        .select_related("other")
        .order_by("other__display_name")
    )


def welcome_queue(*, welcomer: Member) -> list[Member]:
    """New members nobody has welcomed yet, oldest first, that this volunteer may see."""
    since = timezone.now() - WELCOME_WINDOW
    hidden = blocked_ids(welcomer) | {welcomer.pk}
    queue = (
        Member.objects.filter(welcomed_at=None, joined_at__gte=since)
        .exclude(pk__in=hidden)
        .exclude(suspended_until__gt=timezone.now())
        .order_by("joined_at", "id")
    )
    return list(queue[:100])


@dataclass(frozen=True, slots=True)
class Match:
    member: Member
    shared: list[str]


def members_like_me(*, member: Member) -> list[Match]:
    """Members who also opted in, matched only on the details both of them show (SMA type, age band,
    treatments): never on a detail either keeps private, never from a clinical record. Closest first."""
    if not member.matching_opt_in:
        return []
    wanted = Q(pk__in=[])
    if member.show_sma_type and member.sma_type:
        wanted |= Q(show_sma_type=True, sma_type=member.sma_type)
    if member.show_age_band and member.age_band:
        wanted |= Q(show_age_band=True, age_band=member.age_band)
    my_treatments = set(member.treatments) if member.show_treatments else set()
    for treatment in sorted(my_treatments):
        # The list is stored as JSON text of known keys, so the quoted key finds it on every database.
        wanted |= Q(show_treatments=True, treatments__icontains=f'"{treatment}"')
    candidates = (
        Member.objects.filter(wanted, matching_opt_in=True)
        .exclude(pk__in=blocked_ids(member) | {member.pk})
        .exclude(suspended_until__gt=timezone.now())
        .select_related("photo")
        .order_by("-joined_at", "-id")[: LIKE_ME_LIMIT * 4]
    )
    matches = []
    for other in candidates:
        shared = []
        if (
            member.show_sma_type
            and other.show_sma_type
            and member.sma_type
            and other.sma_type == member.sma_type
        ):
            shared.append(str(SmaType(member.sma_type).label))
        if (
            member.show_age_band
            and other.show_age_band
            and member.age_band
            and other.age_band == member.age_band
        ):
            shared.append(f"Age {AgeBand(member.age_band).label}")
        if other.show_treatments:
            shared.extend(treatment_labels(sorted(my_treatments & set(other.treatments))))
        if shared:
            matches.append(Match(other, shared))
    matches.sort(key=lambda match: -len(match.shared))
    return matches[:LIKE_ME_LIMIT]
