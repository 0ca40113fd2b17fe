"""Offline geography: keys, distances, bounding boxes, the streaming loaders and place look-up."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest

from smanav.geo.distance import bounding_box, haversine_km
from smanav.geo.loading import geo_load, iter_json_object_values
from smanav.geo.models import Place, PostalCode
from smanav.geo.names import name_key, postal_key
from smanav.geo.selectors import Location, Unresolved, locate


def test_name_and_postal_keys() -> None:
    assert name_key("São Paulo") == name_key("sao-paulo") == "sao paulo"
    assert name_key("München") == "munchen"
    assert postal_key("sw1a 1aa") == "SW1A1AA"
    assert postal_key("1011-AB") == "1011AB"


def test_haversine_known_distances() -> None:
    assert haversine_km(0, 0, 0, 0) == 0
    # A quarter of a meridian, and London to Paris (about 344 km between the city centres).
    assert haversine_km(0, 0, 90, 0) == pytest.approx(math.pi * 6371.0088 / 2, rel=1e-9)
    assert haversine_km(51.5074, -0.1278, 48.8566, 2.3522) == pytest.approx(343.5, abs=1.5)


@pytest.mark.parametrize(
    "lat,lon", [(42.36, -71.06), (64.1, -21.9), (-33.9, 151.2), (0.0, 179.9), (-0.5, -179.8)]
)
def test_bounding_box_contains_every_point_of_the_circle(lat: float, lon: float) -> None:
    rng = random.Random(f"{lat},{lon}")
    for radius in (1, 50, 500, 3000):
        box = bounding_box(lat, lon, radius)
        for _ in range(400):
            plat, plon = rng.uniform(-90, 90), rng.uniform(-180, 180)
            # Bring most samples near the centre so the edge of the circle is well tested.
            plat = lat + (plat - lat) * radius / 20000
            plon = ((lon + (plon - lon) * radius / 20000) + 540) % 360 - 180
            plat = max(-90.0, min(90.0, plat))
            if haversine_km(lat, lon, plat, plon) <= radius:
                assert box.min_lat <= plat <= box.max_lat
                assert any(west <= plon <= east for west, east in box.lon_ranges)


def test_streaming_json_object_reader_matches_json_load(tmp_path: Path) -> None:
    document = {
        str(i): {"geonameid": i, "name": f'Town {i} ,:{{}}"', "alternatenames": ["a", "b"]}
        for i in range(3000)
    }
    path = tmp_path / "cities.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert list(iter_json_object_values(path, chunk_size=1000)) == list(document.values())


@pytest.mark.django_db(transaction=True)
def test_geo_load_one_country_is_idempotent() -> None:
    report = geo_load(countries={"LU"})
    assert report is not None
    assert report.places > 0 and report.postal_codes > 0
    counts = (Place.objects.count(), PostalCode.objects.count())
    assert set(Place.objects.values_list("country_code", flat=True)) == {"LU"}
    again = geo_load(countries={"LU"})
    assert again is not None
    assert (Place.objects.count(), PostalCode.objects.count()) == counts
    assert geo_load(countries={"LU"}, if_empty=True) is None
    found = locate("Luxembourg", "LU")
    assert isinstance(found, Location) and found.country_code == "LU"


@pytest.fixture
def places(db: None) -> None:
    rows = [
        (4930956, "Boston", "US", "MA", 42.35843, -71.05977, 667137),
        (2655138, "Boston", "GB", "ENG", 52.97633, -0.02664, 41340),
        (4951788, "Springfield", "US", "MA", 42.10148, -72.58981, 153703),
        (4250542, "Springfield", "US", "IL", 39.80172, -89.64371, 116250),
        (2867714, "Munich", "DE", "02", 48.13743, 11.57549, 1260391),
    ]
    for gid, name, cc, admin1, lat, lon, population in rows:
        Place.objects.create(
            geonameid=gid,
            name=name,
            key=name_key(name),
            country_code=cc,
            admin1=admin1,
            latitude=lat,
            longitude=lon,
            population=population,
        )
    Place.objects.create(
        geonameid=2867714,
        name="Munich",
        key=name_key("München"),
        alias=True,
        country_code="DE",
        admin1="02",
        latitude=48.13743,
        longitude=11.57549,
        population=1260391,
    )
    for cc, code, place, lat, lon in [
        ("US", "02115", "Boston", 42.3429, -71.0907),
        ("US", "10001", "New York", 40.7484, -73.9967),
        ("ES", "10001", "Caceres", 39.4765, -6.3722),
        ("GB", "SW1A", "Westminster", 51.5018, -0.1328),
    ]:
        PostalCode.objects.create(
            country_code=cc, code=code, key=postal_key(code), place_name=place, latitude=lat, longitude=lon
        )


def test_locate_places_and_postal_codes(places: None) -> None:
    boston = locate("boston")
    assert isinstance(boston, Location) and boston.country_code == "US"  # the biggest Boston
    assert isinstance(uk := locate("Boston", "GB"), Location) and uk.country_code == "GB"
    springfield = locate("Springfield, IL")
    assert isinstance(springfield, Location) and springfield.latitude == pytest.approx(39.80172)
    assert isinstance(m := locate("München"), Location) and m.label == "Munich, DE"
    assert isinstance(z := locate("02115"), Location) and z.kind == "postal_code"
    assert isinstance(gb := locate("SW1A 1AA", "GB"), Location) and gb.country_code == "GB"
    assert isinstance(c := locate("42.0, -71.5"), Location) and c.kind == "coordinates"


def test_ambiguous_or_unknown_places_answer_suggestions(places: None) -> None:
    ambiguous = locate("10001")
    assert isinstance(ambiguous, Unresolved) and ambiguous.ambiguous
    assert ambiguous.suggestions == ("10001, ES", "10001, US")
    assert [c.name for c in ambiguous.choices] == ["10001 Caceres, Spain", "10001 New York, United States"]
    for suggestion in ambiguous.suggestions:
        assert isinstance(locate(suggestion), Location), suggestion
    assert isinstance(locate("10001", "US"), Location)
    typo = locate("Bostn")
    assert isinstance(typo, Unresolved) and not typo.ambiguous
    assert typo.suggestions[0] == "Boston, MA, US"
    assert typo.choices[0].name == "Boston, Massachusetts, United States"
    assert locate("   ") == Unresolved("", ())


def test_our_own_suggestions_resolve(places: None) -> None:
    typo = locate("Springfeld")
    assert isinstance(typo, Unresolved) and len(typo.suggestions) == 2
    for suggestion in typo.suggestions:
        assert isinstance(locate(suggestion), Location), suggestion
    found = locate("Springfield, IL, US")
    assert isinstance(found, Location) and found.label == "Springfield, IL, US"
    assert isinstance(b := locate("Boston, GB"), Location) and b.country_code == "GB"


def add_postal(*rows: tuple[str, str, str, str, float, float]) -> None:
    for cc, code, place, admin1, lat, lon in rows:
        PostalCode.objects.create(
            country_code=cc,
            code=code,
            key=postal_key(code),
            place_name=place,
            admin1=admin1,
            latitude=lat,
            longitude=lon,
        )


# 02115 as GeoNames' postal data has it: Boston, and villages of Ancash (Peru), and a district of Vilnius.
PERU_AND_LITHUANIA_02115 = (
    ("PE", "02115", "Lucma Huillca", "Ancash", -9.3439, -77.433),
    ("PE", "02115", "Fundo Aco", "Ancash", -9.3439, -77.433),
    ("PE", "02115", "Pampamaca", "Ancash", -9.3608, -77.5497),
    ("LT", "02115", "Vilnius", "Vilniaus apskritis", 54.6652, 25.2828),
)


def test_a_postal_code_of_several_countries_is_the_readers_own_first(places: None) -> None:
    add_postal(*PERU_AND_LITHUANIA_02115)
    # Without a country of the reader: a question, one choice per country, each naming it in words.
    asked = locate("02115")
    assert isinstance(asked, Unresolved) and asked.ambiguous
    assert asked.suggestions == ("02115, LT", "02115, PE", "02115, US")
    assert [c.name for c in asked.choices] == [
        "02115 Vilnius, Vilniaus apskritis, Lithuania",
        "02115 Lucma Huillca, Ancash, Peru",
        "02115 Boston, United States",
    ]
    # A reader in the United States: Boston, with the others kept to offer.
    home = locate("02115", prefer="US")
    assert isinstance(home, Location) and home.country_code == "US" and home.preferred
    assert home.latitude == pytest.approx(42.3429)
    assert [c.country_code for c in home.alternatives] == ["LT", "PE"]
    # A reader in Peru gets Peru; a country given outright beats the reader's.
    assert isinstance(peru := locate("02115", prefer="PE"), Location) and peru.country_code == "PE"
    assert isinstance(lt := locate("02115", "LT", prefer="US"), Location) and lt.country_code == "LT"
    assert not lt.preferred and lt.alternatives == ()
    # A code only one country has is that country's, wherever the reader is.
    assert isinstance(london := locate("SW1A 1AA", prefer="US"), Location) and london.country_code == "GB"
    # Every choice finds its place again.
    for choice in asked.choices:
        found = locate(choice.near)
        assert isinstance(found, Location) and found.country_code == choice.country_code, choice


def test_a_name_shared_by_places_of_comparable_size_offers_a_choice_naming_states(places: None) -> None:
    # Springfield, Massachusetts (153,703 people) and Springfield, Illinois (116,250): ask.
    asked = locate("Springfield")
    assert isinstance(asked, Unresolved) and asked.ambiguous
    assert [c.name for c in asked.choices] == [
        "Springfield, Massachusetts, United States",
        "Springfield, Illinois, United States",
    ]
    assert asked.suggestions == ("Springfield, MA, US", "Springfield, IL, US")
    assert isinstance(locate("Springfield", prefer="US"), Unresolved)  # both are in the reader's country
    for choice in asked.choices:
        found = locate(choice.near)
        assert isinstance(found, Location) and found.display_name == choice.name
    # Naming the state is enough.
    assert isinstance(il := locate("Springfield, IL"), Location) and il.latitude == pytest.approx(39.80172)


def test_a_name_whose_biggest_place_dwarfs_the_others_is_the_biggest_or_the_readers_own(places: None) -> None:
    # Boston, Massachusetts (667,137) and Boston, Lincolnshire (41,340, a sixteenth).
    boston = locate("Boston")
    assert isinstance(boston, Location) and boston.country_code == "US" and not boston.preferred
    assert boston.display_name == "Boston, Massachusetts, United States"
    assert [(c.near, c.name) for c in boston.alternatives] == [
        ("Boston, ENG, GB", "Boston, England, United Kingdom")
    ]
    british = locate("Boston", prefer="GB")
    assert isinstance(british, Location) and british.country_code == "GB" and british.preferred
    assert [c.country_code for c in british.alternatives] == ["US"]
    # A reader's country without that name changes nothing.
    assert isinstance(munich := locate("Munich", prefer="US"), Location) and munich.country_code == "DE"


def test_older_links_with_the_place_after_the_code_still_resolve(places: None) -> None:
    assert isinstance(ny := locate("10001 New York, US"), Location) and ny.country_code == "US"
    assert isinstance(es := locate("10001, ES"), Location) and es.display_name == "10001 Caceres, Spain"
