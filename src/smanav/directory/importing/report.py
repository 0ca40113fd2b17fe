"""What an import did: rows added, updated, unchanged, skipped and rejected (with line and reason)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Enough to fix a file by hand; the count below stays exact however many rows are rejected.
MAX_REJECTIONS_KEPT = 1000


class ImportFormatError(ValueError):
    """The file as a whole cannot be read (wrong header, not JSON...): nothing was imported."""


@dataclass(frozen=True, slots=True)
class Rejection:
    line: int
    reason: str


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: int = 0
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)

    def reject(self, line: int, reason: str) -> None:
        self.rejected += 1
        if len(self.rejections) < MAX_REJECTIONS_KEPT:
            self.rejections.append(Rejection(line, reason))

    @property
    def rows_read(self) -> int:
        return self.added + self.updated + self.unchanged + self.skipped + self.rejected + self.removed

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "skipped": self.skipped,
            "rejected": self.rejected,
            "rejections": [{"line": item.line, "reason": item.reason} for item in self.rejections],
        }

    def summary(self) -> str:
        return (
            f"added {self.added}, updated {self.updated}, unchanged {self.unchanged}, "
            f"removed {self.removed}, skipped {self.skipped}, rejected {self.rejected}"
        )
