"""Invalid input: one exception, a list of `(field_path, message)` problems, one wording everywhere.

The CLI prints each problem as `field.path: what is wrong (got VALUE)`, the HTTP API answers
`{"errors": [{"field": ..., "message": ...}]}`; both come from `InvalidInput.problems`.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError


class InvalidInput(ValueError):
    """The input breaks the contract; `problems` lists every `(field_path, message)` found."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems: list[tuple[str, str]] = problems
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems))

    def lines(self) -> list[str]:
        return [f"{field}: {message}" for field, message in self.problems]


def shown(value: Any) -> str:
    """The offending value as the person typed it (JSON), shortened if very long."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):  # pragma: no cover - json.dumps with default=str accepts anything
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def got(value: Any) -> str:
    return f" (got {shown(value)})"


# What a valid value looks like, for fields whose rule is more than a plain type. Keys are field paths
# with list positions removed.
EXPECTATIONS: dict[str, str] = {
    "genetics.smn1_copies": "must be a whole number from 0 to 8, or null",
    "genetics.smn2_copies": "must be a whole number from 0 to 8, or null",
    "genetics.smn1_intragenic_variant": "must be a variant description (text up to 200 characters), or null",
    "genetics.smn2_modifiers": "must be a list of up to 20 variant descriptions",
    "clinical.symptom_onset_age_months": "must be a number of months of 0 or more, or null",
    "clinical.scoliosis_cobb_deg": "must be a number of degrees from 0 to 150, or null",
    "gestational_age_weeks": "must be a number of weeks from 22 to 44",
    "weight_kg": "must be a number of kilograms above 0 and below 300",
    "labs.anti_aav9_titer": "must be a reciprocal titre of 0 or more (25 means 1:25; 0 means negative)",
    "labs.alt_uln_ratio": "must be a ratio to the upper limit of normal, 0 or more",
    "labs.ast_uln_ratio": "must be a ratio to the upper limit of normal, 0 or more",
    "labs.total_bilirubin_uln_ratio": "must be a ratio to the upper limit of normal, 0 or more",
    "labs.platelets_10e9_per_l": "must be a platelet count (10^9 per litre) of 0 or more",
    "age_years": "must be a number of years from 0 to 120",
    "id": "must be text up to 200 characters",
    "treatments": "must be a list of at most 200 treatments",
    "assessments": "must be a list of at most 5000 assessments",
}

_TYPE_WORDS = {
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "bool_type": "must be true or false",
    "string_type": "must be text",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
}


def field_path(loc: tuple[str | int, ...]) -> str:
    """`("assessments", 3, "value")` -> `assessments[3].value`."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "record"


def _generic_path(loc: tuple[str | int, ...]) -> str:
    return ".".join(str(part) for part in loc if not isinstance(part, int))


def problems_from_validation_error(
    error: ValidationError, *, at: tuple[str | int, ...] = ()
) -> list[tuple[str, str]]:
    """The problems of a validation error; `at` is where the validated part sits in a whole document
    (`("assessments", 3)`), so that the paths and words are those of the whole document's validation."""
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()
    for item in error.errors(include_url=False):
        loc = at + tuple(item["loc"])
        # Union branches (`int | None`) repeat the error for each branch: keep the first per field.
        loc = tuple(part for part in loc if part not in ("int", "float", "none", "str"))
        path = field_path(loc)
        if path in seen:
            continue
        seen.add(path)
        problems.append((path, _message(item, loc)))
    return problems


def _message(item: Any, loc: tuple[str | int, ...]) -> str:
    kind = item["type"]
    value = item.get("input")
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field" + got(value)
    if kind == "finite_number":
        return "must be a finite number (not NaN or infinity)" + got(value)
    if kind == "enum":
        expected = item.get("ctx", {}).get("expected", "")
        return f"must be one of {expected}" + got(value)
    if kind == "value_error":
        reason = str(item.get("ctx", {}).get("error", ""))
        if "not_a_calendar_date" in reason:
            return "must be a real calendar date (YYYY-MM-DD)" + got(value)
        if "not_a_date" in reason:
            return "must be a date written YYYY-MM-DD" + got(value)
    expectation = EXPECTATIONS.get(_generic_path(loc))
    if expectation is not None:
        return expectation + got(value)
    if kind in ("too_long", "too_short") and isinstance(value, str):
        return "has the wrong length" + got(value)
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return "is out of range: " + str(item["msg"]).lower() + got(value)
    words = _TYPE_WORDS.get(kind, str(item["msg"]).lower())
    return words + got(value)
