"""What every knowledge entry and every bibliography source must carry."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator

from smanav_core.codes import Evidence

ID_PATTERN = r"^[a-z0-9][a-z0-9_.\-]*$"
# Said after the text of an entry with `confirmed = false`.
NOT_CONFIRMED = "This point is not confirmed in smanav's knowledge base; check it with the clinical team."


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Frozen):
    """One bibliography entry (`sources.toml`)."""

    title: str = Field(min_length=3)
    year: int | None = Field(default=None, ge=1900, le=2100)
    authors: str | None = None
    publisher: str | None = None
    url: str | None = None
    doi: str | None = None
    section: str | None = None
    revision: str | None = Field(
        default=None, description="which revision or date of the document was read, where it is known"
    )
    kind: str = Field(description="label, hta, guideline, journal, registry, secondary, ...")

    @model_validator(mode="after")
    def _locatable(self) -> Source:
        if not self.url and not self.doi:
            raise ValueError("a source needs a url or a doi")
        return self


class Entry(Frozen):
    """A piece of clinical knowledge: stable id, the sources it rests on, evidence grade, review date.

    `confirmed = false` marks a point that is known to matter but could not be verified; the engine must
    then answer `needs_information` or say that the point is not confirmed, never use it as a rule.
    """

    id: str = Field(pattern=ID_PATTERN)
    sources: tuple[str, ...] = Field(min_length=1)
    evidence: Evidence
    reviewed_on: dt.date
    confirmed: bool = True


class Statement(Entry):
    """A sourced sentence the engine can say, referenced from Python rules by its id."""

    text: str = Field(min_length=3)
    title: str | None = None
    next_steps: tuple[str, ...] = ()


class KnowledgeFile(Frozen):
    """A knowledge file: a list of statements plus the domain's own tables (in subclasses)."""

    statement: tuple[Statement, ...] = ()

    def entries(self) -> list[Entry]:
        """Every entry of the file, for id-uniqueness and citation checks."""
        found: list[Entry] = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, tuple):
                found.extend(item for item in value if isinstance(item, Entry))
        return found
