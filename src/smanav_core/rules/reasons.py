"""The one shape of an explained finding: `{"code", "text", "sources"}`, built from a knowledge entry."""

from __future__ import annotations

from typing import Any

from smanav_core.knowledge.loader import Knowledge


def reason(kb: Knowledge, entry_id: str, *, code: str | None = None, **values: Any) -> dict[str, Any]:
    """A reason whose text is the statement `entry_id`, formatted with `values` (`{weight_kg}` etc.).

    `code` defaults to the last part of the entry id, so `therapy.iv.age_limit_us` gives `age_limit_us`.
    """
    statement = kb.statement(entry_id)
    text = statement.text.format(**values) if values else statement.text
    if not statement.confirmed and "not confirmed" not in text:
        text += " (This point is not confirmed in smanav's knowledge base; check it with the clinical team.)"
    return {
        "code": code or entry_id.rsplit(".", 1)[-1],
        "text": text,
        "sources": list(statement.sources),
    }
