"""Writes about members: joining, accepting the guidelines, the profile and its "show" switches,
settings, blocks and mutes, the welcoming committee, and leaving (on its own or with the account).

Every function here is the one way its change is made; views, tests and the account's deletion go
through them.
"""

from __future__ import annotations

import re
import unicodedata

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from smanav.accounts.models import User
from smanav.community.members_choices import GUIDELINES_VERSION, Treatment
from smanav.community.models import (
    AgeBand,
    Comment,
    FollowKind,
    Member,
    MemberLink,
    Picture,
    Post,
    Reaction,
    Relation,
    Revision,
    SmaType,
    Status,
    TrustLevel,
)
from smanav.community.notifications import notify_welcome

# What stays of a removed post or reply: the row keeps its place in the conversation, nothing the
# member wrote stays.
REMOVED_TITLE = "Removed by its author"
REMOVED_TEXT = "(removed by its author)"

_SPACES = re.compile(r"\s+")


class MemberRefused(Exception):
    """A change was refused; the message says why in the form's words."""


def display_name_clean(name: str) -> str:
    """The name as it is shown: Unicode-normalised, single spaces, no spaces at the ends."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", name)).strip()


def display_name_key(name: str) -> str:
    """The key that makes names unique whatever their capitals and spacing."""
    return display_name_clean(name).casefold()


def display_name_taken(name: str, *, other_than: Member | None = None) -> bool:
    taken = Member.objects.filter(name_key=display_name_key(name))
    if other_than is not None:
        taken = taken.exclude(pk=other_than.pk)
    return taken.exists()


@transaction.atomic
def member_join(*, user: User, display_name: str, accepted_guidelines: bool) -> Member:
    """The account joins the community under `display_name`, having accepted the current guidelines.
    Joining twice answers the existing member."""
    existing = Member.objects.filter(user=user).first()
    if existing is not None:
        return existing
    if not accepted_guidelines:
        raise MemberRefused("Read and accept the community guidelines to join.")
    name = display_name_clean(display_name)
    if display_name_taken(name):
        raise MemberRefused("Another member has this name. Choose another one.")
    now = timezone.now()
    try:
        with transaction.atomic():
            return Member.objects.create(
                user=user,
                display_name=name,
                name_key=display_name_key(name),
                guidelines_version=GUIDELINES_VERSION,
                guidelines_accepted_at=now,
                joined_at=now,
            )
    except IntegrityError as error:  # two joins at once: the same name, or the same account
        raise MemberRefused("Another member has this name. Choose another one.") from error


@transaction.atomic
def guidelines_accept(*, member: Member) -> Member:
    """The member accepted the current version of the guidelines."""
    member.guidelines_version = GUIDELINES_VERSION
    member.guidelines_accepted_at = timezone.now()
    member.save(update_fields=["guidelines_version", "guidelines_accepted_at"])
    return member


@transaction.atomic
def member_profile_update(
    *,
    member: Member,
    display_name: str,
    about: str,
    relation: str,
    show_relation: bool,
    sma_type: str,
    show_sma_type: bool,
    age_band: str,
    show_age_band: bool,
    treatments: list[str],
    show_treatments: bool,
) -> Member:
    """Change the profile. A detail left empty is never shown, whatever its switch."""
    name = display_name_clean(display_name)
    if display_name_taken(name, other_than=member):
        raise MemberRefused("Another member has this name. Choose another one.")
    if relation and relation not in Relation.values:
        raise MemberRefused("Choose your relation to SMA from the list.")
    if sma_type and sma_type not in SmaType.values:
        raise MemberRefused("Choose the SMA type from the list.")
    if age_band and age_band not in AgeBand.values:
        raise MemberRefused("Choose the age band from the list.")
    unknown = set(treatments) - set(Treatment.values)
    if unknown:
        raise MemberRefused("Choose treatments from the list.")
    member.display_name = name
    member.name_key = display_name_key(name)
    member.about = about.strip()
    member.relation = relation
    member.show_relation = show_relation and bool(relation)
    member.sma_type = sma_type
    member.show_sma_type = show_sma_type and bool(sma_type)
    member.age_band = age_band
    member.show_age_band = show_age_band and bool(age_band)
    member.treatments = [value for value in Treatment.values if value in set(treatments)]
    member.show_treatments = show_treatments and bool(treatments)
    member.save()
    return member


@transaction.atomic
def member_photo_set(*, member: Member, picture: Picture | None) -> Member:
    """Set (or, with None, remove) the profile photo; the previous photo is deleted."""
    old = member.photo
    member.photo = picture
    member.save(update_fields=["photo"])
    if old is not None and (picture is None or old.pk != picture.pk):
        old.delete()
    return member


@transaction.atomic
def member_settings_update(
    *, member: Member, matching_opt_in: bool, is_welcomer: bool, remove_posts_on_leaving: bool
) -> Member:
    """Members like me, the welcoming committee, and what happens to what I wrote when I leave.
    Only members past their first days (not new) may greet others."""
    if is_welcomer and not member.is_welcomer and member.trust_level < TrustLevel.MEMBER:
        raise MemberRefused(
            "The welcoming committee is open to members once their first posts were approved."
        )
    member.matching_opt_in = matching_opt_in
    member.is_welcomer = is_welcomer
    member.remove_posts_on_leaving = remove_posts_on_leaving
    member.save(update_fields=["matching_opt_in", "is_welcomer", "remove_posts_on_leaving"])
    return member


@transaction.atomic
def member_link_set(*, member: Member, other: Member, kind: FollowKind, on: bool) -> None:
    """Block, mute or follow another member (`on`), or undo it. A block also ends follows both ways."""
    if member.pk == other.pk:
        raise MemberRefused("You cannot do this to yourself.")
    if not on:
        MemberLink.objects.filter(member=member, other=other, kind=kind).delete()
        return
    MemberLink.objects.get_or_create(member=member, other=other, kind=kind)
    if kind == FollowKind.BLOCK:
        MemberLink.objects.filter(member=member, other=other, kind=FollowKind.FOLLOW).delete()
        MemberLink.objects.filter(member=other, other=member, kind=FollowKind.FOLLOW).delete()


@transaction.atomic
def member_welcome(*, welcomer: Member, member: Member, message: str) -> Member:
    """A volunteer of the welcoming committee greets a new member: the member is told, and leaves the
    queue of members to welcome."""
    if not welcomer.is_welcomer:
        raise MemberRefused("Only volunteers of the welcoming committee greet new members.")
    if welcomer.pk == member.pk:
        raise MemberRefused("You cannot welcome yourself.")
    text = message.strip()
    if not text:
        raise MemberRefused("Write a few words of welcome.")
    locked = Member.objects.select_for_update().get(pk=member.pk)
    if locked.welcomed_at is not None:
        raise MemberRefused("Another volunteer has just welcomed this member.")
    locked.welcomed_at = timezone.now()
    locked.welcomed_by = welcomer
    locked.save(update_fields=["welcomed_at", "welcomed_by"])
    notify_welcome(member=locked, welcomer=welcomer, text=text[:300])
    return locked


@transaction.atomic
def member_leave(*, member: Member, remove_posts: bool) -> None:
    """The member leaves the community. With `remove_posts`, everything they wrote is emptied (the
    rows keep their place so that others' replies still read in order); without, their posts and
    replies stay without their name. Their photo, reactions, drafts, links, follows, flags and
    notifications go with them; moderators' records of actions keep no link to them."""
    if remove_posts:
        # Their earlier versions go with the text (an edit's history is the member's writing too).
        Revision.objects.filter(Q(post__author=member) | Q(comment__author=member)).delete()
        posts = Post.objects.filter(author=member)
        pictures = list(posts.exclude(picture=None).values_list("picture_id", flat=True))
        posts.update(
            status=Status.REMOVED,
            status_reason="",
            title=REMOVED_TITLE,
            body=REMOVED_TEXT,
            body_html=f"<p>{REMOVED_TEXT}</p>",
            picture=None,
            author=None,
        )
        Picture.objects.filter(pk__in=pictures).delete()
        Comment.objects.filter(author=member).update(
            status=Status.REMOVED,
            status_reason="",
            body=REMOVED_TEXT,
            body_html=f"<p>{REMOVED_TEXT}</p>",
            author=None,
        )
        Picture.objects.filter(owner=member).delete()
    # Reactions change the counts others see.
    for reaction in Reaction.objects.filter(member=member).select_related("post", "comment"):
        if reaction.post_id is not None:
            Post.objects.filter(pk=reaction.post_id, reaction_count__gt=0).update(
                reaction_count=F("reaction_count") - 1
            )
        elif reaction.comment_id is not None:
            Comment.objects.filter(pk=reaction.comment_id, reaction_count__gt=0).update(
                reaction_count=F("reaction_count") - 1
            )
    if member.photo_id is not None:
        Picture.objects.filter(pk=member.photo_id).delete()
    member.delete()


def member_leave_with_account(*, user: User) -> None:
    """The account is being deleted: its member leaves as they chose in their settings."""
    member = Member.objects.filter(user=user).first()
    if member is not None:
        member_leave(member=member, remove_posts=member.remove_posts_on_leaving)
