"""`{% community_notices_link %}`: the "Notifications" link of the community's navigation, with the
number of unread notifications (one small indexed count per page)."""

from __future__ import annotations

from typing import Any

from django import template

from smanav.community.access import member_for
from smanav.community.selectors.notifications import notifications_unread_count

register = template.Library()


@register.inclusion_tag("community/notifications/_nav_link.html", takes_context=True)
def community_notices_link(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    member = getattr(request, "member", None) or (member_for(request.user) if request is not None else None)
    if member is None:
        return {"member": None}
    current = (
        request is not None
        and request.resolver_match is not None
        and (request.resolver_match.url_name == "notifications")
    )
    return {"member": member, "unread": notifications_unread_count(member=member), "current": current}
