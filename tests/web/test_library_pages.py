"""The library in the web application: reading (index by topic and audience, search, an article with its
review standing and sources, the Atom feed, "read more" from results pages) and the editorial workflow
(a test reviewer signs off a version; a changed file, a changed knowledge base or a passed review date
sends the article back to the reviewer's queue).

Real database, real article files (or files a test writes to its own folder), the real knowledge base
or a copy with one entry changed. The reviewer is a test account: no real physician is named anywhere.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from tests.web.personas import Personas, log_in, make_user, people_fixture  # noqa: F401

from smanav.library import catalogue
from smanav.library.models import Article, Reviewer, SignOff
from smanav.library.selectors import State, review_queue, standings
from smanav.library.services import LibraryError, article_sign_off, reviewer_grant
from smanav_core.knowledge.loader import _data_files, build_knowledge

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ATOM = "{http://www.w3.org/2005/Atom}"
TODAY = dt.date(2026, 12, 6)


@pytest.fixture
def reviewer(people: Personas) -> Any:
    user = make_user("test_reviewer", second_factor=True)
    reviewer_grant(username="test_reviewer", display_name="Test Reviewer", credentials="MD (test account)")
    return user


def reviewer_client(user: Any, *, verified: bool = True) -> Client:
    return log_in(Client(), user, verified=verified)


def sign_off(user: Any, slug: str, *, today: dt.date = TODAY, note: str = "Checked every fact.") -> SignOff:
    library = catalogue.current()
    return article_sign_off(
        user=user,
        catalogue=library,
        slug=slug,
        version_digest=library.articles[slug].source.digest,
        note=note,
        today=today,
    )


@pytest.fixture
def own_folder(tmp_path: Path, settings: Any) -> Path:
    """A copy of the real articles in a folder of the test's own, which the test may edit."""
    folder = tmp_path / "articles"
    shutil.copytree(settings.SMANAV_LIBRARY_DIR, folder)
    settings.SMANAV_LIBRARY_DIR = folder
    return folder


# --- reading -----------------------------------------------------------------------------------------


def test_index_lists_every_article_by_topic_saying_none_is_reviewed_yet(client: Client) -> None:
    page = client.get("/library/")
    assert page.status_code == 200
    html = page.content.decode()
    for slug in catalogue.current().articles:
        assert f'href="/library/{slug}/"' in html
    assert html.count("Awaiting medical review") == sum(
        len(item.source.meta.topics) for item in catalogue.current().articles.values()
    )
    assert 'id="topic-breathing"' in html and 'id="topic-genetics"' in html


def test_an_article_says_plainly_that_no_physician_has_reviewed_it(client: Client) -> None:
    html = client.get("/library/breathing-support/").content.decode()
    assert "Awaiting medical review" in html
    assert "No physician has reviewed this article yet." in html
    # Its facts, its sources with links, the tools and related articles.
    assert "a breathing review at least every 6 months" in html
    assert 'href="https://smacare.guide/' in html
    for address in ("/records/", "/services/", "/trials/", "/triage/"):
        assert f'href="{address}"' in html
    assert "Related articles" in html
    assert 'type="application/atom+xml"' in html


def test_an_unknown_article_is_not_found(client: Client) -> None:
    assert client.get("/library/no-such-article/").status_code == 404


@pytest.mark.parametrize(
    ("query", "first", "absent"),
    [
        ("carrier", "genetic-testing-and-family-planning", "spine-hips-and-orthotics"),
        ("Cobb angle", "spine-hips-and-orthotics", "breathing-support"),
        ("multifidus", "paraspinal-muscle-atrophy-or-sma", "nutrition-and-swallowing"),
        # A word that only a fact from the knowledge base holds (the brand name in a catalogue entry).
        ("Itvisma", "sma-treatments-and-care", "breathing-support"),
    ],
)
def test_search_reads_title_summary_and_text(client: Client, query: str, first: str, absent: str) -> None:
    html = client.get("/library/", {"q": query}).content.decode()
    assert "found" in html
    results = html.split('class="article-list"')[1]
    assert results.index(f"/library/{first}/") >= 0
    assert f"/library/{absent}/" not in results


def test_search_with_no_match_says_so(client: Client) -> None:
    html = client.get("/library/", {"q": "zebra xylophone"}).content.decode()
    assert "0 articles found" in html and "No article matches" in html


def test_index_filters_by_audience_and_topic(client: Client) -> None:
    html = client.get("/library/", {"topic": "breathing", "audience": "families"}).content.decode()
    assert "/library/breathing-support/" in html
    assert "/library/spine-hips-and-orthotics/" not in html
    html = client.get("/library/", {"audience": "clinicians"}).content.decode()
    assert "0 articles found" in html


def test_an_unknown_filter_is_a_clear_error(client: Client) -> None:
    page = client.get("/library/", {"audience": "robots"})
    assert page.status_code == 422
    assert "Select a valid choice" in page.content.decode()


def test_the_atom_feed_lists_every_readable_article_with_its_review_standing(client: Client) -> None:
    page = client.get("/library/feed.atom")
    assert page.status_code == 200
    assert page["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(page.content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == len(catalogue.current().articles)
    for entry in entries:
        assert entry.findtext(f"{ATOM}id", "").startswith("http://testserver/library/")
        assert entry.findtext(f"{ATOM}updated")
        assert "Awaiting medical review" in entry.findtext(f"{ATOM}summary", "")
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "The smanav project"


def test_results_pages_link_to_the_article_of_each_domain(client: Client) -> None:
    record = (EXAMPLES / "type2-child.json").read_text(encoding="utf-8")
    html = client.post(
        "/evaluate/", {"record": record, "region": "UK", "as_of": "2026-11-21"}
    ).content.decode()
    assert 'href="/library/breathing-support/">Read more: Breathing support in SMA</a>' in html
    assert 'href="/library/spine-hips-and-orthotics/">Read more: Spine, hips and orthotics</a>' in html
    assert 'href="/library/sma-treatments-and-care/">Read more: SMA treatments and care options</a>' in html
    answers = json.loads((EXAMPLES / "triage-back-pain-after-surgery.json").read_text(encoding="utf-8"))
    html = client.post(
        "/triage/",
        {"age_years": answers["age_years"], "symptoms": answers["symptoms"], "history": answers["history"]},
    ).content.decode()
    assert 'href="/library/paraspinal-muscle-atrophy-or-sma/">Read more' in html


def test_unreviewed_articles_can_be_kept_out_of_sight(client: Client, settings: Any) -> None:
    settings.SMANAV_LIBRARY_SHOW_UNREVIEWED = False
    assert client.get("/library/breathing-support/").status_code == 404
    assert "There are no articles to read yet." in client.get("/library/").content.decode()


# --- the editorial workflow --------------------------------------------------------------------------


def test_only_a_reviewer_past_the_second_factor_sees_the_queue(
    client: Client, people: Personas, reviewer: Any
) -> None:
    assert client.get("/library/review/").status_code == 302  # to the login page
    assert log_in(Client(), people.parent).get("/library/review/").status_code == 404
    assert log_in(Client(), people.clinician).get("/library/review/").status_code == 404
    unverified = reviewer_client(reviewer, verified=False).get("/library/review/")
    assert unverified.status_code == 302 and unverified["Location"].startswith("/accounts/two-factor/")
    page = reviewer_client(reviewer).get("/library/review/")
    assert page.status_code == 200
    assert "Awaiting medical review" in page.content.decode()


def test_a_reviewer_signs_off_a_version_and_the_article_says_who_and_when(reviewer: Any) -> None:
    browser = reviewer_client(reviewer)
    page = browser.get("/library/review/breathing-support/")
    assert page.status_code == 200
    digest = catalogue.current().articles["breathing-support"].source.digest
    assert f'value="{digest}"' in page.content.decode()
    answer = browser.post(
        "/library/review/breathing-support/",
        {"version": digest, "note": "Facts match the sources.", "confirm": "on"},
    )
    assert answer.status_code == 302 and answer["Location"] == "/library/breathing-support/"
    (signed,) = SignOff.objects.all()
    assert signed.version.digest == digest
    assert signed.version.source.startswith("+++")  # the reviewed text is kept with the sign-off
    assert signed.reviewer_name == "Test Reviewer" and signed.credentials == "MD (test account)"
    assert "care.respiratory.review_sitter" in signed.entry_digests
    html = Client().get("/library/breathing-support/").content.decode()
    reviewed_on = signed.reviewed_on
    assert "Last reviewed by Test Reviewer, MD (test account), on" in html
    assert "Medically reviewed" in html
    assert "No physician has reviewed" not in html
    feed = Client().get("/library/feed.atom").content.decode()
    assert f"Last reviewed by Test Reviewer, MD (test account), on {reviewed_on.isoformat()}" in feed


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"note": "", "confirm": "on"}, "This field is required"),
        ({"note": "Fine.", "confirm": ""}, "Tick the box"),
        ({"note": "Fine.", "confirm": "on", "version": "0" * 64}, "The article changed after you opened it"),
    ],
)
def test_a_refused_sign_off_says_why_and_saves_nothing(
    reviewer: Any, form: dict[str, str], message: str
) -> None:
    digest = catalogue.current().articles["breathing-support"].source.digest
    page = reviewer_client(reviewer).post("/library/review/breathing-support/", {"version": digest, **form})
    assert page.status_code == 422
    assert message in page.content.decode()
    assert not SignOff.objects.exists()


def test_someone_who_is_not_a_reviewer_cannot_sign_off(people: Personas, reviewer: Any) -> None:
    digest = catalogue.current().articles["breathing-support"].source.digest
    answer = log_in(Client(), people.clinician).post(
        "/library/review/breathing-support/", {"version": digest, "note": "x", "confirm": "on"}
    )
    assert answer.status_code == 404
    with pytest.raises(LibraryError, match="Only a medical reviewer"):
        sign_off(people.clinician, "breathing-support")
    Reviewer.objects.filter(user=reviewer).update(revoked_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    with pytest.raises(LibraryError, match="Only a medical reviewer"):
        sign_off(reviewer, "breathing-support")
    assert not SignOff.objects.exists()


def test_a_changed_knowledge_entry_flags_the_article_for_review(
    reviewer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_off(reviewer, "breathing-support")
    assert standings(catalogue.current(), TODAY)["breathing-support"].state is State.REVIEWED
    files = dict(_data_files())
    files["care_plan.toml"] = (
        files["care_plan.toml"]
        .decode()
        .replace(
            'interval_months = 6\nfunctional_groups = ["sitter"]\ndue_from_any_assessment = true',
            'interval_months = 4\nfunctional_groups = ["sitter"]\ndue_from_any_assessment = true',
        )
        .encode()
    )
    changed = build_knowledge(files)
    monkeypatch.setattr(catalogue, "load_knowledge", lambda: changed)
    library = catalogue.current()
    standing = standings(library, TODAY)["breathing-support"]
    assert standing.state is State.KNOWLEDGE_CHANGED
    assert standing.changed_entries == ("care.respiratory.review_sitter",)
    assert review_queue(library, TODAY)[0][0].slug == "breathing-support"
    html = Client().get("/library/breathing-support/").content.decode()
    assert "Some facts this article quotes have changed" in html
    assert "a breathing review at least every 4 months" in html  # the current fact, not the signed one
    queue = reviewer_client(reviewer).get("/library/review/").content.decode()
    assert "1 fact changed" in queue


def test_an_article_past_its_review_date_shows_it_and_waits_in_the_queue(reviewer: Any) -> None:
    signed = sign_off(reviewer, "nutrition-and-swallowing", today=dt.date(2025, 1, 10))
    assert signed.review_due == dt.date(2026, 1, 10)
    standing = standings(catalogue.current(), TODAY)["nutrition-and-swallowing"]
    assert standing.state is State.REVIEW_OVERDUE
    html = Client().get("/library/nutrition-and-swallowing/").content.decode()
    assert "Its next review was due on" in html
    assert "Review overdue" in reviewer_client(reviewer).get("/library/review/").content.decode()


def test_an_edited_file_needs_a_new_review_and_names_the_earlier_one(reviewer: Any, own_folder: Path) -> None:
    sign_off(reviewer, "breathing-support")
    path = own_folder / "breathing-support.md"
    path.write_text(path.read_text() + "\nOne more sentence for the test.\n")
    standing = standings(catalogue.current(), TODAY)["breathing-support"]
    assert standing.state is State.AWAITING_REVIEW
    html = Client().get("/library/breathing-support/").content.decode()
    assert "An earlier version was reviewed by Test Reviewer" in html
    assert "This version has changes that have not been reviewed." in html


def test_a_draft_is_hidden_from_readers_and_shown_to_reviewers(reviewer: Any, own_folder: Path) -> None:
    path = own_folder / "breathing-support.md"
    path.write_text(path.read_text().replace('status = "ready"', 'status = "draft"'))
    assert Client().get("/library/breathing-support/").status_code == 404
    assert "/library/breathing-support/" not in Client().get("/library/").content.decode()
    assert reviewer_client(reviewer).get("/library/breathing-support/").status_code == 200
    with pytest.raises(LibraryError, match="still a draft"):
        sign_off(reviewer, "breathing-support")


def test_a_removed_file_withdraws_the_article_and_keeps_its_sign_offs(
    reviewer: Any, own_folder: Path
) -> None:
    sign_off(reviewer, "breathing-support")
    (own_folder / "breathing-support.md").unlink()
    assert Client().get("/library/breathing-support/").status_code == 404
    assert "/library/breathing-support/" not in Client().get("/library/", {"q": "cough"}).content.decode()
    assert Article.objects.get(slug="breathing-support").withdrawn
    assert SignOff.objects.count() == 1


def test_the_reviewer_role_is_granted_with_a_name_and_credentials(people: Personas) -> None:
    with pytest.raises(LibraryError, match="credentials"):
        reviewer_grant(username="parent", display_name="Someone", credentials=" ")
    with pytest.raises(LibraryError, match="no account"):
        reviewer_grant(username="nobody", display_name="Someone", credentials="MD")
    assert not Reviewer.objects.exists()


@pytest.mark.django_db
def test_granting_and_ending_the_reviewer_role_is_kept_in_the_account_trail(people: Personas) -> None:
    from smanav.audit.models import AccountAction, AccountEvent
    from smanav.library.services import reviewer_revoke

    assert not AccountEvent.objects.filter(action=AccountAction.REVIEWER_GRANTED).exists()
    reviewer_grant(username="parent", display_name="Dr Test", credentials="MD, paediatric neurology")
    granted = AccountEvent.objects.get(action=AccountAction.REVIEWER_GRANTED)
    assert granted.subject == people.parent and granted.actor is None
    assert "Dr Test" in granted.what
    reviewer_revoke(username="parent")
    assert AccountEvent.objects.filter(action=AccountAction.REVIEWER_REVOKED, subject=people.parent).exists()
