"""Keyset pages: a list read in the order of an index, each page starting just after (or before) the row a
link names by its sort key, never by skipping an offset (ADR 0028).

A sort is a tuple of key expressions read in one direction, the last of them the record's id so that no
two rows tie. Keys that run against the sort's direction are stored negated in the index (`Negated`)
and dates that may be missing stand in for the earliest day (`EarliestIfMissing`), so that one row
comparison `(k1, k2, …, id) > (v1, v2, …, id0)` bounds the index scan at any depth.

The position travels in the page's links as a cursor: the row's key values in JSON, base64url-encoded.
It only positions the page: whoever forges one still sees only the rows their access filter lets
through, and a cursor that does not decode into the sort's keys is refused (`cursor_decode` answers None).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from django.db.models import BooleanField, DateField, Expression, F, Func, IntegerField, Value

# A cursor is small: a few numbers, a name of at most 120 characters and a date.
MAX_CURSOR_LENGTH = 1000
EARLIEST_DAY = dt.date(1, 1, 1)


class Negated(Func):
    """`-column`: an integer key that sorts descending, stored so in the index to read it ascending."""

    template = "(-%(expressions)s)"
    output_field = IntegerField()


class EarliestIfMissing(Func):
    """A date key that may be missing (a record never measured): the earliest day stands in, so that the
    key is never NULL (a NULL would drop out of the row comparison)."""

    template = "COALESCE(%(expressions)s, '0001-01-01')"
    output_field = DateField()


class KeyKind(Enum):
    INTEGER = "integer"
    TEXT = "text"
    DATE = "date"


@dataclass(frozen=True)
class SortKey:
    name: str
    expression: Any
    kind: KeyKind


@dataclass(frozen=True)
class KeysetSort:
    """A sort: its keys (the last the record's id), read descending when `descending`."""

    keys: tuple[SortKey, ...]
    descending: bool = False

    def annotations(self) -> dict[str, Any]:
        return {key.name: key.expression for key in self.keys}

    def ordering(self, *, backwards: bool = False) -> list[Any]:
        descending = self.descending != backwards
        return [F(key.name).desc() if descending else F(key.name).asc() for key in self.keys]

    def beyond(self, values: Sequence[object], *, backwards: bool = False) -> RowBeyond:
        """The rows after `values` in this sort (before them when `backwards`)."""
        later = self.descending == backwards
        return RowBeyond([F(key.name) for key in self.keys], values, [key.kind for key in self.keys], later)


class RowBeyond(Expression):
    """`(k1, k2, …) > (v1, v2, …)` (or `<`): one row comparison, which PostgreSQL bounds an index scan
    with and SQLite reads as row values."""

    conditional = True
    output_field = BooleanField()

    def __init__(
        self, keys: Sequence[Any], values: Sequence[object], kinds: Sequence[KeyKind], later: bool
    ) -> None:
        super().__init__(output_field=BooleanField())
        self.keys = list(keys)
        self.values = [
            Value(value, output_field=_FIELDS[kind]) for value, kind in zip(values, kinds, strict=True)
        ]
        self.later = later

    def get_source_expressions(self) -> list[Any]:
        return [*self.keys, *self.values]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        count = len(self.keys)
        self.keys, self.values = list(exprs[:count]), list(exprs[count:])

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        left: list[str] = []
        right: list[str] = []
        params: list[Any] = []
        for expression in self.keys:
            sql, more = compiler.compile(expression)
            left.append(sql)
            params.extend(more)
        for expression in self.values:
            sql, more = compiler.compile(expression)
            right.append(sql)
            params.extend(more)
        operator = ">" if self.later else "<"
        return f"({', '.join(left)}) {operator} ({', '.join(right)})", tuple(params)


_FIELDS = {KeyKind.INTEGER: IntegerField(), KeyKind.TEXT: None, KeyKind.DATE: DateField()}


def cursor_encode(values: Sequence[object]) -> str:
    """The cursor of a row from its key values (dates as ISO text)."""
    plain = [value.isoformat() if isinstance(value, dt.date) else value for value in values]
    text = json.dumps(plain, ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def cursor_decode(cursor: str, sort: KeysetSort) -> list[object] | None:
    """The key values a cursor names for `sort`, or None when it is not one (malformed, forged for another
    sort, or of the wrong types): the caller then shows the first page and says so."""
    if not cursor or len(cursor) > MAX_CURSOR_LENGTH:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        plain = json.loads(raw.decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(plain, list) or len(plain) != len(sort.keys):
        return None
    values: list[object] = []
    for value, key in zip(plain, sort.keys, strict=True):
        decoded = _decoded(value, key.kind)
        if decoded is None:
            return None
        values.append(decoded)
    return values


def _decoded(value: object, kind: KeyKind) -> object | None:
    if kind is KeyKind.INTEGER:
        # Within PostgreSQL's integer range (bool is an int in Python: refused).
        if isinstance(value, int) and not isinstance(value, bool) and -(2**31) <= value < 2**31:
            return value
        return None
    if kind is KeyKind.TEXT:
        return value if isinstance(value, str) and len(value) <= 200 and "\x00" not in value else None
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None
