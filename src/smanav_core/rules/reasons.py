"""The one shape of an explained finding: `{"code", "text", "sources"}`, built from a knowledge entry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from smanav_core.knowledge.loader import Knowledge
from smanav_core.knowledge.schema.base import NOT_CONFIRMED, Entry, Statement

UNCONFIRMED_NOTE = f" ({NOT_CONFIRMED})"


def flagged(entry: Entry, text: str) -> str:
    """`text`, with the not-confirmed note when the entry is unconfirmed and the text does not say so."""
    if not entry.confirmed and "not confirmed" not in text:
        return text + UNCONFIRMED_NOTE
    return text


def statement_reason(
    statement: Statement, *, code: str, values: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A reason whose text is `statement`, formatted with `values` (`{weight_kg}` etc.)."""
    text = statement.text.format_map(values) if values else statement.text
    return {"code": code, "text": flagged(statement, text), "sources": list(statement.sources)}


# Reasons whose text takes no values, by entry and code: (code, text, sources).
_FixedReasons = dict[tuple[str, str | None], tuple[str, str, tuple[str, ...]]]


def _fixed_reasons(kb: Knowledge) -> _FixedReasons:
    """Empty at first, kept by `Knowledge.prepared`: `reason` fills it in as reasons are asked for."""
    return {}


def reason(kb: Knowledge, entry_id: str, *, code: str | None = None, **values: Any) -> dict[str, Any]:
    """A reason whose text is the statement `entry_id`, formatted with `values`.

    `code` defaults to the last part of the entry id, so `therapy.iv.age_limit_us` gives `age_limit_us`.
    """
    if values:
        return statement_reason(kb.statement(entry_id), code=code or _last_part(entry_id), values=values)
    known = kb.prepared(_fixed_reasons)
    fixed = known.get((entry_id, code))
    if fixed is None:
        statement = kb.statement(entry_id)
        text = flagged(statement, statement.text)
        fixed = known[(entry_id, code)] = (code or _last_part(entry_id), text, statement.sources)
    return {"code": fixed[0], "text": fixed[1], "sources": list(fixed[2])}


def _last_part(entry_id: str) -> str:
    return entry_id.rsplit(".", 1)[-1]
