"""Small-cell suppression for the registry's dashboards: no count below the threshold is shown, and none
can be worked out from the totals and the other cells.

Every count below `threshold` (including 0) shows as "fewer than N". Where a table shows its total,
suppressed cells could be worked out by subtraction, so more cells are suppressed (the smallest shown
first) until at least two are suppressed and the suppressed cells add up to the threshold or more
(or every cell is suppressed). A total below the threshold is suppressed with all its cells. A cell
hidden only to protect another (`small` False) may hold any number: it is shown as hidden, never as
"fewer than N", which would be untrue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings


def threshold() -> int:
    """SMANAV_SMALL_CELL_THRESHOLD (default 5): the smallest count a dashboard shows."""
    value = int(getattr(settings, "SMANAV_SMALL_CELL_THRESHOLD", 5))
    if value < 1:
        raise ValueError(f"SMANAV_SMALL_CELL_THRESHOLD: must be 1 or more (got {value})")
    return value


@dataclass(frozen=True, slots=True)
class Cell:
    """A count as a dashboard may show it: `shown` is None where it is suppressed; `small` says the
    count itself is below the threshold (else it is hidden so that a small one cannot be worked out)."""

    label: str
    shown: int | None
    small: bool = False

    @property
    def suppressed(self) -> bool:
        return self.shown is None


@dataclass(frozen=True, slots=True)
class Table:
    cells: tuple[Cell, ...]
    total: int | None


def suppress(counts: Mapping[str, int], *, limit: int) -> Table:
    """The counts of one table (one cell per category, in order) and their total, suppressed."""
    total = sum(counts.values())
    if total < limit:
        return Table(tuple(Cell(name, None, small=True) for name in counts), None)
    hidden = {name for name, n in counts.items() if n < limit}

    def weak() -> bool:
        if not hidden:
            return False
        return len(hidden) < 2 or sum(counts[name] for name in hidden) < limit

    while weak() and len(hidden) < len(counts):
        shown = sorted(
            (n, order, name) for order, (name, n) in enumerate(counts.items()) if name not in hidden
        )
        hidden.add(shown[0][2])
    return Table(
        tuple(
            Cell(name, None, small=n < limit) if name in hidden else Cell(name, n)
            for name, n in counts.items()
        ),
        total,
    )
