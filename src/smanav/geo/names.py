"""Normalised keys for place names and postal codes, so that "São Paulo", "sao paulo" and "SAO-PAULO"
find the same row with an index lookup instead of a case-insensitive scan."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^0-9a-z]+")
_POSTAL_SEPARATORS = re.compile(r"[\s\-]+")


def name_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    ascii_only = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_WORD.sub(" ", ascii_only).strip()


def postal_key(code: str) -> str:
    return _POSTAL_SEPARATORS.sub("", code).upper()


def looks_like_postal_code(text: str) -> bool:
    """Postal codes contain a digit (US 10001, DE 80331, GB "SW1A", NL "1011 AB"); place names rarely do."""
    return any(char.isdigit() for char in text)
