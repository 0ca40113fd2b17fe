"""The public pages: evaluate a record, triage, sources. Server-rendered, no JavaScript, strict CSP."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from smanav.web import views
from smanav.web.result_display import evaluation_view
from smanav_core import evaluate, evaluation_of, load_knowledge, report, triage

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
RECORD: dict[str, Any] = {
    "id": "page-test",
    "region": "US",
    "birth_date": "2026-10-01",
    "genetics": {"smn1_copies": 0, "smn2_copies": 2, "method": "newborn_screening"},
    "clinical": {"symptomatic": False},
}


def text_of(response: Any) -> str:
    return str(response.content.decode())


@pytest.mark.parametrize("path", ["/", "/triage/", "/sources/"])
def test_pages_share_the_accessible_layout(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    html = text_of(response)
    assert '<html lang="en">' in html
    assert 'href="#main"' in html and 'id="main"' in html
    for landmark in ("<header", "<nav", "<main", "<footer"):
        assert landmark in html
    # Visitors and families read when the medical information was last reviewed, not a version string.
    assert "Medical information last reviewed on" in html
    assert load_knowledge().version not in html
    # Strict CSP: no inline script or style anywhere.
    assert "<script" not in html and "style=" not in html and "<style" not in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_home_is_a_front_door_for_people_not_a_json_box(client: Client) -> None:
    html = text_of(client.get("/"))
    assert "spinal muscular atrophy" in html
    for where in ("/accounts/signup/", "/accounts/login/", "/triage/", "/services/", "/trials/", "/library/"):
        assert f'href="{where}"' in html
    assert 'name="record"' not in html
    # The paste-a-record tool has its own page, linked from every page's footer.
    assert 'href="/evaluate/"' in html


def test_evaluate_page_explains_and_offers_the_form(client: Client) -> None:
    html = text_of(client.get("/evaluate/"))
    assert "spinal muscular atrophy" in html
    for control in ('name="record"', 'name="record_file"', 'name="region"', 'name="as_of"'):
        assert control in html
    assert 'for="id_record"' in html


def test_a_pasted_record_is_evaluated_like_the_core_does(client: Client, as_of: dt.date) -> None:
    response = client.post(
        "/evaluate/", {"record": json.dumps(RECORD), "region": "", "as_of": as_of.isoformat()}
    )
    assert response.status_code == 200
    html = text_of(response)
    expected = evaluate(RECORD, as_of=as_of)
    assert expected["diagnosis"]["summary"].split(".")[0] in html
    for therapy in expected["therapies"]:
        for reason in therapy["reasons"]:
            assert reason["text"][:40] in html.replace("&#x27;", "'").replace("&quot;", '"')
            for source in reason["sources"]:
                assert f'href="/sources/#source-{source}"' in html
    assert expected["disclaimer"] in html.replace("&#x27;", "'")
    assert expected["knowledge_version"] in html
    # The date of the evaluation is written the reader's way, not as the contract's ISO date.
    british = client.post(
        "/evaluate/",
        {"record": json.dumps(RECORD), "region": "", "as_of": as_of.isoformat()},
        HTTP_ACCEPT_LANGUAGE="en-GB",
    )
    assert f"Evaluated on {as_of.day} {as_of:%b} {as_of.year}" in text_of(british)


def test_treatments_are_named_in_our_words_or_else_as_the_knowledge_base_names_them(as_of: dt.date) -> None:
    result = evaluation_of(RECORD, as_of=as_of)
    newcomer = dataclasses.replace(result.therapies[-1], therapy="new_agent_x", name="Newbrand (new agent X)")
    shown = evaluation_view(dataclasses.replace(result, therapies=(*result.therapies, newcomer)))["therapies"]
    assert isinstance(shown, list)
    names = {therapy.therapy: therapy.name for therapy in shown}
    assert names["nusinersen"] == report.THERAPY_NAMES["nusinersen"]
    assert names["new_agent_x"] == "Newbrand (new agent X)"


def test_an_uploaded_file_is_evaluated(client: Client, as_of: dt.date) -> None:
    example = EXAMPLES / "type2-child.json"
    upload = SimpleUploadedFile(example.name, example.read_bytes(), content_type="application/json")
    response = client.post("/evaluate/", {"record_file": upload, "region": "EU", "as_of": as_of.isoformat()})
    assert response.status_code == 200
    assert "Treatment options" in text_of(response)


def test_the_care_plan_is_grouped_by_domain(client: Client, as_of: dt.date) -> None:
    response = client.post("/evaluate/", {"record": json.dumps(RECORD), "as_of": as_of.isoformat()})
    result = evaluate(RECORD, as_of=as_of)
    html = text_of(response)
    assert "Care plan" in html
    for item in result["care_plan"]:
        assert f"<strong>{item['title']}</strong>".replace("'", "&#x27;") in html


def test_problems_are_shown_next_to_the_form_with_their_field_path(client: Client, as_of: dt.date) -> None:
    record = {**RECORD, "genetics": {"smn2_copies": -1}, "typo": True}
    response = client.post("/evaluate/", {"record": json.dumps(record), "as_of": as_of.isoformat()})
    assert response.status_code == 422
    html = text_of(response)
    assert "<code>genetics.smn2_copies</code>" in html
    assert "<code>typo</code>" in html
    assert 'aria-invalid="true"' in html
    assert 'href="#id_record"' in html


def test_not_json_is_explained(client: Client) -> None:
    response = client.post("/evaluate/", {"record": "{birth_date: 2020}", "region": "US"})
    assert response.status_code == 422
    assert "not valid JSON" in text_of(response)


def test_nothing_given_asks_for_a_record(client: Client) -> None:
    response = client.post("/evaluate/", {"record": "  ", "region": "US"})
    assert response.status_code == 422
    assert "Paste a patient record" in text_of(response)


def test_the_triage_questionnaire_uses_fieldsets_and_labels(client: Client) -> None:
    html = text_of(client.get("/triage/"))
    assert html.count("<fieldset") >= 4
    assert html.count("<legend>") == html.count("<fieldset")
    for match in re.finditer(r'<input type="(?:checkbox|radio)"[^>]*id="([^"]+)"', html):
        assert f'for="{match.group(1)}"' in html


def test_triage_answers_are_shown_like_the_core_answers_them(
    client: Client, as_of: dt.date, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views.timezone, "localdate", lambda: as_of)
    form = {
        "age_years": "52",
        "symptoms": ["low_back_pain"],
        "history": ["spinal_surgery"],
        "course": "stable",
    }
    response = client.post("/triage/", form)
    assert response.status_code == 200
    expected = triage(
        {"age_years": 52, "symptoms": ["low_back_pain"], "history": ["spinal_surgery"], "course": "stable"},
        as_of=as_of,
    )
    html = text_of(response).replace("&#x27;", "'")
    for reason in expected["reasons"]:
        assert reason["text"][:40] in html
    assert expected["disclaimer"] in html


def test_triage_without_an_age_names_the_field(client: Client) -> None:
    response = client.post("/triage/", {"symptoms": ["low_back_pain"]})
    assert response.status_code == 422
    assert 'href="#id_age_years"' in text_of(response)


def test_the_sources_page_lists_the_whole_bibliography(client: Client) -> None:
    html = text_of(client.get("/sources/"))
    for source_id in load_knowledge().sources:
        assert f'id="source-{source_id}"' in html
