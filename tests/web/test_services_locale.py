"""The services search in the reader's own terms: a postal code of their own country first, a choice for a
name several places share, distances and the radius in miles for readers in the US and the UK."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from tests.web.personas import Personas, log_in, people_fixture  # noqa: F401

from smanav.directory.models import Site
from smanav.geo.models import Place, PostalCode
from smanav.geo.names import name_key, postal_key
from smanav.patients.models import Patient

pytestmark = pytest.mark.django_db

US_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
UK_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}
GERMAN_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "de-DE,de;q=0.9"}


@pytest.fixture
def places(db: None) -> None:
    """Real GeoNames rows: the places, and the postal code 02115 as Boston, Peru and Lithuania have it."""
    for gid, name, cc, admin1, lat, lon, population in [
        (4930956, "Boston", "US", "MA", 42.35843, -71.05977, 667137),
        (2655138, "Boston", "GB", "ENG", 52.97633, -0.02664, 41340),
        (4951788, "Springfield", "US", "MA", 42.10148, -72.58981, 153703),
        (4250542, "Springfield", "US", "IL", 39.80172, -89.64371, 116250),
        (4409896, "Springfield", "US", "MO", 37.21533, -93.29824, 170188),
    ]:
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
    for cc, code, place, admin1, lat, lon in [
        ("US", "02115", "Boston", "MA", 42.3429, -71.0907),
        ("PE", "02115", "Lucma Huillca", "Ancash", -9.3439, -77.433),
        ("PE", "02115", "Fundo Aco", "Ancash", -9.3439, -77.433),
        ("LT", "02115", "Vilnius", "Vilniaus apskritis", 54.6652, 25.2828),
    ]:
        PostalCode.objects.create(
            country_code=cc,
            code=code,
            key=postal_key(code),
            place_name=place,
            admin1=admin1,
            latitude=lat,
            longitude=lon,
        )
    for key, name, lat, lon in [
        ("fenway", "Fenway Neuromuscular Clinic", 42.3467, -71.0972),  # about 0.5 km from the 02115 point
        ("worcester", "Worcester Clinic", 42.2626, -71.8023),  # 62.0 km (38.5 miles) from Boston
        ("lima", "Lima Clinic", -9.35, -77.44),
    ]:
        Site.objects.create(
            source="test",
            external_id=key,
            name=name,
            kind="clinic",
            country_code="PE" if key == "lima" else "US",
            latitude=lat,
            longitude=lon,
            last_verified=dt.date(2026, 11, 21),
        )


def test_02115_with_a_us_browser_is_boston_and_says_where_else_it_exists(
    places: None, client: Client
) -> None:
    page = client.get("/services/", {"near": "02115"}, **US_BROWSER).content.decode()
    assert "2 places near 02115 Boston, Massachusetts, United States" in page
    assert page.index("Fenway Neuromuscular Clinic") < page.index("Worcester Clinic")
    assert "Lima Clinic" not in page
    # Not silent: the page says the code exists elsewhere and which one it chose, and offers the others.
    assert "“02115” is also a postal code elsewhere (Lithuania, Peru)." in page
    assert "Shown: the one in your country, United States." in page
    assert "02115 Lucma Huillca, Ancash, Peru" in page and "near=02115%2C+PE" in page
    assert "we look first in your country: United States (from your browser's language)" in page

    body = client.get("/api/v1/services/search", {"near": "02115"}, **US_BROWSER).json()
    assert body["found"] and body["location"]["country"] == "US" and body["location"]["preferred"]
    assert body["query"]["prefer_country"] == "US"
    assert [a["country"] for a in body["location"]["alternatives"]] == ["LT", "PE"]


def test_02115_without_a_country_asks_which_one(places: None, client: Client) -> None:
    page = client.get("/services/", {"near": "02115"}).content.decode()
    assert "Which “02115” do you mean?" in page
    for name in ("02115 Boston, Massachusetts, United States", "02115 Lucma Huillca, Ancash, Peru"):
        assert name in page
    body = client.get("/api/v1/services/search", {"near": "02115"}).json()
    assert body["found"] is False and body["ambiguous"] is True
    assert body["suggestions"] == ["02115, LT", "02115, PE", "02115, US"]
    chosen = client.get("/api/v1/services/search", {"near": body["suggestions"][2]}).json()
    assert chosen["found"] and chosen["results"][0]["name"] == "Fenway Neuromuscular Clinic"
    # An API client may name the reader's country itself.
    told = client.get("/api/v1/services/search", {"near": "02115", "prefer_country": "PE"}).json()
    assert told["location"]["country"] == "PE" and told["results"][0]["name"] == "Lima Clinic"


def test_springfield_offers_a_choice_list_naming_states(places: None, client: Client) -> None:
    page = client.get("/services/", {"near": "Springfield", "radius": "250"}, **US_BROWSER).content.decode()
    assert "Which “Springfield” do you mean?" in page
    names = [
        "Springfield, Missouri, United States",
        "Springfield, Massachusetts, United States",
        "Springfield, Illinois, United States",
    ]
    assert all(name in page for name in names)
    assert page.index(names[0]) < page.index(names[1]) < page.index(names[2])  # biggest first
    # Each choice is a link that keeps the rest of the search and finds that Springfield.
    assert "?radius=250&amp;near=Springfield%2C+MA%2C+US" in page
    chosen = client.get("/services/", {"near": "Springfield, MA, US", "radius": "250"}, **US_BROWSER)
    assert "places near Springfield, Massachusetts, United States" in chosen.content.decode()
    body = client.get("/api/v1/services/search", {"near": "Springfield"}).json()
    assert body["ambiguous"] and [c["name"] for c in body["choices"]] == names


def test_distances_and_the_radius_in_miles_for_a_us_browser(places: None, client: Client) -> None:
    page = client.get("/services/", {"near": "Boston"}, **US_BROWSER).content.decode()
    assert "Within 100 miles" in page
    assert "Worcester Clinic" in page and "38.5 miles away" in page
    assert 'value="mi" id="id_unit_1" checked' in page  # the unit is shown as chosen, and can be changed
    # The reader may choose kilometres: the same number, in km.
    metric = client.get("/services/", {"near": "Boston", "unit": "km", "radius": "50"}, **US_BROWSER)
    text = metric.content.decode()
    assert "Within 50 km" in text and "Worcester Clinic" not in text  # 61 km away
    # A British reader also reads miles (road distances in the UK are in miles); a German one km. (For a
    # British reader "Boston" is the one in Lincolnshire.)
    british = client.get("/services/", {"near": "Boston, US"}, **UK_BROWSER).content.decode()
    assert "38.5 miles away" in british
    # Dates the reader's way too.
    assert "last verified Nov. 21, 2026" in page and "last verified 21 Nov 2026" in british
    german = client.get("/services/", {"near": "Boston, US"}, **GERMAN_BROWSER).content.decode()
    assert "62.0 km away" in german and "Within 100 km" in german
    # Links made before the unit existed keep their meaning.
    legacy = client.get("/services/", {"near": "Boston", "radius_km": "50"}, **US_BROWSER).content.decode()
    assert "Within 50 km" in legacy and "Worcester Clinic" not in legacy


def test_the_api_gives_miles_as_an_extra_field_and_takes_a_radius_in_miles(
    places: None, client: Client
) -> None:
    body = client.get("/api/v1/services/search", {"near": "Boston"}, **US_BROWSER).json()
    assert body["distance_unit"] == "mi"
    worcester = next(r for r in body["results"] if r["name"] == "Worcester Clinic")
    assert worcester["distance_km"] == pytest.approx(61.98, abs=0.01)
    assert worcester["distance_mi"] == pytest.approx(worcester["distance_km"] / 1.609344, abs=0.01)
    assert client.get("/api/v1/services/search", {"near": "Boston"}).json()["distance_unit"] == "km"
    near = client.get("/api/v1/services/search", {"near": "Boston", "radius_mi": 30}).json()
    assert near["distance_unit"] == "mi" and near["query"]["radius_km"] == pytest.approx(48.28, abs=0.01)
    assert [r["name"] for r in near["results"]] == ["Fenway Neuromuscular Clinic"]
    both = client.get("/api/v1/services/search", {"near": "Boston", "radius_mi": 30, "radius_km": 50})
    assert both.status_code == 422
    assert both.json()["errors"] == [
        {"field": "radius_mi", "message": "give the radius in km or in miles, not both"}
    ]
    bad = client.get(
        "/api/v1/services/search", {"near": "Boston", "unit": "furlongs", "prefer_country": "USA"}
    )
    assert bad.status_code == 422
    assert {p["field"] for p in bad.json()["errors"]} == {"unit", "prefer_country"}


def test_a_signed_in_familys_records_decide_before_the_browser(places: None, people: Personas) -> None:
    client = log_in(Client(), people.parent)  # every record of this family is in the United States
    page = client.get("/services/", {"near": "02115"}, **GERMAN_BROWSER).content.decode()
    assert "near 02115 Boston, Massachusetts, United States" in page and "36.8 miles away" in page
    assert "we look first in your country: United States (from your records)" in page
    Patient.objects.filter(guardians__user=people.parent).update(region="UK")
    moved = client.get("/services/", {"near": "Boston"}, **US_BROWSER).content.decode()
    assert "Boston, England, United Kingdom" in moved  # the family's country first
