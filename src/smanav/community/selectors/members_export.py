"""Everything a member wrote and set in the community, for "export my community data" (a JSON
download). Other members appear by display name only; nothing of a clinical record is here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from smanav.community.members_choices import GUIDELINES_VERSION, treatment_labels
from smanav.community.models import (
    AgeBand,
    Comment,
    Draft,
    Flag,
    Member,
    MemberLink,
    Notification,
    NotificationPreference,
    Picture,
    Post,
    Reaction,
    Relation,
    SmaType,
    TopicFollow,
)

FORMAT = "smanav-community-export/1"


def _when(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _picture(picture: Picture | None) -> dict[str, Any] | None:
    if picture is None:
        return None
    return {
        "description": picture.alt_text,
        "width": picture.width,
        "height": picture.height,
        "type": picture.content_type,
        "uploaded_at": _when(picture.created_at),
    }


def _reacted_on(reaction: Reaction) -> str | None:
    if reaction.post is not None:
        return reaction.post.title
    if reaction.comment is not None:
        return reaction.comment.post.title
    return None


def member_export(*, member: Member) -> dict[str, Any]:
    """The member's community data as plain JSON values."""
    profile = {
        "display_name": member.display_name,
        "about": member.about,
        "photo": _picture(member.photo),
        "relation_to_sma": {
            "value": Relation(member.relation).label if member.relation else None,
            "shown": member.show_relation,
        },
        "sma_type": {
            "value": SmaType(member.sma_type).label if member.sma_type else None,
            "shown": member.show_sma_type,
        },
        "age": {
            "value": AgeBand(member.age_band).label if member.age_band else None,
            "shown": member.show_age_band,
        },
        "treatments": {"value": treatment_labels(member.treatments), "shown": member.show_treatments},
        "members_like_me": member.matching_opt_in,
        "welcoming_committee": member.is_welcomer,
        "posts_when_leaving": "removed" if member.remove_posts_on_leaving else "kept without my name",
        "joined_at": _when(member.joined_at),
        "guidelines_accepted": {
            "version": member.guidelines_version,
            "at": _when(member.guidelines_accepted_at),
            "current_version": GUIDELINES_VERSION,
        },
        "trust_level": member.get_trust_level_display(),
    }
    posts = [
        {
            "title": post.title,
            "kind": post.get_kind_display(),
            "topic": post.topic.name,
            "text": post.body,
            "picture": _picture(post.picture),
            "status": post.get_status_display(),
            "created_at": _when(post.created_at),
            "edited_at": _when(post.edited_at),
            "earlier_versions": [
                {"title": r.title, "text": r.body, "replaced_at": _when(r.replaced_at)}
                for r in post.revisions.all()
            ],
        }
        for post in Post.objects.filter(author=member)
        .select_related("topic", "picture")
        .prefetch_related("revisions")
        .order_by("created_at")
    ]
    comments = [
        {
            "on_post": comment.post.title,
            "text": comment.body,
            "status": comment.get_status_display(),
            "created_at": _when(comment.created_at),
            "edited_at": _when(comment.edited_at),
            "earlier_versions": [
                {"text": r.body, "replaced_at": _when(r.replaced_at)} for r in comment.revisions.all()
            ],
        }
        for comment in Comment.objects.filter(author=member)
        .select_related("post")
        .prefetch_related("revisions")
        .order_by("created_at")
    ]
    reactions = [
        {
            "reaction": reaction.get_kind_display(),
            "on_post": _reacted_on(reaction),
            "on_reply": reaction.comment is not None,
            "at": _when(reaction.created_at),
        }
        for reaction in Reaction.objects.filter(member=member).select_related("post", "comment__post")
    ]
    drafts = [
        {"title": draft.title, "text": draft.body, "saved_at": _when(draft.updated_at)}
        for draft in Draft.objects.filter(member=member).order_by("updated_at")
    ]
    links = [
        {"member": link.other.display_name, "kind": link.get_kind_display(), "since": _when(link.created_at)}
        for link in MemberLink.objects.filter(member=member).select_related("other").order_by("created_at")
    ]
    topics = [
        {"topic": follow.topic.name, "since": _when(follow.created_at)}
        for follow in TopicFollow.objects.filter(member=member).select_related("topic")
    ]
    flags = [
        {"reason": flag.get_reason_display(), "note": flag.note, "at": _when(flag.created_at)}
        for flag in Flag.objects.filter(reporter=member).order_by("created_at")
    ]
    notifications = [
        {
            "kind": notice.get_kind_display(),
            "from": notice.actor.display_name if notice.actor else None,
            "text": notice.text,
            "at": _when(notice.created_at),
            "read": notice.read_at is not None,
        }
        for notice in Notification.objects.filter(recipient=member).select_related("actor")
    ]
    preferences = [
        {"kind": pref.get_kind_display(), "on_site": pref.on_site, "email": pref.email, "digest": pref.digest}
        for pref in NotificationPreference.objects.filter(member=member)
    ]
    return {
        "format": FORMAT,
        "exported_at": timezone.now().isoformat(),
        "profile": profile,
        "posts": posts,
        "replies": comments,
        "reactions": reactions,
        "drafts": drafts,
        "members_followed_muted_or_blocked": links,
        "topics_followed": topics,
        "flags_i_raised": flags,
        "notifications": notifications,
        "notification_preferences": preferences,
    }
