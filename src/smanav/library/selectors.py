"""Reads: where each article stands in its review, which articles a visitor may read, search, related
articles, the reviewer's queue, and the article a results page links to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from smanav.accounts.models import User
from smanav.library.catalogue import Catalogue
from smanav.library.content import Audience, Status, Topic
from smanav.library.facts import knowledge_digests
from smanav.library.models import Article, Reviewer, SignOff
from smanav.library.rendering import Rendered
from smanav.library.services import articles_sync

SEARCH_MAX_WORDS = 8
RELATED_MAX = 3


class State(StrEnum):
    DRAFT = "draft"
    AWAITING_REVIEW = "awaiting_review"
    REVIEWED = "reviewed"
    REVIEW_OVERDUE = "review_overdue"
    KNOWLEDGE_CHANGED = "knowledge_changed"


STATE_LABELS = {
    State.DRAFT: "Draft",
    State.AWAITING_REVIEW: "Awaiting medical review",
    State.REVIEWED: "Medically reviewed",
    State.REVIEW_OVERDUE: "Review overdue",
    State.KNOWLEDGE_CHANGED: "Facts changed since review",
}


@dataclass(frozen=True)
class Standing:
    """Where one article stands: its state, the sign-off of this version (if any), an earlier version's
    sign-off (if this version has none), and what changed since the sign-off."""

    state: State
    sign_off: SignOff | None = None
    earlier_sign_off: SignOff | None = None
    changed_entries: tuple[str, ...] = ()
    overdue: bool = False
    problems: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def needs_review(self) -> bool:
        return self.state is not State.REVIEWED


def synced(catalogue: Catalogue) -> None:
    """Make sure the article table matches the files (one small query when nothing changed)."""
    rows = {
        slug: (digest, knowledge, withdrawn)
        for slug, digest, knowledge, withdrawn in Article.objects.values_list(
            "slug", "current_version__digest", "knowledge_version", "withdrawn"
        )
    }
    wanted = {
        slug: (item.source.digest, item.knowledge_version, False) for slug, item in catalogue.articles.items()
    }
    stale = any(rows.get(slug) != value for slug, value in wanted.items())
    gone = any(slug not in wanted and not withdrawn for slug, (_d, _k, withdrawn) in rows.items())
    if stale or gone:
        articles_sync(catalogue=catalogue)


def standing(item: Rendered, catalogue: Catalogue, today: dt.date, sign_offs: Iterable[SignOff]) -> Standing:
    """The state of one article from its sign-offs (newest first, any version)."""
    if item.source.meta.status is Status.DRAFT:
        return Standing(State.DRAFT, problems=item.problems)
    offs = list(sign_offs)
    this_version = next((off for off in offs if off.version.digest == item.source.digest), None)
    if this_version is None:
        return Standing(
            State.AWAITING_REVIEW, earlier_sign_off=offs[0] if offs else None, problems=item.problems
        )
    now = knowledge_digests(catalogue.knowledge, item.entries)
    signed = this_version.entry_digests or {}
    changed = tuple(sorted(key for key in set(now) | set(signed) if now.get(key) != signed.get(key)))
    overdue = today > this_version.review_due
    state = State.KNOWLEDGE_CHANGED if changed else State.REVIEW_OVERDUE if overdue else State.REVIEWED
    return Standing(
        state, sign_off=this_version, changed_entries=changed, overdue=overdue, problems=item.problems
    )


def _sign_offs_by_slug(slugs: Iterable[str]) -> dict[str, list[SignOff]]:
    found: dict[str, list[SignOff]] = {}
    for off in SignOff.objects.select_related("version__article").filter(
        version__article__slug__in=list(slugs)
    ):
        found.setdefault(off.version.article.slug, []).append(off)
    return found


def standings(catalogue: Catalogue, today: dt.date) -> dict[str, Standing]:
    offs = _sign_offs_by_slug(catalogue.articles)
    return {
        slug: standing(item, catalogue, today, offs.get(slug, ()))
        for slug, item in catalogue.articles.items()
    }


def is_public(state: State) -> bool:
    """Whether a visitor may read an article in this state."""
    if state is State.DRAFT:
        return False
    if state is State.AWAITING_REVIEW:
        return bool(settings.SMANAV_LIBRARY_SHOW_UNREVIEWED)
    return True


def reviewer_for(user: User | AnonymousUser) -> Reviewer | None:
    """The user's active reviewer role, or None."""
    if not isinstance(user, User):
        return None
    return Reviewer.objects.filter(user_id=user.pk, revoked_at__isnull=True).first()


def public_slugs(catalogue: Catalogue, today: dt.date) -> list[str]:
    return [slug for slug, item in standings(catalogue, today).items() if is_public(item.state)]


def search(catalogue: Catalogue, query: str, *, slugs: Iterable[str]) -> list[str]:
    """Slugs of the articles among `slugs` whose title, summary or text holds every word of `query`,
    those with a word in the title first. Plain `icontains`, the same on SQLite and PostgreSQL."""
    words = [word for word in query.split() if len(word) >= 2][:SEARCH_MAX_WORDS]
    if not words:
        return []
    synced(catalogue)
    found = Article.objects.filter(slug__in=list(slugs), withdrawn=False)
    for word in words:
        found = found.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(search_text__icontains=word)
        )
    rows = list(found.values_list("slug", "title"))
    lowered = [word.lower() for word in words]
    rows.sort(key=lambda row: (-sum(word in row[1].lower() for word in lowered), row[1]))
    return [slug for slug, _title in rows]


def filtered(
    catalogue: Catalogue, slugs: Iterable[str], *, audience: Audience | None, topic: Topic | None
) -> list[str]:
    chosen = []
    for slug in slugs:
        meta = catalogue.articles[slug].source.meta
        if audience is not None and audience not in meta.audiences:
            continue
        if topic is not None and topic not in meta.topics:
            continue
        chosen.append(slug)
    return chosen


def related(catalogue: Catalogue, slug: str, *, among: Iterable[str]) -> list[str]:
    """Up to three other articles, those sharing the most topics first, then audiences, then by title."""
    meta = catalogue.articles[slug].source.meta

    def score(other: str) -> tuple[int, int, str]:
        theirs = catalogue.articles[other].source.meta
        return (
            -len(set(meta.topics) & set(theirs.topics)),
            -len(set(meta.audiences) & set(theirs.audiences)),
            theirs.title,
        )

    others = [other for other in among if other != slug]
    others.sort(key=score)
    shared = [
        other for other in others if set(meta.topics) & set(catalogue.articles[other].source.meta.topics)
    ]
    rest = [other for other in others if other not in shared]
    return (shared + rest)[:RELATED_MAX]


def review_queue(catalogue: Catalogue, today: dt.date) -> list[tuple[Rendered, Standing]]:
    """Every article that needs a reviewer's attention, the most pressing first: facts changed since the
    sign-off, review overdue, awaiting a first review (or a review of a new version), then drafts."""
    order = {
        State.KNOWLEDGE_CHANGED: 0,
        State.REVIEW_OVERDUE: 1,
        State.AWAITING_REVIEW: 2,
        State.DRAFT: 3,
        State.REVIEWED: 4,
    }
    found = [(catalogue.articles[slug], item) for slug, item in standings(catalogue, today).items()]
    return sorted(found, key=lambda pair: (order[pair[1].state], pair[0].source.meta.title))


def read_more(
    catalogue: Catalogue, today: dt.date, *, care_domain: str = "", triage_pattern: str = "", topic: str = ""
) -> Rendered | None:
    """The article a results page links to for a care-plan domain, a triage pattern or a topic."""
    candidates = []
    for item in catalogue.ready():
        meta = item.source.meta
        wanted = (
            (care_domain and care_domain in meta.care_domains)
            or (triage_pattern and triage_pattern in meta.triage_patterns)
            or (topic and topic in meta.topics)
        )
        if wanted:
            candidates.append(item)
    if not candidates:
        return None
    if not settings.SMANAV_LIBRARY_SHOW_UNREVIEWED:
        public = set(public_slugs(catalogue, today))
        candidates = [item for item in candidates if item.slug in public]
    return candidates[0] if candidates else None


def versions_first_seen(catalogue: Catalogue) -> dict[str, dt.datetime]:
    """When the current version of each article was first seen (the feed's publication dates)."""
    digests = {slug: item.source.digest for slug, item in catalogue.articles.items()}
    found = {}
    for slug, digest, seen in Article.objects.filter(slug__in=list(digests)).values_list(
        "slug", "current_version__digest", "current_version__first_seen_at"
    ):
        if digest == digests[slug] and seen is not None:
            found[slug] = seen
    return found
