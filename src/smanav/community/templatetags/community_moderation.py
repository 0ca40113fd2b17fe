"""`{% community_moderation_link %}`: the "Moderation" link of the community's navigation, shown to
moderators only, with how many posts and replies wait for them (three small counts, moderators only)."""

from __future__ import annotations

from typing import Any

from django import template

from smanav.community.access import member_for
from smanav.community.screening import is_moderator
from smanav.community.selectors.moderation import waiting_count

register = template.Library()


@register.inclusion_tag("community/moderation/_nav_link.html", takes_context=True)
def community_moderation_link(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    member = getattr(request, "member", None) or (member_for(request.user) if request is not None else None)
    if member is None or not is_moderator(member):
        return {"moderator": False}
    return {"moderator": True, "waiting": waiting_count()}


@register.simple_tag(takes_context=True)
def community_is_moderator(context: dict[str, Any]) -> bool:
    """Whether the reader moderates (`{% community_is_moderator as moderating %}`): asked once per
    request however many replies a page shows."""
    request = context.get("request")
    if request is None:
        return False
    cached = getattr(request, "_community_moderating", None)
    if cached is None:
        member = getattr(request, "member", None) or member_for(request.user)
        cached = member is not None and is_moderator(member)
        request._community_moderating = cached
    return bool(cached)
