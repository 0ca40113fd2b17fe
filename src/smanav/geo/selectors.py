"""Reads of the geography tables: turn what a person typed into coordinates, or into suggestions."""

from __future__ import annotations

from dataclasses import dataclass

from smanav.geo.models import Place, PostalCode
from smanav.geo.names import looks_like_postal_code, name_key, postal_key

MAX_SUGGESTIONS = 8


@dataclass(frozen=True, slots=True)
class Location:
    label: str
    country_code: str
    latitude: float
    longitude: float
    kind: str  # "postal_code" | "place" | "coordinates"


@dataclass(frozen=True, slots=True)
class Unresolved:
    query: str
    suggestions: tuple[str, ...]


def _postal(text: str, country: str | None) -> Location | None:
    rows = PostalCode.objects.filter(key=postal_key(text))
    if country:
        rows = rows.filter(country_code=country)
    found = list(rows.order_by("country_code", "id")[:50])
    countries = {row.country_code for row in found}
    if len(countries) > 1:
        # The same code exists in several countries (10001 is New York and Cáceres): ask, do not guess.
        return None
    first = found[0] if found else None
    if first is None:
        # Outward codes only for some countries (GB "SW1A 1AA" is stored as "SW1A").
        parts = text.split()
        if len(parts) == 2:
            return _postal(parts[0], country)
        return None
    label = f"{first.code} {first.place_name}".strip() + f", {first.country_code}"
    return Location(label, first.country_code, first.latitude, first.longitude, "postal_code")


def _split_qualifier(text: str, country: str | None) -> tuple[str, str | None, str | None]:
    """ "Springfield, IL" -> ("Springfield", None, "IL"); "Paris, FR" -> ("Paris", "FR", None);
    "Springfield, IL, US" (the form of our own suggestions) -> ("Springfield", "US", "IL")."""
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


def _place(text: str, country: str | None) -> Location | None:
    name, country, admin1 = _split_qualifier(text, country)
    rows = Place.objects.filter(key=name_key(name))
    if country:
        rows = rows.filter(country_code=country)
    if admin1:
        rows = rows.filter(admin1=admin1)
    # The biggest place of that name is what most people mean; the main name beats an alias.
    best = rows.order_by("alias", "-population", "geonameid").first()
    if best is None:
        return None
    region = f", {best.admin1}" if best.country_code == "US" and best.admin1 else ""
    return Location(
        f"{best.name}{region}, {best.country_code}", best.country_code, best.latitude, best.longitude, "place"
    )


def suggestions(text: str, country: str | None = None) -> tuple[str, ...]:
    """Places whose name starts like the query (biggest first), then postal codes that start like it."""
    name = text.rsplit(",", 1)[0] if "," in text else text
    key = name_key(name)
    found: list[str] = []
    if key:
        prefix = key[:3] if len(key) > 3 else key
        rows = Place.objects.filter(key__gte=prefix, key__lt=prefix + "\uffff", alias=False)
        if country:
            rows = rows.filter(country_code=country)
        for place_name, code, admin1 in rows.order_by("-population").values_list(
            "name", "country_code", "admin1"
        )[: MAX_SUGGESTIONS * 3]:
            region = f", {admin1}" if code == "US" and admin1 else ""
            label = f"{place_name}{region}, {code}"
            if label not in found:
                found.append(label)
    pkey = postal_key(text)
    if looks_like_postal_code(text) and pkey:
        exact = PostalCode.objects.filter(key=pkey)
        if country:
            exact = exact.filter(country_code=country)
        for code, place_name, cc in exact.order_by("country_code").values_list(
            "code", "place_name", "country_code"
        )[:MAX_SUGGESTIONS]:
            label = f"{code} {place_name}, {cc}"
            if label not in found:
                found.insert(0, label)
        rows_p = PostalCode.objects.filter(key__gte=pkey[:3], key__lt=pkey[:3] + "\uffff")
        if country:
            rows_p = rows_p.filter(country_code=country)
        for code, place_name, cc in rows_p.order_by("key").values_list("code", "place_name", "country_code")[
            :MAX_SUGGESTIONS
        ]:
            found.append(f"{code} {place_name}, {cc}")
    return tuple(found[:MAX_SUGGESTIONS])


def _coordinates(text: str) -> Location | None:
    parts = text.replace(";", ",").split(",")
    if len(parts) != 2:
        return None
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    if -90 <= lat <= 90 and -180 <= lon <= 180:
        return Location(f"{lat:.4f}, {lon:.4f}", "", lat, lon, "coordinates")
    return None


def locate(text: str, country: str | None = None) -> Location | Unresolved:
    """Resolve a postal code, "place", "place, region", "place, country code" or "lat, lon"."""
    text = " ".join(text.split())
    country = country.upper() if country else None
    if not text:
        return Unresolved(text, ())
    found = _coordinates(text)
    if found is None and looks_like_postal_code(text):
        found = _postal(text, country)
    if found is None:
        found = _place(text, country)
    if found is None:
        return Unresolved(text, suggestions(text, country))
    return found
