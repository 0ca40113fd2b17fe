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


class NewerRevision(Frozen):
    """A revision of a source's document that is known to exist but has not been read into the
    knowledge base yet (for example from a regulator's list of recent major changes)."""

    date: dt.date
    what: str = Field(min_length=3, description="what changed, as far as it is known")
    known_from: str | None = Field(default=None, description="the key of the source that says so")


class Source(Frozen):
    """One bibliography entry (`sources.toml`)."""

    title: str = Field(min_length=3)
    year: int | None = Field(default=None, ge=1900, le=2100)
    authors: str | None = None
    publisher: str | None = None
    url: str | None = None
    doi: str | None = None
    # A document of smanav's own repository (a decision record), for settings that are not clinical facts.
    path: str | None = Field(default=None, pattern=r"^docs/[a-z0-9/_.\-]+\.md$")
    section: str | None = None
    revision: str | None = Field(
        default=None, description="which revision or date of the document was read, where it is known"
    )
    newer_revision: NewerRevision | None = None
    kind: str = Field(description="label, hta, guideline, journal, registry, secondary, project, ...")

    @model_validator(mode="after")
    def _locatable(self) -> Source:
        if not self.url and not self.doi and not self.path:
            raise ValueError("a source needs a url, a doi or (for the project's own decisions) a path")
        if (self.path is not None) != (self.kind == "project"):
            raise ValueError("a path is for the project's own documents (kind = 'project'), and only those")
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


class Parameter(Entry):
    """A clinical limit or a setting a rule uses (an age cut-off, a copy number, a number of days), with
    the sources it comes from. Rules read it by id (`Knowledge.number`); texts quote it as `${id}`, filled
    in when the knowledge base is loaded, so that the words and the rule cannot drift apart."""

    value: int | float | str
    unit: str | None = None
    text: str = Field(min_length=3, description="what the value means, for a clinician reviewing it")

    def words(self) -> str:
        """The value as a text quotes it: 6, 0.5, c.859G>C."""
        value = self.value
        return f"{value:g}" if isinstance(value, float) else str(value)


class KnowledgeFile(Frozen):
    """A knowledge file: statements and parameters plus the domain's own tables (in subclasses)."""

    statement: tuple[Statement, ...] = ()
    parameter: tuple[Parameter, ...] = ()

    def entries(self) -> list[Entry]:
        """Every entry of the file, for id-uniqueness and citation checks."""
        found: list[Entry] = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, tuple):
                found.extend(item for item in value if isinstance(item, Entry))
        return found
