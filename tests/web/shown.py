"""What an answer shows a person, for tests that look for words that must not be there.

A form's CSRF token is 64 random letters and digits, new on every answer: now and then it holds a short
name such as "Ada", so those checks read the answer without its tokens, and whole words only.
"""

from __future__ import annotations

import re

_TOKENS = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"|csrftoken=[^;\s]*')


def without_tokens(page: str) -> str:
    return _TOKENS.sub("", page)


def words_shown(body: bytes | str, words: tuple[str, ...] | list[str]) -> list[str]:
    """Which of `words` the answer shows, as whole words, outside its random tokens."""
    page = without_tokens(body.decode(errors="replace") if isinstance(body, bytes) else body)
    return [word for word in words if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", page)]
