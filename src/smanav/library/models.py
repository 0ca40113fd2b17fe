"""The library's records: each article and every version of its file, the medical reviewers, and their
sign-offs.

The files under the content folder are what an article says; these tables remember what was reviewed.
A sign-off belongs to one version (the file's digest, its text kept here), names the reviewer as they
were named and credited that day, and keeps the digest of every knowledge entry the article quoted, so
that a later change of the knowledge base flags the article for another review.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Article(models.Model):
    """An article as the files show it now (kept in step by `services.articles_sync`), searchable."""

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"))
    audiences = models.JSONField(default=list)
    topics = models.JSONField(default=list)
    draft = models.BooleanField(default=True)
    # The file is gone: the article is no longer shown, its versions and sign-offs are kept.
    withdrawn = models.BooleanField(default=False)
    review_every_months = models.PositiveSmallIntegerField(default=12)
    # Title, summary and the rendered body (facts filled in) as plain text: what search reads.
    search_text = models.TextField(default="")
    knowledge_version = models.CharField(max_length=64, default="")
    current_version = models.ForeignKey(
        "ArticleVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    synced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class ArticleVersion(models.Model):
    """One version of an article's file, identified by its digest, with its text as it was."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    digest = models.CharField(max_length=64)
    source = models.TextField()
    first_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "digest"], name="library_version_unique_digest")
        ]
        ordering = ["-first_seen_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.article.slug} @ {self.digest[:12]}"


class Reviewer(models.Model):
    """An account that may sign off articles: a physician or other clinician, with the name and
    credentials to print beside their sign-off. Granted on the server's command line."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_reviewer"
    )
    display_name = models.CharField(_("name as shown"), max_length=200)
    credentials = models.CharField(_("credentials"), max_length=200)
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.display_name}, {self.credentials}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class SignOff(models.Model):
    """A medical reviewer's sign-off of one article version."""

    version = models.ForeignKey(ArticleVersion, on_delete=models.PROTECT, related_name="sign_offs")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # As printed on the article; kept as they were on the day, whatever the account says later.
    reviewer_name = models.CharField(max_length=200)
    credentials = models.CharField(max_length=200)
    note = models.TextField()
    signed_at = models.DateTimeField(default=timezone.now)
    reviewed_on = models.DateField()
    review_due = models.DateField()
    knowledge_version = models.CharField(max_length=64)
    # {knowledge entry id: digest of what it said} for every entry the version quoted.
    entry_digests = models.JSONField(default=dict)

    class Meta:
        ordering = ["-signed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.version} signed by {self.reviewer_name} on {self.reviewed_on.isoformat()}"


class DigestFrequency(models.TextChoices):
    WEEKLY = "weekly", _("Every week")
    MONTHLY = "monthly", _("Every month")


class NewsletterSubscription(models.Model):
    """Someone who confirmed (double opt-in) that they want the library's digest of new and revised
    articles at this address. Nothing is stored before the confirmation: the choices travel in the signed
    link (`library.newsletter`)."""

    # Kept as confirmed, lower case (one row per address).
    email = models.EmailField(max_length=254, unique=True)
    # Empty: every topic, every audience.
    topics = models.JSONField(default=list, blank=True)
    audiences = models.JSONField(default=list, blank=True)
    frequency = models.CharField(
        max_length=10, choices=DigestFrequency.choices, default=DigestFrequency.MONTHLY
    )
    confirmed_at = models.DateTimeField()
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    # The digests cover what changed up to this time; the next one what changed after it.
    covered_until = models.DateTimeField()

    def __str__(self) -> str:
        return f"newsletter subscription {self.pk} ({self.frequency})"
