"""Where the reader is: the country behind distances in miles or kilometres, the country a postal code is
looked up in first, the paper size of a PDF, and pounds and inches beside kilograms and centimetres.

How smanav knows it, in this order (see docs/languages.md, "Where the reader is"):

1. a signed-in family's records: when every record the account manages names the same region, that
   region (United Kingdom -> GB; for the European Union, the browser's country if it is a member state);
2. the browser's first language, when it names a country (`en-US` -> US, `en-GB` -> GB, `de-DE` -> DE);
3. otherwise it is not known: pages use kilometres and A4, and a postal code found in several countries
   offers a choice instead of picking one.

It never decides a clinical answer. Therapy rules use the record's region (or the region a person
chose), and the emergency number is the one of the region the person said they are in (the triage asks).
Date formats follow the browser alone (the reader's language), see `UserLocaleMiddleware`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from smanav_core.codes import Region


class LocaleSource(StrEnum):
    RECORD = "record"  # the region of the signed-in family's records
    BROWSER = "browser"  # the country named by the browser's first language
    UNKNOWN = "unknown"


class DistanceUnit(StrEnum):
    KM = "km"
    MI = "mi"


class PaperSize(StrEnum):
    A4 = "A4"
    LETTER = "letter"  # the CSS name of US Letter (8.5 x 11 in)


KM_PER_MILE = 1.609344  # exact by definition (international yard and pound agreement, 1959)

# Unicode CLDR, supplemental unitPreferenceData (version 45), length for "road" use: miles in GB and US,
# kilometres everywhere else (Sweden's Scandinavian mile aside, which nobody types into a search box).
MILES_COUNTRIES = frozenset({"GB", "US"})
# Unicode CLDR, supplemental measurementData (version 47), paperSize: US Letter in these territories,
# A4 everywhere else.
LETTER_COUNTRIES = frozenset(
    {"BZ", "CA", "CL", "CO", "CR", "GT", "MX", "NI", "PA", "PH", "PR", "SV", "US", "VE"}
)
# Countries whose own dates put the year first (the GNU C library's locale data, `d_fmt`: 2026年11月02日,
# 2026-11-02): they read the ISO order of Canadian English best; other countries outside the United
# States read day before month.
YEAR_FIRST_COUNTRIES = frozenset({"CN", "HU", "JP", "KR", "LT", "SE", "TW"})

# The contract's regions and the country each stands for; the European Union stands for its members.
REGION_COUNTRY: dict[Region, str] = {
    Region.US: "US",
    Region.UK: "GB",
    Region.CA: "CA",
    Region.JP: "JP",
    Region.AU: "AU",
}
EU_MEMBER_STATES = frozenset(
    {
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
        "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    }
)  # fmt: skip


def region_of_country(country: str | None) -> Region | None:
    if country is None:
        return None
    if country in EU_MEMBER_STATES:
        return Region.EU
    return next((region for region, code in REGION_COUNTRY.items() if code == country), None)


@dataclass(frozen=True, slots=True)
class UserLocale:
    """The reader's country (ISO 3166-1 alpha-2) and region when known, and how smanav knows them."""

    country: str | None
    region: Region | None
    source: LocaleSource

    @property
    def distance_unit(self) -> DistanceUnit:
        return DistanceUnit.MI if self.country in MILES_COUNTRIES else DistanceUnit.KM

    @property
    def paper(self) -> PaperSize:
        return PaperSize.LETTER if self.country in LETTER_COUNTRIES else PaperSize.A4

    @property
    def us_customary(self) -> bool:
        """Pounds and inches beside kilograms and centimetres (United States readers)."""
        return self.country == "US"


UNKNOWN = UserLocale(None, None, LocaleSource.UNKNOWN)


def browser_country(accept_language: str) -> str | None:
    """The country of the browser's most wanted language: "en-US,en;q=0.9" -> "US"; "en" -> None.

    Only the first choice counts: a second language is often one the person reads, not where they are.
    A numeric region ("es-419", Latin America) names no country.
    """
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if tag and tag != "*" and weight > 0:
            ranked.append((-weight, position, tag))
    if not ranked:
        return None
    subtags = min(ranked)[2].replace("_", "-").split("-")[1:]
    for subtag in subtags:
        if len(subtag) == 2 and subtag.isalpha():
            return subtag.upper()
        if len(subtag) == 3 and subtag.isdigit():
            return None
    return None


def combine(record_regions: set[str], country_from_browser: str | None) -> UserLocale:
    """The rule above, from the regions of the family's records and the browser's country."""
    regions = {Region(code) for code in record_regions if code in Region.__members__}
    if len(regions) == 1:
        region = regions.pop()
        if region_of_country(country_from_browser) is region:
            # The browser names a country of the record's region (Germany for a record in the EU).
            return UserLocale(country_from_browser, region, LocaleSource.RECORD)
        return UserLocale(REGION_COUNTRY.get(region), region, LocaleSource.RECORD)
    if country_from_browser:
        return UserLocale(country_from_browser, region_of_country(country_from_browser), LocaleSource.BROWSER)
    return UNKNOWN


# How the regions of a signed-in family's records are read. The records are the patients app's: it names
# its selector here when Django starts (`PatientsConfig.ready`), so that this leaf module imports no app.
_record_regions_of: Callable[[Any], set[str]] | None = None


def read_record_regions_with(reader: Callable[[Any], set[str]]) -> None:
    """Called once by the patients app: `reader(user)` answers the regions of the user's records."""
    global _record_regions_of
    _record_regions_of = reader


def _record_regions(request: HttpRequest) -> set[str]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or _record_regions_of is None:
        return set()
    return _record_regions_of(user)


def user_locale(request: HttpRequest) -> UserLocale:
    """The reader's locale, worked out once per request (one small query for a signed-in account)."""
    found: UserLocale | None = getattr(request, "_smanav_user_locale", None)
    if found is None:
        found = combine(_record_regions(request), browser_country(request.headers.get("Accept-Language", "")))
        request._smanav_user_locale = found  # type: ignore[attr-defined]
    return found


_current_request: ContextVar[HttpRequest | None] = ContextVar("smanav_current_request", default=None)


def current_user_locale() -> UserLocale | None:
    """The locale of the request being answered; None outside a request (commands, tests of functions)."""
    request = _current_request.get()
    return None if request is None else user_locale(request)


def date_language(language: str, country: str | None) -> str:
    """The English variant whose date formats a reader expects, for a browser Django answered in plain
    `en` (United States conventions): a reader in New Zealand or Germany reads "2 Nov 2026" and
    02/11/2026 as the 2nd of November, a reader in Japan the year first."""
    if language != "en" or country is None or country == "US":
        return language
    if country == "CA" or country in YEAR_FIRST_COUNTRIES:
        return "en-ca"
    return {"AU": "en-au", "IE": "en-ie"}.get(country, "en-gb")


class UserLocaleMiddleware:
    """Makes the request's locale reachable from template filters (`current_user_locale`), and picks
    the English variant of the browser's country when Django's language match fell back to `en`.

    Placed after LocaleMiddleware and AuthenticationMiddleware. Date formats use the browser only: the
    family's records are read lazily, by the pages that show units, distances or a PDF.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        language = translation.get_language() or "en"
        variant = date_language(language, browser_country(request.headers.get("Accept-Language", "")))
        if variant != language:
            translation.activate(variant)
            request.LANGUAGE_CODE = variant
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
