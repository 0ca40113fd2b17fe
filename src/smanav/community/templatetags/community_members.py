"""What the community's layout shows a member on every page: a notice when the guidelines changed, and
for volunteers of the welcoming committee, how many new members wait for a welcome."""

from __future__ import annotations

from typing import Any

from django import template

from smanav.community.access import member_for
from smanav.community.selectors.members import needs_guidelines, welcome_queue

register = template.Library()


@register.inclusion_tag("community/members/_notices.html", takes_context=True)
def member_notices(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    # The page's guard has found the member already: no second query for it.
    member = getattr(request, "member", None) or (member_for(request.user) if request is not None else None)
    if member is None:
        return {"member": None}
    return {
        "member": member,
        "needs_guidelines": needs_guidelines(member),
        "waiting": len(welcome_queue(welcomer=member)) if member.is_welcomer else 0,
    }
