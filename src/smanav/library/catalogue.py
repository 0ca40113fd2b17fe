"""The articles of this installation, rendered with its knowledge base.

The folder is looked at on every call (the size and modification time of a few files), and the files
are read and rendered again only when one of them, or the knowledge base, changed: an edited article,
or a new knowledge release, shows on the next page view, with no step to run. A results page asks for
its "read more" links once per care domain, so the unchanged case must cost next to nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from smanav.library.content import ArticleSource, Status, read_folder
from smanav.library.rendering import Rendered, render
from smanav_core import load_knowledge
from smanav_core.knowledge.loader import Knowledge

TOOL_URL_NAMES = {
    "triage": "triage",
    "services": "services",
    "trials": "trials",
    "care-plan": "patients:dashboard",
    "evaluate": "evaluate",
    "sources": "sources",
    "library": "library:index",
}


@dataclass(frozen=True)
class Catalogue:
    key: tuple[object, ...]
    knowledge: Knowledge
    articles: Mapping[str, Rendered]  # by slug, in file-name order
    problems: tuple[str, ...]  # files that could not be read

    def get(self, slug: str) -> Rendered | None:
        return self.articles.get(slug)

    def ready(self) -> list[Rendered]:
        """Articles past the draft stage (ready for, or through, medical review)."""
        return [item for item in self.articles.values() if item.source.meta.status is Status.READY]

    def all_problems(self) -> dict[str, tuple[str, ...]]:
        found = {slug: item.problems for slug, item in self.articles.items() if item.problems}
        if self.problems:
            found["(unreadable files)"] = self.problems
        return found


def content_folder() -> Path:
    return Path(settings.SMANAV_LIBRARY_DIR)


def link_for(scheme: str, name: str, slugs: Iterable[str]) -> str | None:
    if scheme == "article":
        return reverse("library:article", args=[name]) if name in slugs else None
    url_name = TOOL_URL_NAMES.get(name)
    if url_name is None:
        return None
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


_lock = threading.Lock()
_cached: Catalogue | None = None
_cached_stats: tuple[object, ...] = ()


def build(sources: list[ArticleSource], problems: list[str], kb: Knowledge) -> Catalogue:
    slugs = {source.slug for source in sources}
    rendered = {
        source.slug: render(source, kb, lambda scheme, name: link_for(scheme, name, slugs))
        for source in sources
    }
    key = (tuple((source.slug, source.digest) for source in sources), tuple(problems), kb.version)
    return Catalogue(key=key, knowledge=kb, articles=rendered, problems=tuple(problems))


def _folder_stats(folder: Path) -> tuple[object, ...]:
    if not folder.is_dir():
        return (str(folder),)
    found: list[object] = [str(folder)]
    for path in sorted(folder.glob("*.md")):
        status = path.stat()
        found.append((path.name, status.st_size, status.st_mtime_ns))
    return tuple(found)


def current() -> Catalogue:
    """The library as its files and the knowledge base are now."""
    global _cached, _cached_stats
    folder = content_folder()
    kb = load_knowledge()
    stats = (*_folder_stats(folder), kb.version)
    with _lock:
        if _cached is not None and stats == _cached_stats:
            return _cached
    sources, problems = read_folder(folder)
    key = (tuple((source.slug, source.digest) for source in sources), tuple(problems), kb.version)
    with _lock:
        if _cached is None or _cached.key != key:
            _cached = build(sources, problems, kb)
        _cached_stats = stats
        return _cached
