"""smanav_core: the pure clinical core of smanav.

    from smanav_core import evaluate, triage, InvalidInput
    result = evaluate(record, region="US", as_of=datetime.date(2026, 11, 21))   # the contract's document
    answer = triage(answers, as_of=datetime.date(2026, 11, 21))

An application reads the same answers as frozen, typed values (`evaluation_of`, `triage_of`: an
`Evaluation`, a `TriageResult`) and writes JSON only at its edges, with their `to_json()`.

No web framework, no database, no clock: the evaluation date is always passed in.
"""

from smanav_core.engine import DISCLAIMER, evaluate, evaluation_of, interpret_person
from smanav_core.errors import InvalidInput
from smanav_core.evaluation import Evaluation, TriageResult
from smanav_core.knowledge.loader import load_knowledge
from smanav_core.triage import triage, triage_of

__all__ = [
    "DISCLAIMER",
    "Evaluation",
    "InvalidInput",
    "TriageResult",
    "evaluate",
    "evaluation_of",
    "interpret_person",
    "load_knowledge",
    "triage",
    "triage_of",
]
