"""smanav_core: the pure clinical core of smanav.

    from smanav_core import evaluate, triage, InvalidInput
    result = evaluate(record, region="US", as_of=datetime.date(2026, 11, 21))
    answer = triage(answers, as_of=datetime.date(2026, 11, 21))

No web framework, no database, no clock: the evaluation date is always passed in.
"""

from smanav_core.engine import DISCLAIMER, evaluate
from smanav_core.errors import InvalidInput
from smanav_core.knowledge.loader import load_knowledge
from smanav_core.triage import triage

__all__ = ["DISCLAIMER", "InvalidInput", "evaluate", "load_knowledge", "triage"]
