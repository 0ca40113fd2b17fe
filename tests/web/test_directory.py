"""Services search: results against brute-force distances, constant query count, API, page, complete care."""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from smanav.directory.disciplines import AGE_BITS, DISCIPLINE_BITS, Discipline
from smanav.directory.models import Site
from smanav.directory.selectors import complete_care, search_sites
from smanav.geo.distance import haversine_km
from smanav.geo.models import Place
from smanav.geo.names import name_key

pytestmark = pytest.mark.django_db

BOSTON = (42.3601, -71.0589)
ALL_BITS = list(DISCIPLINE_BITS.values())


def make_sites(
    count: int, *, seed: int = 7, centre: tuple[float, float] = BOSTON, spread: float = 4.0
) -> list[Site]:
    rng = random.Random(seed)
    sites = []
    for i in range(count):
        mask = 0
        for bit in rng.sample(ALL_BITS, rng.randint(1, 5)):
            mask |= bit
        sites.append(
            Site(
                source="test",
                external_id=f"s{seed}-{i}",
                name=f"Site {i}",
                kind=rng.choice(["clinic", "practitioner", "neuromuscular_centre", "hospital"]),
                country_code="US",
                latitude=centre[0] + rng.uniform(-spread, spread),
                longitude=(centre[1] + rng.uniform(-spread, spread) + 540) % 360 - 180,
                disciplines=mask,
                age_groups=rng.choice([0, 1, 2, 3]),
            )
        )
    return Site.objects.bulk_create(sites)


def brute_force(
    lat: float, lon: float, radius: float, mask: int = 0, ages: int = 0
) -> list[tuple[float, int]]:
    found = []
    for site in Site.objects.all():
        if mask and site.disciplines & mask != mask:
            continue
        if ages and site.age_groups and not site.age_groups & ages:
            continue
        assert site.latitude is not None and site.longitude is not None
        distance = haversine_km(lat, lon, site.latitude, site.longitude)
        if distance <= radius:
            found.append((distance, site.pk))
    return sorted(found)


@pytest.mark.parametrize("radius", [10.0, 60.0, 150.0, 400.0])
@pytest.mark.parametrize("discipline", [None, "neurology", "physiotherapy"])
def test_search_matches_brute_force(radius: float, discipline: str | None) -> None:
    make_sites(600)
    mask = DISCIPLINE_BITS[discipline] if discipline else 0
    for lat, lon in [BOSTON, (41.0, -73.0), (44.5, -68.0)]:
        hits = search_sites(latitude=lat, longitude=lon, radius_km=radius, disciplines=mask, limit=40)
        expected = brute_force(lat, lon, radius, mask)[:40]
        assert [hit.site.pk for hit in hits] == [pk for _, pk in expected]
        for hit, (distance, _) in zip(hits, expected, strict=True):
            assert hit.distance_km == pytest.approx(distance, abs=0.01)
        assert all(a.distance_km <= b.distance_km for a, b in itertools.pairwise(hits))


def test_age_filter_keeps_unknown_ages() -> None:
    make_sites(300)
    children = AGE_BITS["children"]
    hits = search_sites(
        latitude=BOSTON[0], longitude=BOSTON[1], radius_km=200, age_groups=children, limit=200
    )
    expected = brute_force(BOSTON[0], BOSTON[1], 200, ages=children)[:200]
    assert [hit.site.pk for hit in hits] == [pk for _, pk in expected]
    assert any(hit.site.age_groups == 0 for hit in hits)
    assert all(hit.site.age_groups & children or hit.site.age_groups == 0 for hit in hits)


def test_search_across_the_date_line() -> None:
    make_sites(200, centre=(-17.7, 179.5), spread=2.0)
    hits = search_sites(latitude=-17.7, longitude=179.9, radius_km=150, limit=200)
    expected = brute_force(-17.7, 179.9, 150)
    assert [hit.site.pk for hit in hits] == [pk for _, pk in expected]
    assert any(hit.site.longitude is not None and hit.site.longitude < 0 for hit in hits)


def count_queries(callable_: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        callable_()
    return len(captured)


def test_queries_per_search_do_not_grow_with_entries() -> None:
    make_sites(20, seed=1)
    search = lambda: search_sites(  # noqa: E731
        latitude=BOSTON[0],
        longitude=BOSTON[1],
        radius_km=300,
        disciplines=DISCIPLINE_BITS["neurology"],
        limit=50,
    )
    small = count_queries(search)
    make_sites(800, seed=2)
    assert count_queries(search) == small <= 2
    care = lambda: complete_care(latitude=BOSTON[0], longitude=BOSTON[1], wanted=["neurology", "nutrition"])  # noqa: E731
    assert count_queries(care) <= 2 * 6 * (1 + 1 + 2)


@pytest.fixture
def demo(db: None) -> None:
    Place.objects.create(
        geonameid=4930956,
        name="Boston",
        key=name_key("Boston"),
        country_code="US",
        admin1="MA",
        latitude=BOSTON[0],
        longitude=BOSTON[1],
        population=667137,
    )
    everything = sum(DISCIPLINE_BITS.values())
    rows = [
        (
            "near",
            "Near Clinic",
            "clinic",
            42.36,
            -71.06,
            DISCIPLINE_BITS["neurology"] | DISCIPLINE_BITS["physiotherapy"],
        ),
        ("full", "Full Centre", "neuromuscular_centre", 40.71, -74.0, everything),
        ("nutri", "Nutrition Practice", "practitioner", 42.5, -71.2, DISCIPLINE_BITS["nutrition"]),
    ]
    for key, name, kind, lat, lon, mask in rows:
        Site.objects.create(
            source="demo",
            external_id=key,
            name=name,
            kind=kind,
            country_code="US",
            latitude=lat,
            longitude=lon,
            disciplines=mask,
            is_sample=True,
        )


def test_complete_care_finds_full_centre_and_missing_disciplines(demo: None) -> None:
    result = complete_care(
        latitude=BOSTON[0], longitude=BOSTON[1], wanted=["neurology", "nutrition", "sleep_studies"]
    )
    assert result.complete_centre is not None and result.complete_centre.site.name == "Full Centre"
    assert result.nearest_centre is not None and result.nearest_centre.site.name == "Near Clinic"
    assert result.missing == ("nutrition", "sleep_studies")
    assert (
        result.elsewhere["nutrition"] is not None
        and result.elsewhere["nutrition"].site.name == "Nutrition Practice"
    )
    assert (
        result.elsewhere["sleep_studies"] is not None
        and result.elsewhere["sleep_studies"].site.name == "Full Centre"
    )


def test_api_search_nearest_first_with_distances(demo: None, client: Client) -> None:
    response = client.get(
        "/api/v1/services/search", {"near": "Boston", "radius_km": 500, "discipline": ["neurology"]}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["found"] and body["location"]["label"] == "Boston, MA, US"
    assert [r["name"] for r in body["results"]] == ["Near Clinic", "Full Centre"]
    assert body["results"][0]["distance_km"] < body["results"][1]["distance_km"]
    assert body["results"][1]["disciplines"] == list(Discipline.values)
    assert "GeoNames" in body["attribution"]


def test_api_unknown_place_answers_suggestions_and_bad_input_422(demo: None, client: Client) -> None:
    body = client.get("/api/v1/services/search", {"near": "Bostn"}).json()
    assert body["found"] is False and body["suggestions"] == ["Boston, MA, US"] and body["results"] == []
    bad = client.get(
        "/api/v1/services/search", {"near": "Boston", "discipline": "astrology", "radius_km": -1}
    )
    assert bad.status_code == 422
    assert {p["field"] for p in bad.json()["errors"]} == {"discipline", "radius_km"}
    care = client.get(
        "/api/v1/services/complete-care", {"near": "Boston", "discipline": ["nutrition", "neurology"]}
    ).json()
    assert care["complete_centre"]["name"] == "Full Centre" and care["nearest_centre_lacks"] == ["nutrition"]


def test_page_works_without_javascript_and_credits_geonames(demo: None, client: Client) -> None:
    empty = client.get("/services/")
    assert empty.status_code == 200 and b"<script" not in empty.content
    page = client.get(
        "/services/", {"near": "Boston", "discipline": ["neurology", "nutrition"]}
    ).content.decode()
    assert (
        "0 places near Boston, Massachusetts, United States" in page
        and "Near Clinic" in page
        and "sample data" in page
    )
    assert "GeoNames" in page and "CC BY 4.0" in page
    assert "One centre for everything you ticked?" in page and "Nutrition Practice" in page
    wide = client.get(
        "/services/", {"near": "Boston", "radius_km": "500", "discipline": "neurology"}
    ).content.decode()
    assert "2 places near Boston" in wide and wide.index("Near Clinic") < wide.index("Full Centre")
    unknown = client.get("/services/", {"near": "Bostn"}).content.decode()
    assert "We could not find that place" in unknown and "near=Boston%2C+MA%2C+US" in unknown


def test_page_with_services_ticked_looks_the_place_up_once(demo: None, client: Client) -> None:
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/services/", {"near": "Boston", "discipline": ["neurology", "nutrition"]})
    assert "One centre for everything you ticked?" in page.content.decode()
    place_table = connection.ops.quote_name(Place._meta.db_table)
    assert sum(place_table in query["sql"] for query in captured.captured_queries) == 1


def test_page_says_the_ages_served_and_unknown_ages_as_not_known(demo: None, client: Client) -> None:
    Site.objects.filter(external_id="near").update(age_groups=AGE_BITS["children"] | AGE_BITS["adults"])
    page = client.get("/services/", {"near": "Boston", "age_group": "children"}).content.decode()
    assert "for children" in page
    assert "Ages: children and adults" in page and "Ages: not known" in page


def test_page_names_the_languages_spoken(demo: None, client: Client) -> None:
    Site.objects.filter(external_id="near").update(languages="en;es;zz")
    page = client.get("/services/", {"near": "Boston"}).content.decode()
    assert "Languages: English, Spanish, zz" in page  # a code Django does not know is shown as given
    body = client.get("/api/v1/services/search", {"near": "Boston"}).json()
    assert body["results"][0]["languages"] == ["en", "es", "zz"]  # the API keeps the codes


def test_page_names_the_nppes_source_in_words(demo: None, client: Client) -> None:
    Site.objects.filter(external_id="nutri").update(source="nppes")
    page = client.get("/services/", {"near": "Boston"}).content.decode()
    assert "Source: NPPES, the US national register of health-care providers" in page
    assert "Source: demo" in page  # a curated list is named as it names itself
