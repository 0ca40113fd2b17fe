"""The eligibility text of a ClinicalTrials.gov record, read as written: its criteria, each in its section.

The registry returns the text as CommonMark (API v2): bulleted or numbered lists, nested lists, and
backslash escapes such as `\\>10 mg`. It is parsed with markdown-it-py, so a criterion reads `>10 mg` and
keeps its nested items with it; the HTML made from it is sanitised (nh3), so no HTML written in a record
reaches a page.

Sponsors head the sections in many ways ("Inclusion Criteria:", "Key Inclusion Criteria:", "Main
exclusion criteria", "EXCLUSION:", a heading inside the list...). A heading is never a criterion, and a
criterion takes the section of the heading above it. Before any heading, or after one that names no side
("Eligibility criteria:", "Inclusion and exclusion criteria"), the section is `unsorted`: such a line is
never shown as a requirement nor as a reason to be left out.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

Section = Literal["inclusion", "exclusion", "unsorted"]

_QUALIFIERS = (
    r"(?:(?:key|main|major|principal|primary|general|additional|other|specific|important|selected|"
    r"study|patient|participant|subject)\s+)*"
)
_SIDE = r"(?P<side>inclusions?|exclusions?|exclusionary|non[- ]?inclusion|ineligibility|eligibility)"
_CRITERIA = r"(?P<criteria>\s+criteri(?:a|on|as))?"
# "Inclusion criteria for part A", "Exclusion criteria (all cohorts)": a qualifier after the word criteria.
_AFTER_CRITERIA = r"(?:\s*\([^)]*\)|\s+(?:for|in|of|applicable\s+to)\s+[^:]{1,80})?"
_HEADING = re.compile(
    rf"^{_QUALIFIERS}{_SIDE}{_CRITERIA}(?P<after>{_AFTER_CRITERIA})\s*(?P<colon>:)?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_CRITERIA_FOR = re.compile(r"^criteria\s+(?:for|of)\s+(?P<side>inclusion|exclusion)\s*:?\s*$", re.IGNORECASE)
_BOTH_SIDES = re.compile(
    r"^(?:inclusion|eligibility)\s*(?:and|/|&)\s*(?:exclusion|ineligibility)(?:\s+criteria)?\s*:?\s*$",
    re.IGNORECASE,
)
# A bullet or number typed as text (a list the Markdown parser did not see as one).
_TYPED_BULLET = re.compile(r"^\s*(?:[•·▪◦‣*\-–]|\(?\d{1,2}[.)])\s+")
_ALLOWED_TAGS = {"ul", "ol", "li", "p", "br", "em", "strong", "code", "a"}


@dataclass(frozen=True, slots=True)
class WrittenCriterion:
    """One criterion as the record writes it: plain text (escapes resolved) and sanitised HTML."""

    section: Section
    text: str
    html: str


def heading_section(line: str) -> tuple[Section, str] | None:
    """(section, text after the heading) when `line` is a section heading, else None."""
    text = line.strip().strip("*_#").strip()
    if _BOTH_SIDES.match(text):
        return "unsorted", ""
    found = _CRITERIA_FOR.match(text)
    if found:
        return _side(found.group("side")), ""
    found = _HEADING.match(text)
    if found is None:
        return None
    rest = found.group("rest").strip()
    if found.group("colon") is None:
        # Without a colon only a bare heading ("Main exclusion criteria", "EXCLUSION") is one: "Inclusion
        # in another study within 3 months" is a criterion.
        after = found.group("after").strip()
        if rest or (after and not found.group("criteria")):
            return None
        # "Exclusion criteria for part A" and "(all cohorts)" qualify a heading; "Exclusion criteria of the
        # parent study apply" is a sentence.
        if after and not (after.startswith("(") or after.casefold().startswith("for ")):
            return None
    elif found.group("after") and not found.group("criteria") and rest:
        return None
    return _side(found.group("side")), rest


def _side(word: str) -> Section:
    lowered = word.casefold()
    if lowered.startswith("inclusion"):
        return "inclusion"
    if lowered.startswith("eligibility"):
        return "unsorted"
    return "exclusion"


@cache
def _parser() -> MarkdownIt:
    # Raw HTML in a record is text, never markup.
    return MarkdownIt("commonmark", {"html": False})


def _clean(markup: str) -> str:
    return nh3.clean(
        markup,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href"}, "ol": {"start"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def _lines(inline: SyntaxTreeNode) -> list[list[Token]]:
    """The inline tokens of a paragraph, one list per written line."""
    lines: list[list[Token]] = [[]]
    for token in inline.to_tokens()[0].children or []:
        if token.type in ("softbreak", "hardbreak"):
            lines.append([])
        else:
            lines[-1].append(token)
    return [line for line in lines if line]


def _plain(tokens: list[Token]) -> str:
    parts: list[str] = []
    for token in tokens:
        if token.type in ("text", "code_inline", "html_inline"):
            parts.append(token.content)
        elif token.type == "image":
            parts.append(_plain(token.children or []))
    return "".join(parts).strip()


def _strip_typed_bullet(tokens: list[Token]) -> list[Token]:
    if tokens and tokens[0].type == "text" and _TYPED_BULLET.match(tokens[0].content):
        first = tokens[0].copy()
        first.content = _TYPED_BULLET.sub("", first.content, count=1)
        return [first, *tokens[1:]]
    return tokens


def _inline_html(tokens: list[Token]) -> str:
    md = _parser()
    return str(md.renderer.render(tokens, md.options, {})).strip()


class _Reader:
    def __init__(self) -> None:
        self.section: Section = "unsorted"
        self.found: list[WrittenCriterion] = []

    def add(self, text: str, markup: str) -> None:
        if text.strip():
            self.found.append(WrittenCriterion(self.section, text.strip(), _clean(markup)))

    def line(self, tokens: list[Token]) -> None:
        """One written line outside a list: a heading, or a criterion of its own."""
        tokens = _strip_typed_bullet(tokens)
        text = _plain(tokens)
        heading = heading_section(text)
        if heading is not None:
            self.section, rest = heading
            self.add(rest, html.escape(rest))
            return
        self.add(text, _inline_html(tokens))

    def blocks(self, nodes: list[SyntaxTreeNode]) -> None:
        for node in nodes:
            if node.type == "paragraph":
                for tokens in _lines(node.children[0]):
                    self.line(tokens)
            elif node.type in ("bullet_list", "ordered_list"):
                for item in node.children:
                    self.item(item)
            elif node.type == "heading":
                # A Markdown heading is never a criterion; one naming a side opens that section.
                found = heading_section(_plain(node.children[0].to_tokens()[0].children or []))
                if found is not None:
                    self.section = found[0]
            elif node.type in ("code_block", "fence"):
                # Text indented by four spaces or more: read it again as Markdown, in the same section.
                self.blocks(list(SyntaxTreeNode(_parser().parse(_dedent(node.content))).children))
            elif node.type == "blockquote":
                self.blocks(list(node.children))

    def item(self, node: SyntaxTreeNode) -> None:
        children = list(node.children)
        first = children[0] if children else None
        if first is not None and first.type == "paragraph":
            lines = _lines(first.children[0])
            heading = heading_section(_plain(lines[0])) if lines else None
            if heading is not None:
                # "* Exclusion Criteria:" written as a list item: its nested items are the criteria.
                self.section, rest = heading
                self.add(rest, html.escape(rest))
                for tokens in lines[1:]:
                    self.line(tokens)
                self.blocks(children[1:])
                return
        head, nested, markup = _describe(children, depth=0)
        self.add("\n".join([head, *nested]), markup)


def _describe(nodes: list[SyntaxTreeNode], *, depth: int) -> tuple[str, list[str], str]:
    """A list item's content: its own text, its nested items as indented "- " lines, and its HTML."""
    own: list[str] = []
    nested: list[str] = []
    markup: list[str] = []
    paragraphs = sum(1 for node in nodes if node.type == "paragraph")
    for node in nodes:
        if node.type == "paragraph":
            lines = _lines(node.children[0])
            own.append(" ".join(_plain(tokens) for tokens in lines))
            inline = "<br>".join(_inline_html(tokens) for tokens in lines)
            markup.append(f"<p>{inline}</p>" if paragraphs > 1 else inline)
        elif node.type in ("code_block", "fence"):
            own.append(" ".join(node.content.split()))
            markup.append(f"<p>{html.escape(node.content.strip())}</p>")
        elif node.type in ("bullet_list", "ordered_list"):
            start = node.attrs.get("start")
            if node.type == "bullet_list":
                opening, closing = "<ul>", "</ul>"
            else:
                opening, closing = (f'<ol start="{start}">' if start else "<ol>"), "</ol>"
            markup.append(opening)
            for item in node.children:
                head, deeper, inner = _describe(list(item.children), depth=depth + 1)
                if not head and not deeper:
                    continue  # an empty item ("-" alone on a line) is not a criterion
                nested.append("  " * depth + "- " + head)
                nested.extend(deeper)
                markup.append(f"<li>{inner}</li>")
            markup.append(closing)
    return " ".join(part for part in own if part), nested, "".join(markup)


def _dedent(text: str) -> str:
    lines = text.splitlines()
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(indents, default=0)
    return "\n".join(line[cut:] for line in lines)


@lru_cache(maxsize=4096)
def read_criteria(markdown: str) -> tuple[WrittenCriterion, ...]:
    """Every criterion of an eligibility text, in order, with its section and nested items.

    Parsing a long text takes tens of milliseconds and every match reads every open SMA trial, so each
    text is read once per process (the result depends on the text alone and never changes).
    """
    reader = _Reader()
    reader.blocks(list(SyntaxTreeNode(_parser().parse(markdown or "")).children))
    return tuple(reader.found)
