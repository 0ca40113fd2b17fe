"""Plain-text reports of an evaluation and a triage result, written for a family to read.

The report shows the same content as the JSON document, in plain words: every sentence about the person
comes from the result (and so from the cited knowledge base); this module only adds headings and puts
the contract's codes into words. Sources are shown by their bibliography ids (`smanav knowledge`
lists them in full).
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from smanav_core.ages import age_words_from_days
from smanav_core.facts import DAYS_PER_MONTH
from smanav_core.knowledge.loader import load_knowledge
from smanav_core.knowledge.schema.therapies import product_names
from smanav_core.status_words import THERAPY_STATUS_WORDS, therapy_status_words

WIDTH = 100

REGION_NAMES = {
    "US": "the United States",
    "EU": "the European Union",
    "UK": "the United Kingdom",
    "CA": "Canada",
    "JP": "Japan",
    "AU": "Australia",
}

DIAGNOSIS_WORDS = {
    "confirmed_5q_sma": "5q SMA is confirmed by the genetic result.",
    "inconclusive": "The genetic result is not conclusive yet.",
    "carrier": "The genetic result is that of a carrier.",
    "5q_sma_unlikely": "The genetic result makes 5q SMA unlikely.",
    "not_tested": "No genetic test result is recorded.",
}

TYPE_WORDS = {
    "0": "SMA type 0",
    "1": "SMA type 1",
    "2": "SMA type 2",
    "3": "SMA type 3",
    "4": "SMA type 4",
    "presymptomatic": "presymptomatic (5q SMA confirmed, no symptoms yet)",
}

GROUP_WORDS = {
    "non_sitter": "non-sitter (cannot sit without support)",
    "sitter": "sitter (can sit without support, does not walk alone)",
    "walker": "walker (can walk without help)",
}

URGENCY_WORDS = {
    "urgent": "URGENT: talk to the specialist team within days.",
    "prompt": "PROMPT: talk to the specialist team within weeks.",
    "routine": "ROUTINE: at the next planned visit.",
}

# The product names come from the knowledge base's catalogue; the words around them are the report's.
_PRODUCTS = product_names(load_knowledge().therapies.therapy)
THERAPY_NAMES = {
    "nusinersen": f"Nusinersen ({_PRODUCTS['nusinersen']}), injected into the spinal fluid",
    "risdiplam": f"Risdiplam ({_PRODUCTS['risdiplam']}), taken by mouth",
    "onasemnogene_abeparvovec_iv": (
        f"Onasemnogene abeparvovec ({_PRODUCTS['onasemnogene_abeparvovec_iv']}), gene therapy into a vein"
    ),
    "onasemnogene_abeparvovec_it": (
        f"Onasemnogene abeparvovec ({_PRODUCTS['onasemnogene_abeparvovec_it']}), gene therapy into the "
        "spinal fluid"
    ),
}

# The one naming of therapy statuses (`smanav_core.status_words`), kept here under its old name.
STATUS_WORDS = THERAPY_STATUS_WORDS

DOMAIN_NAMES = {
    "coordination": "Care coordination",
    "genetics": "Genetics and family",
    "neuromuscular": "Neuromuscular (nerves and muscles)",
    "rehabilitation": "Physiotherapy and rehabilitation",
    "orthopaedic": "Bones, joints and spine",
    "respiratory": "Breathing",
    "nutrition": "Feeding, swallowing and nutrition",
    "bone_health": "Bone health",
    "immunisation": "Vaccinations",
    "acute_care": "When unwell",
    "anaesthesia": "Operations and anaesthesia",
    "treatment_monitoring": "Treatment safety checks",
    "palliative": "Comfort and palliative care",
    "psychosocial": "Emotional and social support",
}

# Lists the therapy rules may add to a therapy entry (each item a reason-shaped dict or a sentence).
THERAPY_DETAILS = {
    "pre_treatment_tests": "Tests before starting",
    "contraindications": "Who should not have it",
    "warnings": "Warnings",
    "regimen_options": "Other ways of dosing",
}

SEVERITY_WORDS = {"high": "IMPORTANT", "medium": "Check soon", "low": "Note"}

PATTERN_WORDS = {
    "emergency_red_flags": "Some answers are warning signs that need emergency care.",
    "suggests_neuromuscular_disease": "The answers suggest a disease of the nerves or muscles.",
    "consistent_with_paraspinal_muscle_atrophy": (
        "The answers fit paraspinal muscle atrophy (wasting of the back muscles beside the spine)."
    ),
    "nonspecific": "The answers do not point to one particular pattern.",
}

RECOMMENDATION_WORDS = {
    "seek_emergency_care": "Seek emergency care now.",
    "see_neurologist": "See a neurologist (a doctor for nerves and muscles).",
    "see_primary_care_or_spine_specialist": "See your family doctor or a spine specialist.",
}

TRIAGE_URGENCY_WORDS = {
    "emergency": "EMERGENCY: today, now.",
    "urgent": "URGENT: within days.",
    "routine": "ROUTINE: at a normal appointment.",
}


class _Page:
    """Collects wrapped lines under headings."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def title(self, text: str) -> None:
        self.lines += [text, "=" * len(text)]

    def heading(self, text: str) -> None:
        self.lines += ["", text, "-" * len(text)]

    def para(self, text: str, indent: str = "") -> None:
        if text:
            self.lines += textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent) or [
                indent
            ]

    def bullet(self, text: str, indent: str = "") -> None:
        self.lines += textwrap.wrap(
            text, WIDTH, initial_indent=indent + "- ", subsequent_indent=indent + "  "
        )

    def sources(self, ids: Iterable[str], indent: str = "") -> None:
        unique = list(dict.fromkeys(ids))
        if unique:
            self.para("Sources: " + ", ".join(unique), indent)

    def blank(self) -> None:
        self.lines.append("")

    def text(self) -> str:
        return "\n".join(self.lines).rstrip() + "\n"


def _reasons(page: _Page, reasons: Sequence[Mapping[str, Any]], indent: str = "") -> None:
    for item in reasons:
        page.bullet(str(item.get("text", "")), indent)
        page.sources(item.get("sources", ()), indent + "  ")


def _all_sources(value: Any, found: dict[str, None]) -> None:
    """Every source id anywhere in the document, in order of first appearance."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key == "sources" and isinstance(item, list):
                found.update(dict.fromkeys(str(source) for source in item))
            else:
                _all_sources(item, found)
    elif isinstance(value, list):
        for item in value:
            _all_sources(item, found)


def _number(value: float) -> str:
    return f"{value:g}"


def evaluation_age_words(result: Mapping[str, Any]) -> str:
    """The person's age on the evaluation date in words ("1 year 3 months"), from the result alone.

    Uses the exact `age_days` (an extra field of the evaluation); a document without it (written by an
    older version) falls back to `age_months`, which is rounded and so may be a day out.
    """
    as_of = dt.date.fromisoformat(str(result["as_of"]))
    days = result.get("age_days")
    if not isinstance(days, int):
        days = round(float(result.get("age_months") or 0) * DAYS_PER_MONTH)
    return age_words_from_days(days, as_of)


def therapy_name(therapy: Mapping[str, Any]) -> str:
    """The name the therapy rules give (brand and generic), else ours, else the id."""
    therapy_id = str(therapy.get("therapy", ""))
    return str(therapy.get("name") or THERAPY_NAMES.get(therapy_id, therapy_id))


def share_words(share: float) -> str:
    per_hundred = round(share * 100)
    if per_hundred == 0:
        return "fewer than 1 in 100" if share > 0 else "none"
    return f"about {per_hundred} in 100"


# How a dated item stands on the evaluation date (`due_status`), in words.
DUE_WORDS = {
    "overdue": "OVERDUE since {date}",
    "due_soon": "due soon, on {date}",
    "scheduled": "next due {date}",
    "done": "done for the one due {date}",
}


def interval_words(months: Any) -> str:
    if months is None:
        return "once, or when needed"
    if months == 1:
        return "at least every month"
    if isinstance(months, int | float) and months >= 12 and months % 12 == 0:
        years = int(months // 12)
        return "at least every year" if years == 1 else f"at least every {years} years"
    return f"at least every {_number(months)} months"


def evaluation_questions(result: Mapping[str, Any]) -> list[str]:
    """Questions for the clinical team: the next steps, what is missing for each therapy, and the alerts."""
    questions: list[str] = []
    diagnosis = result.get("diagnosis") or {}
    questions.extend(f"Next step to discuss: {step}" for step in diagnosis.get("next_steps") or ())
    for therapy in result.get("therapies") or ():
        if therapy.get("status") != "needs_information":
            continue
        name = therapy_name(therapy)
        for item in therapy.get("reasons") or ():
            questions.append(f"{name}: {item.get('text', '')} How can we get this information?")
    for alert in result.get("alerts") or ():
        questions.append(f"{alert.get('text', '')} What should we do about this?")
    for item in result.get("care_plan") or ():
        questions.extend(f"Next step to discuss: {step}" for step in item.get("next_steps") or ())
    return list(dict.fromkeys(question.strip() for question in questions if question.strip()))


def render_evaluation_text(result: Mapping[str, Any]) -> str:
    """A family-readable report of an evaluation document (the dict `evaluate` returns)."""
    page = _Page()
    who = f" for {result['id']}" if result.get("id") else ""
    page.title(f"SMA care summary{who}")
    region = str(result.get("region", ""))
    page.para(
        f"Date of this summary: {result.get('as_of')}. Age: {evaluation_age_words(result)}. "
        f"Region for treatment rules: {REGION_NAMES.get(region, region)}."
    )

    diagnosis = result.get("diagnosis") or {}
    page.heading("What the genetic result means")
    page.para(DIAGNOSIS_WORDS.get(diagnosis.get("status", ""), str(diagnosis.get("status"))))
    page.para(str(diagnosis.get("summary", "")))
    distribution = diagnosis.get("predicted_type_distribution")
    if distribution:
        page.blank()
        page.para("Among people with the same number of SMN2 copies in the cited study, the SMA type was:")
        for sma_type, share in sorted(distribution.items()):
            page.bullet(f"type {sma_type}: {share_words(float(share))}")
    if diagnosis.get("next_steps"):
        page.blank()
        page.para("Next steps:")
        for step in diagnosis["next_steps"]:
            page.bullet(str(step))
    page.sources(diagnosis.get("sources") or ())

    classification = result.get("classification") or {}
    page.heading("Type and what the person can do now")
    sma_type = classification.get("sma_type")
    group = classification.get("functional_group")
    page.para(
        "Type: "
        + (TYPE_WORDS.get(str(sma_type), str(sma_type)) if sma_type is not None else "not determined")
    )
    page.para(
        "What the person can do now: "
        + (GROUP_WORDS.get(str(group), str(group)) if group is not None else "not recorded")
    )
    _reasons(page, classification.get("reasons") or ())

    urgency = result.get("urgency") or {}
    page.heading("How urgent")
    level = str(urgency.get("level", ""))
    page.para(URGENCY_WORDS.get(level, level))
    _reasons(page, urgency.get("reasons") or ())

    page.heading(f"Treatment options in {REGION_NAMES.get(region, region)}")
    for therapy in result.get("therapies") or ():
        status = str(therapy.get("status", ""))
        words = therapy_status_words(status, REGION_NAMES.get(region, region))
        page.blank()
        page.para(f"{therapy_name(therapy)}: {words}.")
        if therapy.get("route"):
            page.para(f"How it is given: {therapy['route']}.", "  ")
        _reasons(page, therapy.get("reasons") or (), indent="  ")
        if therapy.get("regimen"):
            page.para(f"Dose: {therapy['regimen']}", "  ")
        for key, label in THERAPY_DETAILS.items():
            items = therapy.get(key) or ()
            if items:
                page.para(label + ":", "  ")
                _reasons(
                    page, [item if isinstance(item, Mapping) else {"text": item} for item in items], "    "
                )

    page.heading("Care plan")
    plan = list(result.get("care_plan") or ())
    if not plan:
        page.para("No care-plan items were produced from the information given.")
    domains = list(dict.fromkeys(str(item.get("domain", "")) for item in plan))
    for domain in domains:
        page.blank()
        page.para(DOMAIN_NAMES.get(domain, domain) + ":")
        for item in plan:
            if item.get("domain") != domain:
                continue
            when = interval_words(item.get("interval_months"))
            if item.get("due_on"):
                when += "; " + DUE_WORDS.get(str(item.get("due_status")), "next due {date}").format(
                    date=item["due_on"]
                )
            page.bullet(f"{item.get('title', '')} ({when})", "  ")
            page.para(str(item.get("detail", "")), "    ")
            page.sources(item.get("sources") or (), "    ")

    page.heading("Things to watch")
    alerts = list(result.get("alerts") or ())
    if not alerts:
        page.para("No alerts from the information given.")
    for alert in alerts:
        severity = SEVERITY_WORDS.get(str(alert.get("severity", "")), str(alert.get("severity", "")))
        page.bullet(f"{severity}: {alert.get('text', '')}")
        page.sources(alert.get("sources") or (), "  ")

    questions = evaluation_questions(result)
    page.heading("Questions to ask your clinical team")
    if not questions:
        page.para("No open questions came out of this summary; bring your own.")
    for question in questions:
        page.bullet(question)

    _closing(page, result)
    return page.text()


def render_triage_text(result: Mapping[str, Any]) -> str:
    """A plain-words report of a triage result (the dict `triage` returns)."""
    page = _Page()
    page.title("Weakness and back problems: what the answers suggest")
    if result.get("as_of"):
        page.para(f"Date: {result['as_of']}.")

    recommendation = str(result.get("recommendation", ""))
    numbers = list(result.get("emergency_numbers") or ())
    emergency = recommendation == "seek_emergency_care"
    if emergency:
        # First and once: what to do now and the number to call; the explanations follow.
        page.heading(RECOMMENDATION_WORDS[recommendation].rstrip(".").upper())
        if len(numbers) == 1:
            page.para(str(numbers[0].get("text", "")))
        elif numbers:
            page.para("Call the emergency number of the country you are in:")
            for item in numbers:
                page.bullet(str(item.get("text", "")))
        page.sources([source for item in numbers for source in item.get("sources") or ()])

    page.heading("What the answers suggest")
    pattern = str(result.get("pattern", ""))
    page.para(PATTERN_WORDS.get(pattern, pattern))
    _reasons(page, result.get("reasons") or ())

    page.heading("What to do")
    if not emergency:
        page.para(RECOMMENDATION_WORDS.get(recommendation, recommendation))
    urgency = str(result.get("urgency", ""))
    page.para("How urgent: " + TRIAGE_URGENCY_WORDS.get(urgency, urgency))

    steps = [str(step) for step in result.get("next_steps") or ()]
    if steps:
        page.heading("Next steps")
        for step in steps:
            page.bullet(step)

    page.heading("Questions to ask the doctor")
    questions = list(dict.fromkeys(steps))
    questions.append("What else could explain these symptoms, and which tests would tell them apart?")
    for question in questions:
        page.bullet(question)

    _closing(page, result)
    return page.text()


def _closing(page: _Page, result: Mapping[str, Any]) -> None:
    found: dict[str, None] = {}
    _all_sources(result, found)
    page.heading("Sources and version")
    page.para(
        "Sources cited above (full references: `smanav knowledge`): "
        + (", ".join(found) if found else "none")
        + "."
    )
    if result.get("knowledge_version"):
        reviewed = result.get("knowledge_reviewed_on")
        when = f", last reviewed on {reviewed}" if reviewed else ""
        page.para(f"Knowledge version: {result['knowledge_version']}{when}.")
    page.heading("Please read")
    page.para(str(result.get("disclaimer", "")))
