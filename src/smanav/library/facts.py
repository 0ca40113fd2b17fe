"""Clinical facts in an article are references into the knowledge base, filled in when it is rendered.

An article never types a therapy's approval, an age or weight limit or an interval: it names the
knowledge entry that holds it, and the words come from the entry each time the article is rendered, so
an article can never contradict the evaluation, and a change of the knowledge base shows up in every
article that uses it without anyone editing the article.

Two kinds of reference, written inside the Markdown:

* `{{kb:ENTRY_ID}}` or `{{kb:ENTRY_ID|FIELD}}`: one fact, inline. FIELD is a text field of the entry
  (`text`, `title`, `detail`, `name`, `route`, `indication`, `condition`, `label`, `unknown_text`,
  `number`) or a value worked out from it: `value` (a parameter with its unit), `interval` (a care item's
  or schedule's interval), `age_limit`, `weight_range` and `smn2_range` (the limits of an eligibility
  rule, for the people it allows).
* `{{approvals:THERAPY}}` on a line of its own: a list of the therapy's approval (or funding) in every
  region, one `[[regional_status]]` entry a line.
* `{{steps:ENTRY_ID}}` on a line of its own: the entry's next steps, as a list.

`hand_typed_facts` finds what an article must not type by hand (numbers, intervals, approval words);
the tests run it on every article.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from smanav_core.ages import CalendarAge, words_for
from smanav_core.knowledge.loader import Knowledge
from smanav_core.knowledge.schema.base import NOT_CONFIRMED, Entry, Parameter
from smanav_core.knowledge.schema.care import CareItem
from smanav_core.knowledge.schema.therapies import (
    Conditions,
    EligibilityRule,
    MonitoringSchedule,
    RegionalStatus,
)

REFERENCE = re.compile(
    r"\{\{\s*(?P<kind>kb|approvals|steps)\s*:\s*(?P<target>[a-z0-9][a-z0-9_.\-]*)\s*"
    r"(?:\|\s*(?P<field>[a-z0-9_]+)\s*)?\}\}"
)
TEXT_FIELDS = (
    "text",
    "title",
    "detail",
    "name",
    "route",
    "indication",
    "condition",
    "label",
    "unknown_text",
    "number",
)
DERIVED_FIELDS = ("value", "interval", "age_limit", "weight_range", "smn2_range")
# A text written for one person (a rule's reason) has blanks the engine fills in: {age}, {smn2}...
PERSONAL_BLANK = re.compile(r"\{[a-z_]+\}")
SHORT_NOT_CONFIRMED = "(not confirmed in smanav's knowledge base)"


@dataclass(frozen=True)
class Fact:
    text: str
    entries: tuple[str, ...]


@dataclass
class Resolution:
    """What the references of one text resolved to: the entries used, and every problem in words."""

    entries: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def use(self, entry_id: str) -> None:
        if entry_id not in self.entries:
            self.entries.append(entry_id)


def entry_digest(entry: Entry) -> str:
    """A digest of what an entry says. Its review date is left out: looking at an entry again without
    changing it does not change any article that quotes it."""
    content = entry.model_dump(mode="json", exclude={"reviewed_on"})
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode("utf-8")).hexdigest()


def knowledge_digests(kb: Knowledge, entry_ids: list[str] | tuple[str, ...]) -> dict[str, str]:
    """The digest of each entry that exists; a missing entry is simply absent."""
    return {entry_id: entry_digest(kb.entries[entry_id]) for entry_id in entry_ids if entry_id in kb.entries}


def substitute(
    markdown: str, kb: Knowledge, resolution: Resolution, *, write: Callable[[Fact], str] | None = None
) -> str:
    """`markdown` with every reference replaced by its fact (passed through `write`, which by default
    escapes it for Markdown). Problems and the entries used are recorded in `resolution`."""
    writer = write or (lambda fact: escape_markdown(fact.text))

    def replace(match: re.Match[str]) -> str:
        if match.group("kind") == "approvals":
            return _approvals(kb, match.group("target"), match.group("field"), resolution, writer)
        if match.group("kind") == "steps":
            return _steps(kb, match.group("target"), resolution, writer)
        found = resolve(kb, match.group("target"), match.group("field"), resolution)
        return (
            writer(found) if found is not None else "(a fact could not be found in smanav's knowledge base)"
        )

    result = REFERENCE.sub(replace, markdown)
    for leftover in re.findall(r"\{\{[^}]*\}?\}?", result):
        resolution.problems.append(
            f"{leftover}: not a reference that can be read (kb:, approvals: or steps:)"
        )
    return result


def resolve(kb: Knowledge, entry_id: str, field_name: str | None, resolution: Resolution) -> Fact | None:
    entry = kb.entries.get(entry_id)
    if entry is None:
        resolution.problems.append(f"{entry_id}: no such entry in the knowledge base")
        return None
    name = field_name or _default_field(entry)
    if name in DERIVED_FIELDS:
        text = _derived(entry, name)
    elif name in TEXT_FIELDS:
        value = getattr(entry, name, None)
        text = value if isinstance(value, str) and value else None
        if text is not None and PERSONAL_BLANK.search(text):
            resolution.problems.append(
                f"{entry_id}|{name}: this text is written for one person's result ({text[:40]}...); "
                "quote one of its limits instead (age_limit, weight_range, smn2_range)"
            )
            return None
    else:
        resolution.problems.append(f"{entry_id}|{name}: unknown field (use one of {', '.join(TEXT_FIELDS)})")
        return None
    if text is None:
        resolution.problems.append(f"{entry_id}|{name}: this entry has no {name.replace('_', ' ')}")
        return None
    resolution.use(entry_id)
    unconfirmed = not entry.confirmed or (
        name == "indication" and isinstance(entry, RegionalStatus) and not entry.indication_confirmed
    )
    if unconfirmed:
        text = (
            f"{text} {NOT_CONFIRMED}" if text.endswith((".", "?", "!")) else f"{text} {SHORT_NOT_CONFIRMED}"
        )
    return Fact(text=text, entries=(entry_id,))


def _default_field(entry: Entry) -> str:
    if isinstance(entry, Parameter):
        return "value"
    if isinstance(entry, CareItem):
        return "detail"
    return "text"


def _derived(entry: Entry, name: str) -> str | None:
    if name == "value":
        return _parameter_words(entry) if isinstance(entry, Parameter) else None
    if name == "interval":
        return _interval_words(entry)
    if not isinstance(entry, EligibilityRule):
        return None
    allowed = _allowed(entry)
    if allowed is None:
        return None
    if name == "age_limit":
        return _age_limit(allowed)
    if name == "weight_range":
        return _range(allowed.weight_kg_at_least, allowed.weight_kg_at_most, "kg", "kg")
    return _range(allowed.smn2_at_least, allowed.smn2_at_most, "SMN2 copy", "SMN2 copies")


def _parameter_words(entry: Parameter) -> str:
    words = entry.words()
    if not entry.unit:
        return words
    unit = entry.unit[:-1] if entry.value == 1 and entry.unit.endswith("s") else entry.unit
    return f"{words} {unit}"


def _interval_words(entry: Entry) -> str | None:
    if isinstance(entry, CareItem) and entry.interval_months is not None:
        return f"at least every {_months(entry.interval_months)}"
    if isinstance(entry, MonitoringSchedule):
        months = entry.repeat_every_months or entry.interval_months
        if months is not None:
            return f"every {_months(months)}"
    return None


def _months(months: float) -> str:
    if months == 1:
        return "month"
    if months >= 12 and months % 12 == 0:
        years = int(months // 12)
        return "year" if years == 1 else f"{years} years"
    return f"{months:g} months"


def _allowed(rule: EligibilityRule) -> Conditions | None:
    """The conditions of the people a rule allows: its one alternative (`require_any`). A rule that fires
    on a `when` block describes who is refused, which no single limit says."""
    if len(rule.require_any) == 1:
        return rule.require_any[0]
    return None


def _age(months: float) -> str:
    whole = int(months)
    if whole != months:
        return f"{months:g} months"
    return words_for(CalendarAge(years=whole // 12, months=whole % 12, days=0)) if whole else "birth"


def _age_limit(allowed: Conditions) -> str | None:
    lower = (
        f"{_age(allowed.age_months_at_least)} and older"
        if allowed.age_months_at_least is not None
        else f"older than {_age(allowed.age_months_above)}"
        if allowed.age_months_above is not None
        else None
    )
    upper = (
        f"under {_age(allowed.age_months_below)}"
        if allowed.age_months_below is not None
        else f"up to {_age(allowed.age_months_at_most)} old"
        if allowed.age_months_at_most is not None
        else None
    )
    parts = [part for part in (lower, upper) if part]
    return " and ".join(parts) if parts else None


def _range(low: float | None, high: float | None, one: str, many: str) -> str | None:
    if low is not None and high is not None:
        return f"{low:g} to {high:g} {many}"
    if high is not None:
        return f"up to {high:g} {one if high == 1 else many}"
    if low is not None:
        return f"at least {low:g} {one if low == 1 else many}"
    return None


def _approvals(
    kb: Knowledge, therapy: str, field_name: str | None, resolution: Resolution, write: Callable[[Fact], str]
) -> str:
    if field_name is not None:
        resolution.problems.append(f"approvals:{therapy}: a list of approvals takes no field")
    rows = [row for row in kb.therapies.regional_status if row.therapy == therapy]
    if not rows:
        resolution.problems.append(f"approvals:{therapy}: no therapy of that name has regional approvals")
        return ""
    lines = []
    for row in rows:
        found = resolve(kb, row.id, "text", resolution)
        if found is not None:
            lines.append(f"- {write(found)}")
    # A blank line on each side keeps the list a block of its own.
    return "\n\n" + "\n".join(lines) + "\n\n"


def _steps(kb: Knowledge, entry_id: str, resolution: Resolution, write: Callable[[Fact], str]) -> str:
    entry = kb.entries.get(entry_id)
    steps = getattr(entry, "next_steps", ()) if entry is not None else ()
    if entry is None or not steps:
        resolution.problems.append(f"steps:{entry_id}: no such entry with next steps in the knowledge base")
        return ""
    resolution.use(entry_id)
    suffix = f" {NOT_CONFIRMED}" if not entry.confirmed else ""
    lines = [f"- {write(Fact(text=step + suffix, entries=(entry_id,)))}" for step in steps]
    return "\n\n" + "\n".join(lines) + "\n\n"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&])")


def escape_markdown(text: str) -> str:
    """Text that Markdown shows exactly as written (CommonMark lets a backslash escape any punctuation)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


# --- what an article must not type by hand --------------------------------------------------------------

# Digits are allowed only inside these names (a gene, a virus shell, an SMA type, a test's name).
_ALLOWED_WITH_DIGITS = re.compile(
    r"\b(?:5q|SMN[12]|AAV9|types? [0-4](?:(?:, | and | or )[0-4])*|6-minute walk(?: test)?)\b"
)
_DIGIT = re.compile(r"\d")
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a few|several|a couple of|half a"
)
_TIME_WORDS = re.compile(
    rf"\b(?:(?:{_NUMBER_WORDS})[\s-]+(?:days?|weeks?|months?|years?)|"
    r"(?:every|once an?|twice an?|each)\s+(?:day|week|fortnight|month|year)|"
    r"(?:daily|weekly|fortnightly|monthly|yearly|annual(?:ly)?))\b",
    re.IGNORECASE,
)
_APPROVAL_WORDS = re.compile(
    r"\b(?:approv\w*|authori[sz]\w*|licen[cs]\w*|registered|subsidi[sz]\w*|reimburs\w*|"
    r"NICE|FDA|EMA|MHRA|PBS|TGA|PMDA|Health Canada)\b"
)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")


def hand_typed_facts(plain_text: str) -> list[str]:
    """Sentences of an article's own words (its facts already taken out) that state a number, an
    interval or an approval by hand. Each problem quotes the sentence."""
    problems: list[str] = []
    for match in _SENTENCE.finditer(plain_text):
        sentence = match.group(0).strip()
        if not sentence:
            continue
        without_names = _ALLOWED_WITH_DIGITS.sub("", sentence)
        if _DIGIT.search(without_names):
            problems.append(f"a number typed by hand: {sentence!r}")
        if _TIME_WORDS.search(sentence):
            problems.append(f"an age, interval or time limit typed by hand: {sentence!r}")
        if _APPROVAL_WORDS.search(sentence):
            problems.append(f"an approval or funding decision typed by hand: {sentence!r}")
    return problems
