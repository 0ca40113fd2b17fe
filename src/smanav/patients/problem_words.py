"""The core's validation problems in the words of the form a person filled in.

The core names each problem by its field path and in the contract's terms (`assessments[3].value: must
be above 0 to 300 for weight_kg (got -3)`); that is right for the API and the command line, and wrong on a
page a family reads. Here each problem becomes one sentence that names the field as the form labels it
and says what to do, after the GOV.UK Design System's error messages ("Weight must be more than 0 kg").
No path, code or value in the contract's notation reaches the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smanav.vocabulary import INSTRUMENT_LABELS, THERAPY_LABELS, label
from smanav_core.codes import Instrument

_GOT = re.compile(r" \(got .*\)$", re.DOTALL)
_INDEX = re.compile(r"\[\d+\]")
_PARENTHESIS = re.compile(r"\s*\([^)]*\)\s*$")

# The unit each measure is entered in, as a sentence writes it after a number.
_UNITS: dict[Instrument, Callable[[], str]] = {
    Instrument.WEIGHT_KG: lambda: _("kg"),
    Instrument.HEIGHT_CM: lambda: _("cm"),
    Instrument.COBB_DEG: lambda: _("degrees"),
    Instrument.SIX_MWT_M: lambda: _("metres"),
    Instrument.FVC_PERCENT_PREDICTED: lambda: "%",
    Instrument.MFM32_PERCENT: lambda: "%",
    Instrument.PEAK_COUGH_FLOW_L_MIN: lambda: _("L/min"),
}

# What a field of the record is called where no form on the page shows it (the record page's notice,
# a form that changes another part of the record). Keys are paths without list positions.
_RECORD_NAMES = {
    "birth_date": gettext_lazy("Date of birth"),
    "region": gettext_lazy("Region"),
    "sex": gettext_lazy("Sex"),
    "weight_kg": gettext_lazy("Current weight"),
    "gestational_age_weeks": gettext_lazy("Weeks of pregnancy at birth"),
    "genetics.smn1_copies": gettext_lazy("SMN1 copies"),
    "genetics.smn2_copies": gettext_lazy("SMN2 copies"),
    "genetics.smn2_modifiers": gettext_lazy("SMN2 modifier variants"),
    "genetics.smn1_intragenic_variant": gettext_lazy("SMN1 variant on the remaining copy"),
    "labs.date": gettext_lazy("Date of the blood tests"),
    "assessments.date": gettext_lazy("The date of a measurement"),
    "assessments.value": gettext_lazy("A measurement"),
    "treatments.start_date": gettext_lazy("The start date of a treatment"),
    "treatments.end_date": gettext_lazy("The end date of a treatment"),
    "treatments.regimen": gettext_lazy("The regimen of a treatment"),
    "treatments.doses.date": gettext_lazy("The date of a dose"),
    "lab_tests.date": gettext_lazy("The date of a safety test"),
}


def unit_of(code: str) -> str:
    """The unit a measure is entered in ("kg", "%"), or "" for a score."""
    instrument = _instrument(code)
    return "" if instrument is None or instrument not in _UNITS else _UNITS[instrument]()


def subject_of_label(field_label: object) -> str:
    """A form label as the subject of a sentence: "Current weight (kg)" -> "Current weight"."""
    text = _PARENTHESIS.sub("", str(field_label)).strip()
    return text or str(field_label)


def record_subject(path: str) -> str:
    """The name of a field of the record that no form on the page shows."""
    generic = _INDEX.sub("", path)
    name = _RECORD_NAMES.get(generic)
    if name is not None:
        return str(name)
    # A part of the record named by its last word, in words ("smn2_copies" -> "smn2 copies").
    return generic.rsplit(".", 1)[-1].replace("_", " ").capitalize()


def _instrument(code: str) -> Instrument | None:
    try:
        return Instrument(code)
    except ValueError:
        return None


def _lower_first(text: str) -> str:
    # "Date of birth" -> "date of birth", but "SMN2 copies" stays as it is.
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _range(subject: str, message: str) -> str | None:
    found = re.fullmatch(r"must be (above|from) (\S+) to (\S+) for (\w+)", message)
    if found is None:
        return None
    kind, low, high, code = found.groups()
    instrument = _instrument(code)
    unit = unit_of(code)
    if instrument is not None:
        subject = subject_of_label(label(INSTRUMENT_LABELS, instrument))
    spaced = "" if unit in ("", "%") else " "
    low_text, high_text = f"{low}{spaced}{unit}", f"{high}{spaced}{unit}"
    if kind == "above":
        return _("%(subject)s must be more than %(low)s and no more than %(high)s") % {
            "subject": subject,
            "low": low_text,
            "high": high_text,
        }
    return _("%(subject)s must be from %(low)s to %(high)s") % {
        "subject": subject,
        "low": low_text,
        "high": high_text,
    }


def _bounds(subject: str, message: str) -> str | None:
    words = {
        "greater than or equal to": _("%(subject)s must be %(number)s or more"),
        "less than or equal to": _("%(subject)s must be %(number)s or less"),
        "greater than": _("%(subject)s must be more than %(number)s"),
        "less than": _("%(subject)s must be less than %(number)s"),
    }
    for phrase, sentence in words.items():
        found = re.search(rf"{phrase} (-?[\d.]+)", message)
        if found is not None:
            return sentence % {"subject": subject, "number": found.group(1)}
    return None


def _expectation(subject: str, message: str) -> str | None:
    """The core's description of a valid value (`errors.EXPECTATIONS`), said to the person."""
    patterns: list[tuple[str, Callable[[re.Match[str]], str]]] = [
        (
            r"must be a whole number from (\d+) to (\d+)(, or null)?",
            lambda m: (
                _("%(subject)s must be a whole number from %(low)s to %(high)s")
                % {"subject": subject, "low": m.group(1), "high": m.group(2)}
            ),
        ),
        (
            r"must be a number of kilograms above (\S+) and below (\S+)",
            lambda m: (
                _("%(subject)s must be more than %(low)s kg and less than %(high)s kg")
                % {"subject": subject, "low": m.group(1), "high": m.group(2)}
            ),
        ),
        (
            r"must be a number of (weeks|degrees|years) from (\S+) to (\S+?)(, or null)?",
            lambda m: (
                _("%(subject)s must be from %(low)s to %(high)s %(unit)s")
                % {
                    "subject": subject,
                    "low": m.group(2),
                    "high": m.group(3),
                    "unit": {"weeks": _("weeks"), "degrees": _("degrees"), "years": _("years")}[m.group(1)],
                }
            ),
        ),
        (
            r"must be a number of months of 0 or more(, or null)?",
            lambda m: _("%(subject)s must be 0 months or more") % {"subject": subject},
        ),
        (
            r"must be a (reciprocal titre|ratio to the upper limit of normal|platelet count).* 0 or more.*",
            lambda m: _("%(subject)s must be 0 or more") % {"subject": subject},
        ),
        (
            r"must be a variant description \(text up to (\d+) characters\)(, or null)?",
            lambda m: (
                _("%(subject)s must be %(count)s characters or fewer")
                % {"subject": subject, "count": m.group(1)}
            ),
        ),
        (
            r"must be a list of up to (\d+) variant descriptions",
            lambda m: (
                _("%(subject)s can name up to %(count)s variants") % {"subject": subject, "count": m.group(1)}
            ),
        ),
    ]
    for pattern, sentence in patterns:
        found = re.fullmatch(pattern, message)
        if found is not None:
            return sentence(found)
    return None


def plain_problem(message: str, *, subject: str, record_name: str = "") -> str:
    """One problem of the core as a sentence about `subject` (the field as the person knows it)."""
    text = _GOT.sub("", message).strip()
    typed_text = message[len(text) :].startswith(' (got "')
    if typed_text and "whole number" in text:
        text = "must be a whole number"
    elif typed_text and "number" in text:
        text = "must be a number"
    elif text.startswith("must be a finite number"):
        # NaN or infinity typed into a number field: to the person, simply not a number.
        text = "must be a number"
    fixed: Mapping[str, str] = {
        "is required": _("Enter %(subject)s") % {"subject": _lower_first(subject)},
        "must be a real calendar date (YYYY-MM-DD)": _(
            "%(subject)s must be a real date, for example 27 3 2024"
        )
        % {"subject": subject},
        "must be a date written YYYY-MM-DD": _("%(subject)s must be a real date, for example 27 3 2024")
        % {"subject": subject},
        "must not be before birth_date": _("%(subject)s must be on or after the date of birth")
        % {"subject": subject},
        "must not be before the treatment's start_date": _(
            "%(subject)s must be on or after the day the treatment started"
        )
        % {"subject": subject},
        "must not be after the treatment's end_date": _(
            "%(subject)s must be on or before the day the treatment ended"
        )
        % {"subject": subject},
        "must be a whole number": _("%(subject)s must be a whole number, like 3") % {"subject": subject},
        "must be a number": _("%(subject)s must be a number, like 12.5") % {"subject": subject},
        "must be true or false": _("Select yes, no or not known for %(subject)s")
        % {"subject": _lower_first(subject)},
        "must be text": _("%(subject)s must be text") % {"subject": subject},
        "has the wrong length": _("%(subject)s is too long") % {"subject": subject},
    }
    if text in fixed:
        return fixed[text]
    if text.startswith("must not be after the evaluation date"):
        return _("%(subject)s must be today or in the past") % {"subject": subject}
    if text.startswith("no region given"):
        name = record_name or _("this person")
        return _(
            "Choose the region whose treatment approvals apply to %(name)s (“Treatments approved in”), "
            "or add it to the record's details, to see the evaluation"
        ) % {"name": name}
    if text.startswith("must be one of"):
        return _("Select %(subject)s from the list") % {"subject": _lower_first(subject)}
    regimen = re.fullmatch(r"is a regimen of (\w+), not of (\w+)", text)
    if regimen is not None:
        return _("%(subject)s must be a regimen of %(therapy)s") % {
            "subject": subject,
            "therapy": label(THERAPY_LABELS, regimen.group(2)),
        }
    for reading in (_range, _expectation, _bounds):
        sentence = reading(subject, text)
        if sentence is not None:
            return sentence
    return _("%(subject)s is not valid: check what you entered") % {"subject": subject}


def record_problems(problems: list[tuple[str, str]], *, name: str) -> list[str]:
    """The problems of a stored record, for the record page (no form shows these fields there)."""
    return [
        plain_problem(message, subject=record_subject(path), record_name=name) for path, message in problems
    ]
