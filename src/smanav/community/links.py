"""Links into the conversation. A post's replies are shown a page at a time, so a link to a reply names
the reply twice: `?reply=<id>` makes the post page open at the page holding it, `#reply-<id>` scrolls
to it there."""

from __future__ import annotations

from django.urls import reverse

# Reversed in place of an id, then swapped for the mark. No id of ours reaches twelve nines.
_SENTINEL = 999_999_999_999
MARK = "{id}"


def reply_link(post_id: int, comment_id: int) -> str:
    """Where reply `comment_id` of post `post_id` is shown."""
    return f"{reverse('community:post', args=[post_id])}?reply={comment_id}#reply-{comment_id}"


def path_pattern(name: str, *args: int) -> str:
    """The path of route `name` with `args` and, last, an id left open for `with_id` to fill in: a page
    of 50 replies reverses each of its links once, not once a reply."""
    return reverse(name, args=[*args, _SENTINEL]).replace(str(_SENTINEL), MARK)


def with_id(pattern: str, ident: int) -> str:
    return pattern.replace(MARK, str(int(ident)))
