"""Template tags every page needs (the base layout's footer)."""

from __future__ import annotations

from django import template

from smanav_core import load_knowledge

register = template.Library()


@register.simple_tag
def knowledge_version() -> str:
    """The knowledge base release and digest that produced every statement on the page."""
    return load_knowledge().version
