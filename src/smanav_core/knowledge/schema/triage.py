"""Triage features, red flags and patterns."""

from __future__ import annotations

from smanav_core.knowledge.schema.base import KnowledgeFile


class TriageFile(KnowledgeFile):
    pass
