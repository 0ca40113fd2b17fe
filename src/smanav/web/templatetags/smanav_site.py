"""Template tags every page needs (the base layout's footer)."""

from __future__ import annotations

import datetime as dt

from django import template

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
