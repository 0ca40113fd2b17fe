"""Support lines by region, shown to a member whose words mention self-harm.

The lines are facts kept in `data/support_lines.toml`, each with the organisation's own page, where the
number was confirmed and the day it was checked; the loader refuses a line without them. Which region a
member is in is not stored (the community keeps no address): it is read from the region the member
chooses on the page, else from the browser's preferred languages ("en-GB" is GB), else unknown, and
then the fallback says to call the local emergency number.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "support_lines.toml"

# Another name people use for a region's code.
_ALIASES = {"UK": "GB"}


@dataclass(frozen=True, slots=True)
class SupportLine:
    region: str
    region_name: str
    name: str
    call: str
    hours: str
    source: str
    checked_on: dt.date
    other_call: str = ""
    text_message: str = ""
    confirmed_by: str = ""

    @property
    def call_href(self) -> str:
        return "tel:" + "".join(ch for ch in self.call if ch.isdigit() or ch == "+")


@dataclass(frozen=True, slots=True)
class SupportLines:
    lines: tuple[SupportLine, ...]
    fallback: str

    def for_region(self, region: str) -> SupportLine | None:
        code = _ALIASES.get(region.upper(), region.upper())
        return next((line for line in self.lines if line.region == code), None)


class SupportLinesError(ValueError):
    """The data file is missing a fact: a line without its source or checked-on date is never shown."""


def parse(data: dict[str, object]) -> SupportLines:
    fallback = data.get("fallback")
    if not isinstance(fallback, dict) or not str(fallback.get("text", "")).strip():
        raise SupportLinesError("the fallback text is missing")
    raw_lines = data.get("line")
    if not isinstance(raw_lines, list) or not raw_lines:
        raise SupportLinesError("no support lines")
    lines = []
    for raw in raw_lines:
        for field in ("region", "region_name", "name", "call", "hours", "source", "checked_on"):
            if not raw.get(field):
                raise SupportLinesError(f"a support line has no {field}: {raw.get('name', raw)}")
        if not str(raw["source"]).startswith("https://"):
            raise SupportLinesError(f"the source of {raw['name']} is not an https address")
        if not isinstance(raw["checked_on"], dt.date):
            raise SupportLinesError(f"the checked-on date of {raw['name']} is not a date")
        lines.append(SupportLine(**raw))
    regions = [line.region for line in lines]
    if len(set(regions)) != len(regions):
        raise SupportLinesError("a region has more than one line")
    return SupportLines(lines=tuple(lines), fallback=str(fallback["text"]).strip())


@cache
def support_lines() -> SupportLines:
    with DATA_FILE.open("rb") as handle:
        return parse(tomllib.load(handle))


def region_from_languages(accept_language: str) -> str:
    """The first region named in an Accept-Language header ("en-GB,en;q=0.8" gives "GB"), or ""."""
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip()
        pieces = tag.replace("_", "-").split("-")
        if len(pieces) >= 2 and len(pieces[1]) == 2 and pieces[1].isalpha():
            return pieces[1].upper()
    return ""
