"""Template tags every page needs (the base layout's footer)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from smanav.accounts.roles import is_staff_member
from smanav_core import load_knowledge
from smanav_core.knowledge.freshness import last_reviewed

register = template.Library()


@register.simple_tag
def knowledge_version() -> str:
    """The knowledge base release and digest that produced every statement on the page."""
    return load_knowledge().version


@register.simple_tag
def knowledge_reviewed_on() -> dt.date:
    """When the knowledge base was last reviewed (the newest review date of its entries)."""
    return last_reviewed(load_knowledge())


@register.simple_tag(takes_context=True)
def reads_knowledge_version(context: Any) -> bool:
    """Whether the reader is clinic staff, who cite the knowledge base by its version (as the PDF does);
    families and visitors read when it was last reviewed, in words, not a version string."""
    request = context.get("request")
    return request is not None and is_staff_member(request.user)
