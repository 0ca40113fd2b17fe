"""An article source and the knowledge base in, the page's HTML and its plain text out.

Rendering is pure: the knowledge base and a link resolver are passed in (the web layer gives Django's
URL names; tests give a knowledge base of their own). Markdown is CommonMark without raw HTML, and the
HTML is sanitised again with nh3, so an article can hold nothing but text, lists, tables and links.

Links into the application are written by name, so that no page address is typed into an article:
`[the questionnaire](tool:triage)`, `[breathing support](article:breathing-support)`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

from smanav.library.content import ArticleSource
from smanav.library.facts import Resolution, substitute
from smanav_core.knowledge.loader import Knowledge

# Names a link may use: `tool:NAME` for a page of the application, `article:SLUG` for another article.
TOOLS = ("triage", "services", "trials", "care-plan", "evaluate", "sources", "library")
LinkResolver = Callable[[str, str], str | None]  # (scheme, name) -> address, or None when unknown

_ALLOWED_TAGS = {
    "h2",
    "h3",
    "h4",
    "p",
    "ul",
    "ol",
    "li",
    "a",
    "strong",
    "em",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "br",
    "code",
}
_BLOCKS = {"p", "li", "h2", "h3", "h4", "td", "th", "blockquote", "dt", "dd"}
# Stands for a fact in the text the hand-typed-facts check reads, so the check sees only the article's
# own words.
FACT_PLACEHOLDER = "FACT"
TALK_TO_YOUR_TEAM = "Talk to your team"


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str


@dataclass(frozen=True)
class Rendered:
    """One article rendered with one knowledge base."""

    source: ArticleSource
    knowledge_version: str
    html: str
    sections: tuple[Section, ...]
    plain_text: str  # what a reader reads, each block ending a sentence (search, reading level)
    own_words: str  # the plain text with every fact replaced by a placeholder (the hand-typed check)
    entries: tuple[str, ...]  # knowledge entries quoted, in order of first use
    sources: tuple[str, ...]  # the front matter's sources, then those of the entries quoted
    links: tuple[tuple[str, str], ...]  # (scheme, name) of every application link
    problems: tuple[str, ...]

    @property
    def slug(self) -> str:
        return self.source.slug


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def render(source: ArticleSource, kb: Knowledge, link_for: LinkResolver) -> Rendered:
    resolution = Resolution()
    markdown = substitute(source.body, kb, resolution)
    links: list[tuple[str, str]] = []
    html, sections = _to_html(markdown, link_for, links, resolution.problems)
    # The same body with each fact as a placeholder, for the check of the article's own words.
    own = substitute(source.body, kb, Resolution(), write=lambda fact: FACT_PLACEHOLDER)
    own_html, _sections = _to_html(own, lambda scheme, name: "#", [], [])
    problems = list(resolution.problems)
    problems += [
        f"sources: {key} is not in the bibliography" for key in source.meta.sources if key not in kb.sources
    ]
    if "<h1" in html:
        problems.append("the body must not have a top-level heading (# ...): the title is the page's heading")
    if not any(section.title == TALK_TO_YOUR_TEAM for section in sections):
        problems.append(f"the body has no '## {TALK_TO_YOUR_TEAM}' section of questions")
    sources = list(dict.fromkeys(key for key in source.meta.sources if key in kb.sources))
    for entry_id in resolution.entries:
        for key in kb.entries[entry_id].sources:
            if key not in sources:
                sources.append(key)
    return Rendered(
        source=source,
        knowledge_version=kb.version,
        html=html,
        sections=tuple(sections),
        plain_text=plain_text(html),
        own_words=plain_text(own_html),
        entries=tuple(resolution.entries),
        sources=tuple(sources),
        links=tuple(links),
        problems=tuple(problems),
    )


def _to_html(
    markdown: str, link_for: LinkResolver, links: list[tuple[str, str]], problems: list[str]
) -> tuple[str, list[Section]]:
    tokens = _parser().parse(markdown)
    sections: list[Section] = []
    used_anchors: set[str] = set()
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2":
            title = _inline_text(tokens[index + 1])
            anchor = _anchor(title, used_anchors)
            token.attrSet("id", anchor)
            sections.append(Section(anchor=anchor, title=title))
        if token.type == "inline":
            for child in token.children or []:
                if child.type == "link_open":
                    _resolve_link(child, link_for, links, problems)
    html = _parser().renderer.render(tokens, _parser().options, {})
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href"}, "h2": {"id"}, "ol": {"start"}},
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
    )
    return clean, sections


def _resolve_link(
    token: Token, link_for: LinkResolver, links: list[tuple[str, str]], problems: list[str]
) -> None:
    href = str(token.attrGet("href") or "")
    scheme, _colon, name = href.partition(":")
    if scheme in ("tool", "article") and name:
        links.append((scheme, name))
        address = link_for(scheme, name)
        if address is None:
            problems.append(f"link {href}: no such {'page' if scheme == 'tool' else 'article'}")
            address = "#"
        token.attrSet("href", address)
    elif href.startswith(("http://", "https://")):
        problems.append(f"link {href}: articles cite their sources in the front matter, not as web links")


def _inline_text(token: Token) -> str:
    return "".join(child.content for child in token.children or [] if child.type in ("text", "code_inline"))


def _anchor(title: str, used: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "section"
    anchor, number = base, 2
    while anchor in used:
        anchor, number = f"{base}-{number}", number + 1
    used.add(anchor)
    return anchor


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._current: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        self._current.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self._current).split())
        self._current = []
        if text:
            self.blocks.append(text if text[-1] in ".!?:" else f"{text}.")

    def close(self) -> None:
        super().close()
        self._flush()


def plain_text(html: str) -> str:
    """The words of an HTML fragment, one block a line; a block without final punctuation (a heading, a
    list item, a table cell) ends with a full stop, so that it counts as a sentence of its own."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "\n".join(parser.blocks)


def reading_grade(text: str) -> float:
    """The Flesch-Kincaid grade level (a US school grade) of `text`."""
    import textstat  # imported on use: loading its pronouncing dictionary takes a moment

    return float(textstat.flesch_kincaid_grade(text))
