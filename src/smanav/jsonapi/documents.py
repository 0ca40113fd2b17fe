"""Turn what a client sent (raw bytes, a query string date) into the core's input, or `InvalidInput`.

The API and the web pages read documents through these functions, so a bad upload, a bad request body
and a bad CLI file are described in the same words: `record: not valid JSON: ... at line 3 column 5`.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from smanav_core import InvalidInput
from smanav_core.errors import got


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def json_document(data: bytes | str, what: str) -> Any:
    """The JSON document in `data`; `what` (`record`, `answers`) names it in the problem."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput([(what, "not valid JSON: the text is not UTF-8")]) from None
    try:
        return json.loads(data, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            [(what, f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}")]
        ) from None
    except ValueError as error:
        raise InvalidInput([(what, f"not valid JSON: {error}")]) from None


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
