"""An article file: TOML front matter between `+++` lines, then the Markdown body.

The front matter says what the article is and who it is for; it never says who reviewed it. A medical
review is a sign-off made in the application by a reviewer account and stored with the exact version of
the file it covers (docs/library.md): a name typed into a file that anyone can edit would prove nothing.

This module only reads and validates; it does no I/O of its own beyond what `read_folder` is given.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from smanav_core.codes import CareDomain, TriagePattern

FENCE = "+++"
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class Audience(StrEnum):
    FAMILIES = "families"
    ADULTS = "adults"
    CLINICIANS = "clinicians"


AUDIENCE_LABELS = {
    Audience.FAMILIES: "Families",
    Audience.ADULTS: "Adults with SMA",
    Audience.CLINICIANS: "Clinicians",
}
# Plain-language audiences: their articles must read at this US school grade or below (Flesch-Kincaid).
PLAIN_LANGUAGE_AUDIENCES = frozenset({Audience.FAMILIES, Audience.ADULTS})
PLAIN_LANGUAGE_GRADE = 8.0


class Topic(StrEnum):
    TREATMENTS = "treatments"
    GENETICS = "genetics"
    NEWBORN_SCREENING = "newborn-screening"
    CARE_TEAM = "care-team"
    BREATHING = "breathing"
    NUTRITION = "nutrition"
    BONES_AND_MOVEMENT = "bones-and-movement"
    SYMPTOMS = "symptoms"


TOPIC_LABELS = {
    Topic.TREATMENTS: "Treatments",
    Topic.GENETICS: "Genetics and family planning",
    Topic.NEWBORN_SCREENING: "Newborn screening",
    Topic.CARE_TEAM: "Care team and clinics",
    Topic.BREATHING: "Breathing",
    Topic.NUTRITION: "Eating, swallowing and growth",
    Topic.BONES_AND_MOVEMENT: "Spine, hips and movement",
    Topic.SYMPTOMS: "Symptoms and diagnosis",
}


class Status(StrEnum):
    """Where the file is in the editorial workflow. A `ready` article goes to medical review; whether it
    has been reviewed is a fact of the database (a sign-off), not of the file."""

    DRAFT = "draft"
    READY = "ready"


class FrontMatter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=3, max_length=200)
    summary: str = Field(min_length=10, max_length=400)
    audiences: tuple[Audience, ...] = Field(min_length=1)
    topics: tuple[Topic, ...] = Field(min_length=1)
    author: str = Field(min_length=2, max_length=200)
    written_on: str | None = None
    status: Status = Status.DRAFT
    # How long a medical sign-off holds before the article is due for another review.
    review_every_months: int = Field(default=12, ge=1, le=36)
    # Keys of the bibliography (sources.toml); the sources of every knowledge entry quoted are added.
    sources: tuple[str, ...] = ()
    # Which "read more" links lead here: care-plan domains and triage patterns of the results pages.
    care_domains: tuple[CareDomain, ...] = ()
    triage_patterns: tuple[TriagePattern, ...] = ()

    @field_validator("audiences", "topics", "sources", "care_domains", "triage_patterns")
    @classmethod
    def _no_repeats(cls, values: tuple[object, ...]) -> tuple[object, ...]:
        if len(set(values)) != len(values):
            raise ValueError("lists a value twice")
        return values

    @property
    def plain_language(self) -> bool:
        return bool(PLAIN_LANGUAGE_AUDIENCES & set(self.audiences))


class ArticleError(ValueError):
    """An article file that cannot be read; the message names the file and the problem."""


@dataclass(frozen=True)
class ArticleSource:
    """One article as written: its slug (the file name), front matter, Markdown body, and the digest of
    the whole file, which identifies the version a reviewer signs off."""

    slug: str
    meta: FrontMatter
    body: str
    text: str
    digest: str


def file_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_article(slug: str, text: str) -> ArticleSource:
    """Split and validate one file. Raises `ArticleError` naming the field and the problem."""
    if not re.match(SLUG_PATTERN, slug):
        raise ArticleError(f"{slug}.md: the file name must be lower-case words joined by hyphens")
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != FENCE:
        raise ArticleError(f"{slug}.md: the file must start with a line '{FENCE}' opening the front matter")
    try:
        end = next(index for index, line in enumerate(lines[1:], start=1) if line.strip() == FENCE)
    except StopIteration:
        raise ArticleError(f"{slug}.md: the front matter is not closed by a line '{FENCE}'") from None
    try:
        raw = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as error:
        raise ArticleError(f"{slug}.md: the front matter is not valid TOML: {error}") from None
    try:
        meta = FrontMatter.model_validate(raw)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc']) or 'front matter'}: {problem['msg']}"
            for problem in error.errors()
        )
        raise ArticleError(f"{slug}.md: {problems}") from None
    body = "\n".join(lines[end + 1 :]).strip("\n") + "\n"
    return ArticleSource(slug=slug, meta=meta, body=body, text=text, digest=file_digest(text))


def read_folder(folder: Path) -> tuple[list[ArticleSource], list[str]]:
    """Every `*.md` file of `folder` (sorted by name), and the problems of the files that could not be
    read. A missing folder is an empty library."""
    articles: list[ArticleSource] = []
    problems: list[str] = []
    for path in _markdown_files(folder):
        try:
            articles.append(parse_article(path.stem, path.read_text(encoding="utf-8")))
        except (ArticleError, UnicodeDecodeError) as error:
            problems.append(str(error))
    return articles, problems


def _markdown_files(folder: Path) -> Iterable[Path]:
    if not folder.is_dir():
        return ()
    return sorted(path for path in folder.iterdir() if path.suffix == ".md" and path.is_file())
