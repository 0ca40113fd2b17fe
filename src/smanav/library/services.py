"""The library's one write path: keep the article table in step with the files, grant and revoke the
reviewer role, and record a medical sign-off."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from smanav.accounts.models import User
from smanav.audit.models import AccountAction
from smanav.audit.services import audit_account
from smanav.library.catalogue import Catalogue
from smanav.library.facts import knowledge_digests
from smanav.library.models import Article, ArticleVersion, Reviewer, SignOff
from smanav.library.rendering import Rendered
from smanav_core.facts import add_months

NOTE_MAX_LENGTH = 4000


class LibraryError(Exception):
    """A refused library action; `field` names the input at fault (or is empty)."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def _search_text(item: Rendered) -> str:
    return "\n".join((item.source.meta.title, item.source.meta.summary, item.plain_text))


@transaction.atomic
def articles_sync(*, catalogue: Catalogue) -> int:
    """Bring the article table in line with the files: new articles and new versions are added, changed
    ones updated, articles whose file is gone withdrawn. Returns how many articles changed."""
    existing = {article.slug: article for article in Article.objects.select_for_update().all()}
    changed = 0
    now = timezone.now()
    for slug, item in catalogue.articles.items():
        meta = item.source.meta
        article = existing.pop(slug, None)
        current = article.current_version if article is not None else None
        up_to_date = (
            article is not None
            and not article.withdrawn
            and current is not None
            and current.digest == item.source.digest
            and article.knowledge_version == item.knowledge_version
        )
        if up_to_date:
            continue
        if article is None:
            article = Article(slug=slug)
        article.title = meta.title
        article.summary = meta.summary
        article.audiences = [audience.value for audience in meta.audiences]
        article.topics = [topic.value for topic in meta.topics]
        article.draft = meta.status.value == "draft"
        article.withdrawn = False
        article.review_every_months = meta.review_every_months
        article.search_text = _search_text(item)
        article.knowledge_version = item.knowledge_version
        article.synced_at = now
        article.save()
        version, _created = ArticleVersion.objects.get_or_create(
            article=article, digest=item.source.digest, defaults={"source": item.source.text}
        )
        if article.current_version_id != version.pk:
            article.current_version = version
            article.save(update_fields=["current_version"])
        changed += 1
    for article in existing.values():
        if not article.withdrawn:
            article.withdrawn = True
            article.synced_at = now
            article.save(update_fields=["withdrawn", "synced_at"])
            changed += 1
    return changed


@transaction.atomic
def reviewer_grant(*, username: str, display_name: str, credentials: str) -> Reviewer:
    """Give an account the medical-reviewer role (or renew it with new words). Done on the server's
    command line by the operator, who is answerable for having checked the person's credentials."""
    display_name, credentials = display_name.strip(), credentials.strip()
    if not display_name:
        raise LibraryError("Give the reviewer's name as it should be printed.", field="name")
    if not credentials:
        raise LibraryError(
            "Give the reviewer's credentials (for example a degree and a specialty).", field="credentials"
        )
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise LibraryError(f"There is no account with the username {username!r}.", field="username")
    reviewer, _created = Reviewer.objects.update_or_create(
        user=user,
        defaults={
            "display_name": display_name,
            "credentials": credentials,
            "granted_at": timezone.now(),
            "revoked_at": None,
        },
    )
    # A reviewer's sign-off vouches for health information: who was given the role, and when, is kept.
    audit_account(
        actor=None, subject=user, action=AccountAction.REVIEWER_GRANTED, what=f"{display_name}, {credentials}"
    )
    return reviewer


@transaction.atomic
def reviewer_revoke(*, username: str) -> Reviewer:
    reviewer = Reviewer.objects.filter(user__username=username, revoked_at__isnull=True).first()
    if reviewer is None:
        raise LibraryError(f"{username!r} is not an active reviewer.", field="username")
    reviewer.revoked_at = timezone.now()
    reviewer.save(update_fields=["revoked_at"])
    audit_account(actor=None, subject=reviewer.user, action=AccountAction.REVIEWER_REVOKED)
    return reviewer


@transaction.atomic
def article_sign_off(
    *, user: User, catalogue: Catalogue, slug: str, version_digest: str, note: str, today: dt.date
) -> SignOff:
    """Record that a reviewer read the current version of `slug` and vouches for it.

    Refused, with nothing saved, when the account is not an active reviewer, the article is a draft or
    unknown, the file changed after the reviewer opened it (`version_digest` is not the current one),
    the article has facts that could not be rendered, or the note is empty.
    """
    user_id = getattr(user, "pk", None)
    reviewer = (
        Reviewer.objects.filter(user_id=user_id, revoked_at__isnull=True).first()
        if user_id is not None
        else None
    )
    if reviewer is None:
        raise LibraryError("Only a medical reviewer can sign off an article.")
    item = catalogue.get(slug)
    if item is None:
        raise LibraryError("There is no such article.")
    if item.source.meta.status.value == "draft":
        raise LibraryError(
            "This article is still a draft: it goes to medical review once it is marked ready."
        )
    if version_digest != item.source.digest:
        raise LibraryError(
            "The article changed after you opened it. Read the new version, then sign it off.",
            field="version",
        )
    if item.problems:
        raise LibraryError(
            "This article has problems to fix before it can be signed off: " + "; ".join(item.problems)
        )
    note = note.strip()
    if not note:
        raise LibraryError("Write a short note on what you checked.", field="note")
    if len(note) > NOTE_MAX_LENGTH:
        raise LibraryError(f"The note is too long (at most {NOTE_MAX_LENGTH} characters).", field="note")
    articles_sync(catalogue=catalogue)
    version = ArticleVersion.objects.get(article__slug=slug, digest=version_digest)
    return SignOff.objects.create(
        version=version,
        reviewer=reviewer.user,
        reviewer_name=reviewer.display_name,
        credentials=reviewer.credentials,
        note=note,
        reviewed_on=today,
        review_due=add_months(today, item.source.meta.review_every_months),
        knowledge_version=item.knowledge_version,
        entry_digests=knowledge_digests(catalogue.knowledge, item.entries),
    )
