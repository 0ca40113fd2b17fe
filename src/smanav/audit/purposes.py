"""Why someone reads a record, as the audit trail says it.

Every chokepoint that hands out a record (or a list of records) takes a `Purpose` and writes the audit
event itself, so no view, endpoint or export can read a record without leaving a trace, and the trail
says why: "evaluation page", "care plan PDF", "record (API)". The same shape serves the reads that are
coming: a registry's consent-scoped export names its purpose, and the consent is checked against it
before the event is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from smanav.audit.models import AuditAction


@dataclass(frozen=True, slots=True)
class Purpose:
    """The audit event a read writes: its action and its words (at most 200 characters are kept)."""

    action: AuditAction
    what: str

    @classmethod
    def page(cls, what: str) -> Purpose:
        """Shown on a page of the application."""
        return cls(AuditAction.VIEW, what)

    @classmethod
    def export(cls, what: str) -> Purpose:
        """Taken away as a document (PDF, FHIR)."""
        return cls(AuditAction.EXPORT, what)

    @classmethod
    def job(cls, what: str) -> Purpose:
        """Read by a background job for the account it acts for (a reminder of what is due)."""
        return cls(AuditAction.VIEW, what)

    @classmethod
    def api(cls, what: str) -> Purpose:
        """Read through the JSON API."""
        return cls(AuditAction.API_READ, what)
