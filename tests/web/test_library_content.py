"""The library's articles against the knowledge base: every article renders with no problem, states no
therapy fact by hand, reads at grade 8 or below for families and adults (each level is printed), and a
change of the knowledge base shows up in an article without editing it.

The articles are the real files of content/articles; the changed knowledge base is the real one with
one entry edited, validated by the real loader.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from smanav.library.catalogue import Catalogue, build, link_for
from smanav.library.content import PLAIN_LANGUAGE_GRADE, ArticleError, parse_article, read_folder
from smanav.library.facts import hand_typed_facts
from smanav.library.rendering import TALK_TO_YOUR_TEAM, Rendered, reading_grade, render
from smanav_core import load_knowledge
from smanav_core.codes import CareDomain, TriagePattern
from smanav_core.knowledge.loader import Knowledge, _data_files, build_knowledge

ARTICLES_DIR = Path(settings.SMANAV_LIBRARY_DIR)
SOURCES = {path.stem: path for path in sorted(ARTICLES_DIR.glob("*.md"))}
TOOLS = ("triage", "services", "trials", "care-plan")
REQUIRED = {
    "sma-treatments-and-care",
    "paraspinal-muscle-atrophy-or-sma",
    "genetic-testing-and-family-planning",
    "after-a-positive-newborn-screen",
    "multidisciplinary-clinic",
    "breathing-support",
    "nutrition-and-swallowing",
    "spine-hips-and-orthotics",
}


def _library(kb: Knowledge | None = None) -> Catalogue:
    sources, problems = read_folder(ARTICLES_DIR)
    assert not problems
    return build(sources, problems, kb or load_knowledge())


def _knowledge_with(file_name: str, old: str, new: str) -> Knowledge:
    """The real knowledge base with one passage of one file replaced (it must occur exactly once)."""
    files = dict(_data_files())
    text = files[file_name].decode("utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {file_name}"
    files[file_name] = text.replace(old, new).encode("utf-8")
    return build_knowledge(files)


def test_the_library_has_every_article_the_issue_asks_for() -> None:
    assert set(SOURCES) >= REQUIRED


@pytest.mark.django_db
@pytest.mark.parametrize("slug", sorted(SOURCES))
def test_article_renders_from_the_knowledge_base_without_problems(slug: str) -> None:
    item = _library().articles[slug]
    assert item.problems == ()
    assert item.entries, "an article quotes at least one knowledge entry"
    assert item.source.meta.status.value == "ready"
    # Honest about review: no file names a reviewer; the sign-off lives in the database.
    assert "reviewer" not in item.source.text.split("+++")[1]


@pytest.mark.django_db
@pytest.mark.parametrize("slug", sorted(SOURCES))
def test_article_types_no_therapy_fact_number_or_interval_by_hand(slug: str) -> None:
    item = _library().articles[slug]
    own_words = "\n".join([item.source.meta.title, item.source.meta.summary, item.own_words])
    assert hand_typed_facts(own_words) == []


@pytest.mark.django_db
@pytest.mark.parametrize("slug", sorted(SOURCES))
def test_article_asks_questions_and_links_into_the_tools(slug: str) -> None:
    item = _library().articles[slug]
    questions = item.html.split(f'<h2 id="talk-to-your-team">{TALK_TO_YOUR_TEAM}</h2>')[1].split("<h2")[0]
    assert len(re.findall(r"<li>[^<]*\?", questions)) >= 4
    tools = {name for scheme, name in item.links if scheme == "tool"}
    assert len(tools & set(TOOLS)) >= 2, f"{slug} links to {sorted(tools)}"


@pytest.mark.django_db
def test_reading_level_of_every_article_is_measured_and_printed(capsys: pytest.CaptureFixture[str]) -> None:
    library = _library()
    too_hard = []
    lines = []
    for slug, item in library.articles.items():
        grade = reading_grade(item.plain_text)
        audiences = ", ".join(audience.value for audience in item.source.meta.audiences)
        lines.append(f"{slug:40} Flesch-Kincaid grade {grade:4.1f}  ({audiences})")
        if item.source.meta.plain_language and grade > PLAIN_LANGUAGE_GRADE:
            too_hard.append(f"{slug}: {grade:.1f}")
    with capsys.disabled():
        print("\nReading level of the library's articles (target: grade 8 or below for families and adults)")
        print("\n".join(lines))
    assert not too_hard, "above grade 8: " + ", ".join(too_hard)


def test_reading_grade_tells_plain_words_from_dense_ones() -> None:
    plain = "The team checks your breathing. They listen to your chest. Ask them what they hear."
    dense = (
        "Comprehensive multidisciplinary respiratory evaluation incorporating polysomnographic assessment "
        "and quantitative spirometric characterisation is indicated periodically."
    )
    assert reading_grade(plain) < PLAIN_LANGUAGE_GRADE < reading_grade(dense)


@pytest.mark.django_db
def test_every_care_plan_domain_and_non_emergency_triage_pattern_has_one_article_to_read_more() -> None:
    library = _library()
    for domain in CareDomain:
        found = [slug for slug, item in library.articles.items() if domain in item.source.meta.care_domains]
        assert len(found) == 1, f"care domain {domain.value}: {found}"
    for pattern in TriagePattern:
        if pattern is TriagePattern.EMERGENCY_RED_FLAGS:
            continue  # an emergency result leads with the number to call, nothing else
        found = [
            slug for slug, item in library.articles.items() if pattern in item.source.meta.triage_patterns
        ]
        assert found == ["paraspinal-muscle-atrophy-or-sma"], pattern


# --- a change of the knowledge base shows up in the article, without editing it ---------------------------


@pytest.mark.django_db
def test_a_changed_age_limit_shows_up_in_the_treatments_article() -> None:
    before = _library().articles["sma-treatments-and-care"]
    assert "In the United States it is for children under 2 years." in before.plain_text
    kb = _knowledge_with(
        "therapies.toml",
        'code = "age_limit"\noutcome = "not_eligible"\nrequire_any = [{ age_months_below = 24 }]\n'
        'text = "In the US, Zolgensma',
        'code = "age_limit"\noutcome = "not_eligible"\nrequire_any = [{ age_months_below = 36 }]\n'
        'text = "In the US, Zolgensma',
    )
    after = _library(kb).articles["sma-treatments-and-care"]
    assert "In the United States it is for children under 3 years." in after.plain_text
    assert after.source.digest == before.source.digest  # the same file


@pytest.mark.django_db
def test_a_changed_interval_and_approval_show_up_in_the_articles() -> None:
    kb = _knowledge_with(
        "care_plan.toml",
        'interval_months = 6\nfunctional_groups = ["sitter"]\ndue_from_any_assessment = true',
        'interval_months = 4\nfunctional_groups = ["sitter"]\ndue_from_any_assessment = true',
    )
    breathing = _library(kb).articles["breathing-support"]
    assert "Sits but does not walk: a breathing review at least every 4 months." in breathing.plain_text
    kb = _knowledge_with(
        "therapies.toml",
        "Whether Itvisma is registered in Australia is not confirmed in smanav's sources",
        "Itvisma was registered in Australia in a test of smanav's library",
    )
    treatments = _library(kb).articles["sma-treatments-and-care"]
    assert "Itvisma was registered in Australia in a test of smanav's library" in treatments.plain_text


# --- references and the hand-typed check, one case a row --------------------------------------------------


def _render_body(body: str, kb: Knowledge | None = None) -> Rendered:
    text = (
        '+++\ntitle = "A test article"\nsummary = "An article made by a test, to check references."\n'
        'audiences = ["families"]\ntopics = ["treatments"]\nauthor = "A test"\nstatus = "ready"\n+++\n'
        f"{body}\n\n## Talk to your team\n\n- A question?\n"
    )
    return render(parse_article("test-article", text), kb or load_knowledge(), lambda scheme, name: "/x/")


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("{{kb:therapy.no_such_entry}}", "therapy.no_such_entry: no such entry in the knowledge base"),
        ("{{kb:therapy.onasemnogene_iv.us_age}}", "written for one person's result"),
        ("{{kb:care.respiratory.review_sitter|colour}}", "unknown field"),
        ("{{kb:care.nutrition.growth_review|interval}}", "this entry has no interval"),
        ("{{approvals:no_such_therapy}}", "no therapy of that name"),
        ("{{steps:care.respiratory.review_sitter}}", "no such entry with next steps"),
    ],
)
def test_a_bad_reference_is_a_problem_named_with_its_id(body: str, problem: str) -> None:
    rendered = _render_body(body)
    assert any(problem in found for found in rendered.problems), rendered.problems


@pytest.mark.parametrize(
    ("reference", "words"),
    [
        ("{{kb:therapy.onasemnogene_iv.us_age|age_limit}}", "under 2 years"),
        ("{{kb:therapy.onasemnogene_iv.au_age|age_limit}}", "under 9 months"),
        ("{{kb:therapy.onasemnogene_it.age|age_limit}}", "2 years and older"),
        ("{{kb:therapy.risdiplam.ca_age|age_limit}}", "2 months and older"),
        ("{{kb:therapy.onasemnogene_iv.weight_band|weight_range}}", "2.6 to 21 kg"),
        ("{{kb:therapy.onasemnogene_iv.au_smn2|smn2_range}}", "1 to 3 SMN2 copies"),
        ("{{kb:care.respiratory.review_non_sitter|interval}}", "at least every 3 months"),
        ("{{kb:care.immunisation.influenza|interval}}", "at least every year"),
        ("{{kb:monitoring.nusinersen.doses|interval}}", "every 4 months"),
        ("{{kb:triage.adult_from_years}}", "16 years"),
        ("{{kb:therapy.catalogue.risdiplam|name}}", "Evrysdi (risdiplam)"),
    ],
)
def test_a_reference_says_the_knowledge_base_words(reference: str, words: str) -> None:
    rendered = _render_body(f"The fact is {reference}.")
    assert rendered.problems == ()
    assert f"The fact is {words}." in rendered.plain_text


def test_an_unconfirmed_entry_says_so_where_it_is_quoted() -> None:
    rendered = _render_body("{{kb:therapy.onasemnogene_it.status_uk}}")
    assert "This point is not confirmed in smanav's knowledge base" in rendered.plain_text


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Zolgensma is for children under 2 years.", "a number typed by hand"),
        ("A breathing review every six months.", "an age, interval or time limit"),
        ("Take it once a day after a meal.", "an age, interval or time limit"),
        ("Risdiplam is approved in the EU.", "an approval or funding decision"),
        ("NICE pays for it.", "an approval or funding decision"),
        ("The dosing table stops at 21 kg.", "a number typed by hand"),
        ("Most babies have 2 SMN2 copies.", "a number typed by hand"),
    ],
)
def test_the_hand_typed_check_finds_facts_written_out(sentence: str, kind: str) -> None:
    problems = hand_typed_facts(sentence)
    assert any(problem.startswith(kind) for problem in problems), problems


@pytest.mark.parametrize(
    "sentence",
    [
        "In 5q SMA, the body has no working SMN1 gene, and SMN2 makes a little protein.",
        "Gene therapy uses an AAV9 shell. People with types 1, 2 or 3 sit at different ages.",
        "For people who walk, the 6-minute walk test is one of the tests.",
        "Ask your team which medicines fit, and why. It is FACT for children FACT.",
    ],
)
def test_the_hand_typed_check_lets_names_and_plain_words_pass(sentence: str) -> None:
    assert hand_typed_facts(sentence) == []


def test_a_fact_references_a_link_by_name_never_by_address() -> None:
    rendered = _render_body("See [the page](https://example.org/).")
    assert any("cite their sources in the front matter" in problem for problem in rendered.problems)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no front matter\n", "must start with a line '+++'"),
        ("+++\ntitle = 'x'\n", "is not closed"),
        ("+++\ntitle = \n+++\n", "not valid TOML"),
        (
            '+++\ntitle = "A title"\nsummary = "A summary long enough"\naudiences = ["everyone"]\n'
            'topics = ["treatments"]\nauthor = "Us"\n+++\n',
            "audiences.0",
        ),
    ],
)
def test_a_broken_file_is_refused_with_its_name_and_field(text: str, message: str) -> None:
    with pytest.raises(ArticleError, match=re.escape(message)):
        parse_article("broken", text)


@pytest.mark.django_db
def test_links_to_tools_and_articles_resolve_to_pages() -> None:
    assert link_for("tool", "triage", ()) == "/triage/"
    assert link_for("tool", "care-plan", ()) == "/records/"
    assert link_for("article", "breathing-support", {"breathing-support"}) == "/library/breathing-support/"
    assert link_for("article", "nothing", {"breathing-support"}) is None
    assert link_for("tool", "nothing", ()) is None
