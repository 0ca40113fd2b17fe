"""Links into the conversation in templates (see `community.links`): `{% reply_link post_id reply_id %}`
and `{{ pattern|with_id:comment.pk }}` for a path reversed once a page."""

from __future__ import annotations

from django import template

from smanav.community import links

register = template.Library()


@register.simple_tag
def reply_link(post_id: int, comment_id: int) -> str:
    return links.reply_link(post_id, comment_id)


@register.filter
def with_id(pattern: str, ident: int) -> str:
    return links.with_id(pattern, ident)
