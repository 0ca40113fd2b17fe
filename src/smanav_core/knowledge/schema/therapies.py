"""Therapy catalogue and regional label rules (designed in full by the therapy rules)."""

from __future__ import annotations

from smanav_core.knowledge.schema.base import KnowledgeFile


class TherapiesFile(KnowledgeFile):
    pass
