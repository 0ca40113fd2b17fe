"""Template helpers for record pages: roles for the navigation, and plain-language labels for codes."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from smanav import vocabulary as labels
from smanav.accounts.roles import Role, role_of
from smanav.patients import changes, detail_changes, problem_words, units
from smanav_core import Evaluation
from smanav_core.evaluation import TherapyAssessment

register = template.Library()

_TABLES: dict[str, Mapping[Any, Any]] = {
    "region": labels.REGION_LABELS,
    "sex": labels.SEX_LABELS,
    "method": labels.METHOD_LABELS,
    "milestone": labels.MILESTONE_LABELS,
    "functional_group": labels.FUNCTIONAL_GROUP_LABELS,
    "ventilation": labels.VENTILATION_LABELS,
    "feeding": labels.FEEDING_LABELS,
    "instrument": labels.INSTRUMENT_LABELS,
    "therapy": labels.THERAPY_LABELS,
    "regimen": labels.REGIMEN_LABELS,
    "lab_test": labels.LAB_TEST_LABELS,
    "due_status": labels.DUE_STATUS_LABELS,
    "diagnosis": labels.DIAGNOSIS_LABELS,
    "urgency": labels.URGENCY_LABELS,
    "domain": labels.DOMAIN_LABELS,
    "alert": labels.ALERT_LABELS,
    "sma_type": labels.SMA_TYPE_LABELS,
}


@register.simple_tag(takes_context=True)
def user_role(context: Any) -> str:
    request = context.get("request")
    return role_of(request.user).value if request is not None else Role.ANONYMOUS.value


@register.filter
def label(code: Any, table: str) -> str:
    """`{{ evaluation.diagnosis.status|label:"diagnosis" }}`: the translated plain name of a contract code."""
    return labels.label(_TABLES[table], code)


@register.filter
def therapy_status(status: Any, region: Any = None) -> str:
    """`{{ therapy.status|therapy_status:evaluation.region }}`: the status in the words every page uses."""
    return labels.therapy_status_label(status, region)


@register.filter
def age_on(birth: Any, on: Any) -> str:
    """`{{ patient.birth_date|age_on:as_of }}`: an age in years, months and days."""
    return labels.age_label(birth, on)


@register.filter
def evaluation_age(result: Evaluation) -> str:
    """`{{ evaluation|evaluation_age }}`: the person's age on the evaluation's date, in words."""
    return labels.evaluation_age_label(result)


@register.filter
def therapy_name(entry: TherapyAssessment) -> str:
    """The plain name of a therapy in an evaluation: our translated label for the contract's therapies,
    the knowledge base's name for agents that are not approved anywhere yet."""
    if entry.therapy in labels.THERAPY_LABELS:
        return labels.label(labels.THERAPY_LABELS, entry.therapy)
    return entry.name or entry.therapy


@register.filter
def change_text(row: Any) -> str:
    """A version row's change in the reader's language (see `smanav.patients.changes`)."""
    return changes.change_text(row.change, row.change_values or {}, row.summary)


@register.filter
def measured(value: Any, instrument: str) -> str:
    """A measurement as pages write it: the value, and its equivalent in the reader's everyday units
    where these differ (`12.5 (27.6 lb)`, see `patients.units`)."""
    written = floatformat(value, "-1")
    local = units.local_equivalent(None if value is None else float(value), instrument)
    return f"{written} {local}" if local else written


@register.filter
def iso_date(value: Any) -> dt.date | None:
    """A stored ISO date text (`"2026-12-30"`) as a date, for the `date` filter; None if it is not one."""
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


@register.filter
def citation(key: Any) -> str:
    """`{{ key|citation }}`: a source as people cite it ("Schroth et al., 2025"), never its key."""
    return labels.source_citation(str(key))


@register.filter
def author_name(row: Any) -> str:
    """Who made a change, as people know them: their full name, else the name they sign in with."""
    author = getattr(row, "author", None)
    if author is not None:
        return str(author.get_full_name().strip() or author.get_username())
    return _("the system") if row.author_label == "system" else str(row.author_label)


@register.filter
def change_sentence(row: Any) -> str:
    """A version row as one sentence: what changed, and who changed it."""
    return _("%(change)s, by %(who)s.") % {"change": change_text(row), "who": author_name(row)}


@register.filter
def record_details(record: Any) -> list[tuple[str, str]]:
    """A kept record's own details as (field, value) pairs in words, for the version page."""
    if not isinstance(record, Mapping):
        return []
    pairs = [(_("Date of birth"), detail_changes.value_words("birth_date", record.get("birth_date")))]
    for path, value in detail_changes.flat_details(record):
        pairs.append((detail_changes.field_name(path), detail_changes.value_words(path, value)))
    return pairs


@register.filter
def record_entries(record: Any) -> list[str]:
    """A kept record's measurements, treatments and safety tests as sentences, for the version page."""
    if not isinstance(record, Mapping):
        return []
    return detail_changes.entry_sentences(record)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@register.filter
def first_sentence(text: Any) -> str:
    """The first sentence of the core's text (the rest is one click away, never dropped)."""
    return _SENTENCE_END.split(str(text), maxsplit=1)[0]


@register.filter
def after_first_sentence(text: Any) -> str:
    parts = _SENTENCE_END.split(str(text), maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


@register.filter
def short_label(text: Any) -> str:
    """A label without its parenthesis: "HFMSE (0–66)" -> "HFMSE"."""
    return problem_words.subject_of_label(text)


_ROW_NUMBER = re.compile(r" of (measurement|dose|safety test) \d+$")
_CHART = re.compile(r"^chart ([A-Z0-9_]+)$")


@register.filter
def plain_what(what: str) -> str:
    """What an audit event says was looked at, for the family's history page: the database's numbers of
    single measurements, doses and tests stay in the coordinator's log ("removal of measurement 12"
    reads "removal of a measurement"), and a chart is named by its measure ("chart WEIGHT_KG" reads
    "chart of Weight (kg)")."""
    chart = _CHART.match(what)
    if chart:
        return str(_("chart of %(measure)s")) % {"measure": labels.label(labels.INSTRUMENT_LABELS, chart[1])}
    return _ROW_NUMBER.sub(r" of a \1", what)
