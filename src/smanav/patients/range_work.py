"""What apps above the records work out for each range of the nightly refresh (ADR 0029).

The nightly refresh shares the records out in ranges of ids (`tasks.refresh_summary_range`, ADR 0026).
Apps above the records (the registry's dashboard facts) keep per-record figures of their own that the
same night should bring up to date, in the same ranges, by the same workers. The records layer cannot
import them, so they register here when they start (`registry.apps`), and every range runs each
registered piece of work after its summaries (which the work may read).

A piece of work is `work(first_id=..., last_id=..., as_of=...)`: it answers how many rows it wrote and
must be safe to run again (a range killed half-way is run again by another worker): it replaces its
rows of the range in one transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class RangeWork(Protocol):
    def __call__(self, *, first_id: int, last_id: int, as_of: dt.date) -> int: ...


_WORK: dict[str, RangeWork] = {}


def range_work_register(name: str, work: RangeWork) -> None:
    """Run `work` for every range of the nightly refresh. The same name twice replaces the first (a
    test's settings may start apps again)."""
    _WORK[name] = work


def range_work_run(*, first_id: int, last_id: int, as_of: dt.date) -> int:
    """Every registered piece of work for records `first_id` to `last_id` (both included), in the order
    they were registered; answers the rows they wrote together."""
    return sum(work(first_id=first_id, last_id=last_id, as_of=as_of) for work in _WORK.values())
