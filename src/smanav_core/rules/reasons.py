"""The one shape of an explained finding (`evaluation.Reason`: code, text, sources), built from a
knowledge entry."""

from __future__ import annotations

from collections.abc import Mapping

from smanav_core.evaluation import Reason
from smanav_core.knowledge.loader import Knowledge
from smanav_core.knowledge.schema.base import NOT_CONFIRMED, Entry, Statement

UNCONFIRMED_NOTE = f" ({NOT_CONFIRMED})"


def flagged(entry: Entry, text: str) -> str:
    """`text`, with the not-confirmed note when the entry is unconfirmed and the text does not say so."""
    if not entry.confirmed and "not confirmed" not in text:
        return text + UNCONFIRMED_NOTE
    return text


def statement_reason(
    statement: Statement, *, code: str, values: Mapping[str, object] | None = None
) -> Reason:
    """A reason whose text is `statement`, formatted with `values` (`{weight_kg}` etc.)."""
    text = statement.text.format_map(values) if values else statement.text
    return Reason(code, flagged(statement, text), statement.sources)


def fixed_reasons(kb: Knowledge) -> Mapping[str, Reason]:
    """Every statement as the reason it gives when its text quotes no value, with the default code (the
    last part of its id). Made once per knowledge base (`Knowledge.prepared`); reasons never change, so
    every evaluation shares them."""
    return {
        entry_id: Reason(_last_part(entry_id), flagged(statement, statement.text), statement.sources)
        for entry_id, statement in kb.statements.items()
    }


def reason(kb: Knowledge, entry_id: str, *, code: str | None = None, **values: object) -> Reason:
    """A reason whose text is the statement `entry_id`, formatted with `values`.

    `code` defaults to the last part of the entry id, so `therapy.iv.age_limit_us` gives `age_limit_us`.
    """
    if values:
        return statement_reason(kb.statement(entry_id), code=code or _last_part(entry_id), values=values)
    fixed = kb.prepared(fixed_reasons).get(entry_id)
    if fixed is None:
        kb.statement(entry_id)  # raises for an unknown id, or an entry that is not a statement
        raise AssertionError(entry_id)  # pragma: no cover - every statement has a fixed reason
    if code is None or code == fixed.code:
        return fixed
    return Reason(code, fixed.text, fixed.sources)


def _last_part(entry_id: str) -> str:
    return entry_id.rsplit(".", 1)[-1]
