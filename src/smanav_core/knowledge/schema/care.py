"""Standards-of-care items and treatment-monitoring schedules."""

from __future__ import annotations

from smanav_core.knowledge.schema.base import KnowledgeFile


class CareFile(KnowledgeFile):
    pass
