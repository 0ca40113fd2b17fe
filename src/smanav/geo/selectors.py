"""Reads of the geography tables: turn what a person typed into coordinates, or into choices.

A postal code or a name that several places share is a question, not a guess:

* with `prefer`, the reader's own country (`smanav.user_locale`), a postal code or a name found there
  wins ("02115" is Boston for a reader in the United States, not a village in Peru); the places passed
  over stay in `alternatives`, so a page can say "not the place you meant?";
* otherwise a postal code found in several countries, or a name shared by places of comparable size
  (the second has at least a fifth of the people of the biggest: Springfield, Missouri and Springfield,
  Massachusetts), answers `Unresolved(ambiguous=True)` with the places to choose from. A name whose
  biggest place dwarfs the others ("London", "Boston") is the biggest, with the others as alternatives.

Each choice carries the text that finds exactly that place again (`near`: "Springfield, MA, US",
"02115, US") and its name in words for a person (`name`: "Springfield, Massachusetts, United States").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Min

from smanav.geo.labels import place_name, postal_name
from smanav.geo.models import Place, PostalCode
from smanav.geo.names import looks_like_postal_code, name_key, postal_key

MAX_SUGGESTIONS = 8
# A name is ambiguous when a second place of that name has at least this share of the biggest one's people.
COMPARABLE_POPULATION_SHARE = 0.2
# Rows read for one name: every "Springfield" of the world is about twenty.
PLACE_ROWS = 200


@dataclass(frozen=True, slots=True)
class Choice:
    """One place a text may mean: `near` finds exactly this place again, `name` is for a person."""

    near: str
    name: str
    country_code: str


@dataclass(frozen=True, slots=True)
class Location:
    label: str
    country_code: str
    latitude: float
    longitude: float
    kind: str  # "postal_code" | "place" | "coordinates"
    name: str = ""  # the label in words: "Boston, Massachusetts, United States"
    # Other places the text could mean, biggest first (the same postal code in other countries, other
    # towns of the same name).
    alternatives: tuple[Choice, ...] = ()
    # True when the text was also found elsewhere and the preferred country decided.
    preferred: bool = False

    @property
    def display_name(self) -> str:
        return self.name or self.label


@dataclass(frozen=True, slots=True)
class Unresolved:
    query: str
    suggestions: tuple[str, ...]  # what to search for instead: each choice's `near`
    choices: tuple[Choice, ...] = ()
    # True when the text names several places (ask which); False when it names none (a typo?).
    ambiguous: bool = False


def _unresolved(query: str, choices: list[Choice], *, ambiguous: bool) -> Unresolved:
    unique = list({choice.near: choice for choice in choices}.values())[:MAX_SUGGESTIONS]
    return Unresolved(query, tuple(c.near for c in unique), tuple(unique), ambiguous)


def _preferred_first(choices: list[Choice], prefer: str | None) -> list[Choice]:
    return sorted(choices, key=lambda choice: choice.country_code != prefer) if prefer else choices


# --- postal codes ----------------------------------------------------------------------------------------


class _PostalRow(NamedTuple):
    code: str
    place_name: str
    admin1: str
    country_code: str
    latitude: float
    longitude: float


def _postal_choice(row: _PostalRow) -> Choice:
    return Choice(
        f"{row.code}, {row.country_code}",
        postal_name(row.code, row.place_name, row.country_code, row.admin1),
        row.country_code,
    )


def _postal_rows(text: str, country: str | None) -> list[_PostalRow]:
    """The first row of the code in each country that has it (two queries whatever their number)."""
    rows = PostalCode.objects.filter(key=postal_key(text))
    if country:
        rows = rows.filter(country_code=country)
    first_ids = [item["first"] for item in rows.values("country_code").annotate(first=Min("id"))]
    if not first_ids:
        return []
    fields = ("code", "place_name", "admin1", "country_code", "latitude", "longitude")
    found = PostalCode.objects.filter(id__in=first_ids).order_by("country_code").values_list(*fields)
    return [_PostalRow(*row) for row in found]


def _split_country(text: str, country: str | None) -> tuple[str, str | None]:
    """ "02115, US" (the form of our own choices) -> ("02115", "US")."""
    head, comma, tail = text.rpartition(",")
    tail = tail.strip().upper()
    if comma and len(tail) == 2 and tail.isalpha() and country in (None, tail):
        return head.strip(), tail
    return text, country


def _postal(text: str, country: str | None, prefer: str | None) -> Location | Unresolved | None:
    code_text, country = _split_country(text, country)
    found = _postal_rows(code_text, country)
    parts = code_text.split()
    if not found and len(parts) >= 2:
        # GB codes are stored by their outward half ("SW1A 1AA" -> "SW1A"); older links of ours wrote
        # the code with its place ("10001 New York, US").
        found = _postal_rows(parts[0], country)
    if not found:
        return None
    by_country = {row.country_code: row for row in found}
    if len(by_country) > 1 and prefer not in by_country:
        # The same code exists in several countries (10001 is New York and Cáceres): ask, do not guess.
        return _unresolved(text, [_postal_choice(row) for row in found], ambiguous=True)
    chosen = by_country[prefer] if prefer in by_country else found[0]
    others = tuple(_postal_choice(row) for row in found if row is not chosen)
    return Location(
        f"{chosen.code} {chosen.place_name}".strip() + f", {chosen.country_code}",
        chosen.country_code,
        chosen.latitude,
        chosen.longitude,
        "postal_code",
        name=_postal_choice(chosen).name,
        alternatives=others[:MAX_SUGGESTIONS],
        preferred=bool(others),
    )


# --- place names -----------------------------------------------------------------------------------------


class _PlaceRow(NamedTuple):
    geonameid: int
    name: str
    country_code: str
    admin1: str
    latitude: float
    longitude: float
    population: int
    alias: bool


def _place_choice(row: _PlaceRow) -> Choice:
    near = ", ".join(part for part in (row.name, row.admin1, row.country_code) if part)
    return Choice(near, place_name(row.name, row.country_code, row.admin1), row.country_code)


def _place_label(row: _PlaceRow) -> str:
    region = f", {row.admin1}" if row.country_code == "US" and row.admin1 else ""
    return f"{row.name}{region}, {row.country_code}"


def _split_qualifier(text: str, country: str | None) -> tuple[str, str | None, str | None]:
    """ "Springfield, IL" -> ("Springfield", None, "IL"); "Paris, FR" -> ("Paris", "FR", None);
    "Springfield, IL, US" (the form of our own choices) -> ("Springfield", "US", "IL")."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if len(parts) < 2:
        return text, country, None
    last = parts[-1].upper()
    if (
        len(last) == 2
        and last.isalpha()
        and (country in (None, last))
        and Place.objects.filter(country_code=last).exists()
    ):
        country, parts = last, parts[:-1]
    if len(parts) >= 2:
        return ", ".join(parts[:-1]), country, parts[-1].upper()
    return parts[0], country, None


def _comparable(first: _PlaceRow, second: _PlaceRow) -> bool:
    return second.population >= COMPARABLE_POPULATION_SHARE * first.population


def _place(text: str, country: str | None, prefer: str | None) -> Location | Unresolved | None:
    name, country, admin1 = _split_qualifier(text, country)
    rows = Place.objects.filter(key=name_key(name))
    if country:
        rows = rows.filter(country_code=country)
    if admin1:
        rows = rows.filter(admin1=admin1)
    fields = ("geonameid", "name", "country_code", "admin1", "latitude", "longitude", "population", "alias")
    found = [
        _PlaceRow(*row)
        for row in rows.order_by("alias", "-population", "geonameid").values_list(*fields)[:PLACE_ROWS]
    ]
    # A place's main name beats another place's alternate name ("Lisboa" is Lisbon's; a village may be
    # called so too).
    candidates = [row for row in found if not row.alias] or found
    if not candidates:
        return None
    mine = [row for row in candidates if row.country_code == prefer] if prefer else []
    preferred = bool(mine) and len(mine) < len(candidates)
    pool = mine or candidates
    if admin1 is None and len(pool) > 1 and _comparable(pool[0], pool[1]):
        return _unresolved(text, [_place_choice(row) for row in pool], ambiguous=True)
    best = pool[0]
    others = [_place_choice(row) for row in candidates if row.geonameid != best.geonameid]
    return Location(
        _place_label(best),
        best.country_code,
        best.latitude,
        best.longitude,
        "place",
        name=place_name(best.name, best.country_code, best.admin1),
        alternatives=tuple(_preferred_first(others, prefer)[:MAX_SUGGESTIONS]),
        preferred=preferred,
    )


def suggestions(text: str, country: str | None = None, prefer: str | None = None) -> tuple[Choice, ...]:
    """Places whose name starts like the query (biggest first), then postal codes that start like it;
    the preferred country's first."""
    name = text.rsplit(",", 1)[0] if "," in text else text
    key = name_key(name)
    found: list[Choice] = []
    if key:
        prefix = key[:3] if len(key) > 3 else key
        rows = Place.objects.filter(key__gte=prefix, key__lt=prefix + "\uffff", alias=False)
        if country:
            rows = rows.filter(country_code=country)
        fields = (
            "geonameid",
            "name",
            "country_code",
            "admin1",
            "latitude",
            "longitude",
            "population",
            "alias",
        )
        for row in rows.order_by("-population").values_list(*fields)[: MAX_SUGGESTIONS * 3]:
            found.append(_place_choice(_PlaceRow(*row)))
    pkey = postal_key(text)
    if looks_like_postal_code(text) and pkey:
        rows_p = PostalCode.objects.filter(key__gte=pkey[:3], key__lt=pkey[:3] + "\uffff")
        if country:
            rows_p = rows_p.filter(country_code=country)
        postal_fields = ("code", "place_name", "admin1", "country_code", "latitude", "longitude")
        for row in rows_p.order_by("key").values_list(*postal_fields)[:MAX_SUGGESTIONS]:
            found.append(_postal_choice(_PostalRow(*row)))
    unique = list({choice.near: choice for choice in found}.values())
    return tuple(_preferred_first(unique, prefer)[:MAX_SUGGESTIONS])


def _coordinates(text: str) -> Location | None:
    parts = text.replace(";", ",").split(",")
    if len(parts) != 2:
        return None
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    if -90 <= lat <= 90 and -180 <= lon <= 180:
        label = f"{lat:.4f}, {lon:.4f}"
        return Location(label, "", lat, lon, "coordinates", name=label)
    return None


def locate(text: str, country: str | None = None, *, prefer: str | None = None) -> Location | Unresolved:
    """Resolve a postal code, "place", "place, region", "place, country code" or "lat, lon".

    `country` restricts the search to one country; `prefer` (ignored when `country` is given) only puts
    that country first, as the module docstring says.
    """
    text = " ".join(text.split())
    country = country.upper() if country else None
    prefer = None if country or not prefer else prefer.upper()
    if not text:
        return Unresolved(text, ())
    found: Location | Unresolved | None = _coordinates(text)
    if found is None and looks_like_postal_code(text):
        found = _postal(text, country, prefer)
    if found is None:
        found = _place(text, country, prefer)
    if found is None:
        return _unresolved(text, list(suggestions(text, country, prefer)), ambiguous=False)
    return found
