"""The triage page: the region question, a red-flag result led by the number to call (once), and a
back-only pattern that needs no weakness. Rendered by the real view; read as the visible text."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from tests.web.test_status_words import visible_text

from smanav.web import views
from smanav_core import triage

NUMBERS = {"US": "911", "UK": "999", "EU": "112", "AU": "000", "CA": "911", "JP": "119"}
RED_FLAG = {"age_years": "47", "symptoms": ["low_back_pain", "saddle_numbness"], "onset": "days"}


@pytest.fixture(autouse=True)
def frozen_day(monkeypatch: pytest.MonkeyPatch, as_of: dt.date) -> None:
    monkeypatch.setattr(views.timezone, "localdate", lambda: as_of)


def main_text(response: Any) -> str:
    html = response.content.decode()
    return visible_text(html.split("<main", 1)[1].split(">", 1)[1].split("</main>", 1)[0])


def test_the_questionnaire_asks_where_the_person_is_without_guessing(client: Client) -> None:
    html = client.get("/triage/", HTTP_ACCEPT_LANGUAGE="en-gb").content.decode()
    assert "<legend>Where are you?</legend>" in html
    radios = re.findall(r'<input type="radio" name="region" value="([^"]*)"[^>]*>', html)
    assert sorted(radios) == sorted(["", *NUMBERS])
    # A British browser does not tick the United Kingdom: the person says where they are, and until
    # then the answer is "not saying" (every region's number).
    checked = re.findall(r'name="region" value="([^"]*)"[^>]*checked', html)
    assert checked == [""]


@pytest.mark.parametrize(("region", "number"), sorted(NUMBERS.items()))
def test_a_red_flag_result_leads_with_the_regions_number_once(
    client: Client, region: str, number: str
) -> None:
    response = client.post("/triage/", RED_FLAG | {"region": region})
    assert response.status_code == 200
    text = main_text(response)
    assert text.startswith("Seek emergency care now Call for help")
    assert f"Call {number}" in text
    assert len(re.findall(rf"\b{number}\b", text)) == 1, text
    others = {other for code, other in NUMBERS.items() if other != number}
    assert not any(re.search(rf"\b{other}\b", text) for other in others)
    assert text.index(number) < text.index("What the answers suggest") < text.index("What to do")
    assert f'href="tel:{number}"' in response.content.decode()
    # The advice that follows says "the emergency number", the one above.
    assert "Go to the emergency department now, or call the emergency number." in text


def test_a_red_flag_result_without_a_region_lists_every_number(client: Client) -> None:
    response = client.post("/triage/", RED_FLAG)
    text = main_text(response)
    assert "Call the emergency number of the country you are in:" in text
    for label, number in (
        ("United States", "911"),
        ("United Kingdom", "999"),
        ("European Union", "112"),
        ("Australia", "000"),
        ("Canada", "911"),
        ("Japan", "119"),
    ):
        assert f"{label}: {number}" in text
    assert text.index("Japan: 119") < text.index("What the answers suggest")
    assert 'href="#id_region_0"' in response.content.decode(), "the page offers to ask instead"


def test_an_urgent_but_not_emergency_result_has_no_number(client: Client) -> None:
    answers = {"age_years": "58", "region": "UK", "symptoms": ["low_back_pain", "fever_or_weight_loss"]}
    text = main_text(client.post("/triage/", answers))
    assert "Call for help" not in text
    assert "Seek emergency care now" not in text
    assert not re.search(r"\b999\b", text)


def test_back_symptoms_after_a_brace_fit_paraspinal_muscle_atrophy_without_weakness(client: Client) -> None:
    answers = {
        "age_years": "63",
        "region": "CA",
        "history": ["bracing_or_immobilisation"],
        "symptoms": ["rounded_upper_back", "balance_problems"],
    }
    response = client.post("/triage/", answers)
    text = main_text(response)
    assert "The answers fit paraspinal muscle atrophy" in text
    assert "Weakness does not have to be present." in text
    assert "there is no weakness" not in text.lower()
    assert "Call for help" not in text


def test_the_page_sends_the_region_to_the_core_and_leaves_blanks_out(client: Client, as_of: dt.date) -> None:
    response = client.post("/triage/", RED_FLAG | {"region": "JP", "sex": "", "course": ""})
    expected = triage(
        {"age_years": 47, "region": "JP", "symptoms": ["low_back_pain", "saddle_numbness"], "onset": "days"},
        as_of=as_of,
    )
    assert response.context["result"].to_json() == expected


def test_somewhere_else_is_no_region(client: Client) -> None:
    response = client.post("/triage/", RED_FLAG | {"region": ""})
    assert response.context["result"].region is None
    assert len(response.context["result"].emergency_numbers) == len(NUMBERS)


def test_a_made_up_region_is_refused_by_name(client: Client) -> None:
    response = client.post("/triage/", RED_FLAG | {"region": "FR"})
    assert response.status_code == 422
    assert "region" in response.context["form"].errors
