"""The library's pages: the index (by topic and audience, with search), an article, the Atom feed, and
the reviewer's queue and sign-off page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_GET, require_http_methods

from smanav.accounts.http import AuthenticatedHttpRequest
from smanav.library import catalogue as library_catalogue
from smanav.library import selectors
from smanav.library.access import reviewer_required
from smanav.library.catalogue import Catalogue
from smanav.library.content import AUDIENCE_LABELS, TOPIC_LABELS, Audience, Topic
from smanav.library.forms import LibrarySearchForm, SignOffForm
from smanav.library.rendering import Rendered, reading_grade
from smanav.library.selectors import Standing
from smanav.library.services import LibraryError, article_sign_off


def _today() -> dt.date:
    return timezone.localdate()


def _card(item: Rendered, standing: Standing) -> dict[str, Any]:
    meta = item.source.meta
    return {
        "slug": item.slug,
        "title": meta.title,
        "summary": meta.summary,
        "audiences": [AUDIENCE_LABELS[audience] for audience in meta.audiences],
        "topics": [(topic.value, TOPIC_LABELS[topic]) for topic in meta.topics],
        "standing": standing,
    }


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    catalogue = library_catalogue.current()
    states = selectors.standings(catalogue, _today())
    public = [slug for slug, standing in states.items() if selectors.is_public(standing.state)]
    form = LibrarySearchForm(request.GET)
    context: dict[str, Any] = {"form": form, "searched": False}
    if not form.is_valid():
        context["groups"] = []
        return render(request, "library/index.html", context, status=422)
    query = form.cleaned_data["q"].strip()
    audience = Audience(form.cleaned_data["audience"]) if form.cleaned_data["audience"] else None
    topic = Topic(form.cleaned_data["topic"]) if form.cleaned_data["topic"] else None
    chosen = selectors.search(catalogue, query, slugs=public) if query else public
    chosen = selectors.filtered(catalogue, chosen, audience=audience, topic=topic)
    cards = {slug: _card(catalogue.articles[slug], states[slug]) for slug in chosen}
    context["searched"] = bool(query or audience or topic)
    if query:
        context["results"] = [cards[slug] for slug in chosen]
    else:
        groups = []
        for each_topic in Topic:
            if topic is not None and each_topic is not topic:
                continue
            members = sorted(
                (cards[slug] for slug in chosen if each_topic in catalogue.articles[slug].source.meta.topics),
                key=lambda card: card["title"],
            )
            if members:
                groups.append(
                    {"id": each_topic.value, "title": TOPIC_LABELS[each_topic], "articles": members}
                )
        context["groups"] = groups
        context["results"] = [cards[slug] for slug in chosen]
    return render(request, "library/index.html", context)


def _article_context(
    catalogue: Catalogue, item: Rendered, standing: Standing, today: dt.date
) -> dict[str, Any]:
    kb = catalogue.knowledge
    states = selectors.standings(catalogue, today)
    public = [slug for slug, each in states.items() if selectors.is_public(each.state)]
    return {
        "article": item,
        "meta": item.source.meta,
        "card": _card(item, standing),
        "standing": standing,
        "sources": [(key, kb.sources[key]) for key in item.sources],
        "related": [
            _card(catalogue.articles[slug], states[slug])
            for slug in selectors.related(catalogue, item.slug, among=public)
        ],
        "knowledge_version": catalogue.knowledge.version,
    }


@require_GET
def article(request: HttpRequest, slug: str) -> HttpResponse:
    catalogue = library_catalogue.current()
    item = catalogue.get(slug)
    if item is None:
        raise Http404("no such article")
    today = _today()
    standing = selectors.standings(catalogue, today)[slug]
    if not selectors.is_public(standing.state) and selectors.reviewer_for(request.user) is None:
        raise Http404("no such article")
    return render(request, "library/article.html", _article_context(catalogue, item, standing, today))


@require_GET
def feed(request: HttpRequest) -> HttpResponse:
    """An Atom feed of the articles a visitor may read, the most recently changed or reviewed first."""
    catalogue = library_catalogue.current()
    today = _today()
    selectors.synced(catalogue)
    states = selectors.standings(catalogue, today)
    public = [slug for slug, standing in states.items() if selectors.is_public(standing.state)]
    first_seen = selectors.versions_first_seen(catalogue)
    atom = Atom1Feed(
        title="smanav library",
        link=request.build_absolute_uri(reverse("library:index")),
        feed_url=request.build_absolute_uri(reverse("library:feed")),
        description="Articles about SMA care written for the smanav project, and their medical review.",
        language="en",
        author_name="The smanav project",
        feed_guid=request.build_absolute_uri(reverse("library:index")),
    )
    entries = []
    for slug in public:
        item, standing = catalogue.articles[slug], states[slug]
        updated = first_seen.get(slug) or timezone.now()
        if standing.sign_off is not None and standing.sign_off.signed_at > updated:
            updated = standing.sign_off.signed_at
        entries.append((updated, item, standing))
    entries.sort(key=lambda entry: entry[0], reverse=True)
    for updated, item, standing in entries:
        link = request.build_absolute_uri(reverse("library:article", args=[item.slug]))
        atom.add_item(
            title=item.source.meta.title,
            link=link,
            unique_id=link,
            description=f"{item.source.meta.summary} ({_status_sentence(standing)})",
            author_name=item.source.meta.author,
            updateddate=updated,
            pubdate=first_seen.get(item.slug),
            categories=[TOPIC_LABELS[topic] for topic in item.source.meta.topics],
        )
    return HttpResponse(atom.writeString("utf-8"), content_type="application/atom+xml; charset=utf-8")


def _status_sentence(standing: Standing) -> str:
    off = standing.sign_off
    if off is None:
        return "Awaiting medical review: no physician has reviewed this article yet"
    reviewed = f"Last reviewed by {off.reviewer_name}, {off.credentials}, on {off.reviewed_on.isoformat()}"
    if standing.changed_entries:
        return f"{reviewed}; facts it quotes have changed since, and it awaits another review"
    if standing.overdue:
        return f"{reviewed}; its next review was due on {off.review_due.isoformat()}"
    return reviewed


@reviewer_required
@require_GET
def review_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    catalogue = library_catalogue.current()
    queue = [
        {"card": _card(item, standing), "grade": reading_grade(item.plain_text), "meta": item.source.meta}
        for item, standing in selectors.review_queue(catalogue, _today())
    ]
    return render(
        request,
        "library/review_queue.html",
        {
            "queue": queue,
            "file_problems": catalogue.problems,
            "knowledge_version": catalogue.knowledge.version,
        },
    )


@reviewer_required
@require_http_methods(["GET", "POST"])
def review_article(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    catalogue = library_catalogue.current()
    item = catalogue.get(slug)
    if item is None:
        raise Http404("no such article")
    today = _today()
    form = SignOffForm(request.POST or None, initial={"version": item.source.digest})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                article_sign_off(
                    user=request.user,
                    catalogue=catalogue,
                    slug=slug,
                    version_digest=form.cleaned_data["version"],
                    note=form.cleaned_data["note"],
                    today=today,
                )
            except LibraryError as error:
                form.add_error("note" if error.field == "note" else None, str(error))
            else:
                messages.success(request, "Your sign-off is recorded with this version of the article.")
                return redirect("library:article", slug=slug)
        status = 422
    standing = selectors.standings(catalogue, today)[slug]
    context = _article_context(catalogue, item, standing, today)
    kb = catalogue.knowledge
    signed = standing.sign_off.entry_digests if standing.sign_off else {}
    context.update(
        {
            "form": form,
            "grade": reading_grade(item.plain_text),
            "entries": [
                {
                    "id": entry_id,
                    "changed": entry_id in standing.changed_entries,
                    "entry": kb.entries[entry_id],
                }
                for entry_id in item.entries
            ],
            "removed_entries": [key for key in signed if key not in kb.entries],
        }
    )
    return render(request, "library/review_article.html", context, status=status)
