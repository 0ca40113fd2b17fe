"""Turn what a client sent (raw bytes, a query string date) into the core's input, or `InvalidInput`.

The API and the web pages read documents through these functions, so a bad upload, a bad request body
and a bad CLI file are described in the same words: `record: not valid JSON: ... at line 3 column 5`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from typing import Any

from smanav_core import InvalidInput
from smanav_core.errors import got


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


# Limits of a JSON document (ADR 0015): the size of Django's own limit on a request body
# (DATA_UPLOAD_MAX_MEMORY_SIZE), so an uploaded file and a command-line file are held to it too; and a
# depth far above the contract's (a record nests 4 deep).
MAX_JSON_BYTES = 2_621_440
MAX_JSON_DEPTH = 20

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _depth(text: str) -> int:
    """How deep the arrays and objects of `text` nest, ignoring brackets inside strings (measured before
    parsing: Python's parser recurses, so a deep enough document would exhaust the stack)."""
    steps = (_DEPTH_STEP[mark] for mark in _BRACKET.findall(_STRING.sub("", text)))
    return max(itertools.accumulate(steps, initial=0))


def _lone_surrogate_at(value: Any, path: str) -> str | None:
    """The path of the first text (key or value) holding half of a UTF-16 pair, which no UTF-8 text
    can carry (`"\\ud800"` is valid JSON, but not a character)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path
        return None
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _lone_surrogate_at(item, f"{path}[{index}]")
            if found is not None:
                return found
    if isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else key
            if _lone_surrogate_at(key, path) is not None:
                return path
            found = _lone_surrogate_at(item, child)
            if found is not None:
                return found
    return None


def json_document(data: bytes | str, what: str) -> Any:
    """The JSON document in `data`; `what` (`record`, `answers`) names it in the problem."""
    if len(data) > MAX_JSON_BYTES:
        raise InvalidInput([(what, f"is too large: at most {MAX_JSON_BYTES:,} bytes")])
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput([(what, "not valid JSON: the text is not UTF-8")]) from None
    if _depth(data) > MAX_JSON_DEPTH:
        raise InvalidInput(
            [(what, f"nests too deeply: at most {MAX_JSON_DEPTH} levels of lists and objects")]
        )
    try:
        document = json.loads(data, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            [(what, f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}")]
        ) from None
    except ValueError as error:
        raise InvalidInput([(what, f"not valid JSON: {error}")]) from None
    surrogate = _lone_surrogate_at(document, "")
    if surrogate is not None:
        raise InvalidInput(
            [(surrogate or what, "holds an invalid character (half of a UTF-16 surrogate pair)")]
        )
    return document


def as_of_date(value: str | None, *, today: dt.date) -> dt.date:
    """The evaluation date from `YYYY-MM-DD`; `today` (the caller reads the clock) when not given."""
    if value is None or value == "":
        return today
    try:
        if len(value) != 10:
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            [("as_of", "must be a real calendar date written YYYY-MM-DD" + got(value))]
        ) from None
