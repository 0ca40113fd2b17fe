"""One word for one therapy status: the evaluation page, the record page, its PDF, the CLI's text report
and the clinic worklist all name a status as `smanav_core.status_words` does.

Each place is rendered for real and read as a person reads it (the visible text); the test fails when
a status is named in other words ("eligible", "appears to fit", "cannot be decided yet"...).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from tests.conftest import require_or_skip
from tests.web.background import today_fixture  # noqa: F401
from tests.web.personas import AS_OF, Personas, log_in, people_fixture  # noqa: F401

from smanav.patients.services import clinic_share_invite, patient_create, treatment_record
from smanav_core import Evaluation, evaluate
from smanav_core.report import REGION_NAMES, render_evaluation_text
from smanav_core.status_words import THERAPY_STATUS_WORDS, therapy_status_words

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "type2-child.json"
# Other names a status has had on one page or another; none may come back.
OTHER_WORDS = re.compile(
    r"\beligible\b|appears to fit|cannot be decided|information is missing|\bneeds information\b|"
    r"not approved in this region",
    re.IGNORECASE,
)


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "title"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "title"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def assert_one_wording(text: str, statuses: set[str], region: str) -> None:
    found = OTHER_WORDS.search(text)
    assert found is None, f"a status named in other words: {found.group(0)!r}"
    for status in statuses:
        words = therapy_status_words(status, REGION_NAMES[region])
        assert words.lower() in text.lower(), (status, words)


def _example_document() -> dict[str, Any]:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def _statuses(result: dict[str, Any] | Evaluation) -> set[str]:
    """The therapy statuses of a document (a dict) or of a typed evaluation (what pages receive)."""
    if isinstance(result, Evaluation):
        return {therapy.status.value for therapy in result.therapies}
    return {str(therapy["status"]) for therapy in result["therapies"]}


@pytest.fixture
def example_patient(people: Personas, today: Any) -> Any:
    """The type 2 example (UK) as a record of the parent's, with its treatment, on the frozen date."""
    today(AS_OF)
    document = {k: v for k, v in _example_document().items() if k not in ("treatments", "assessments", "id")}
    patient = patient_create(author=people.parent, display_name="Tess", document=document, as_of=AS_OF)
    for treatment in _example_document()["treatments"]:
        treatment_record(
            author=people.parent,
            patient_id=patient.pk,
            therapy=treatment["therapy"],
            start_date=dt.date.fromisoformat(treatment["start_date"]),
            end_date=None if treatment["end_date"] is None else dt.date.fromisoformat(treatment["end_date"]),
            as_of=AS_OF,
        )
    return patient


def test_the_example_meets_every_status() -> None:
    """The record the places are rendered with has all five statuses, so every wording is checked."""
    result = evaluate(_example_document(), as_of=AS_OF)
    assert _statuses(result) == set(THERAPY_STATUS_WORDS)


def test_cli_text_report() -> None:
    result = evaluate(_example_document(), as_of=AS_OF)
    text = " ".join(render_evaluation_text(result).split())
    assert_one_wording(text, _statuses(result), "UK")


@pytest.mark.django_db
def test_evaluation_page(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    from smanav.web import views

    monkeypatch.setattr(views.timezone, "localdate", lambda: AS_OF)
    response = client.post(
        "/evaluate/", {"record": EXAMPLE.read_text(encoding="utf-8"), "as_of": AS_OF.isoformat()}
    )
    assert response.status_code == 200
    result = evaluate(_example_document(), as_of=AS_OF)
    assert_one_wording(visible_text(response.content.decode()), _statuses(result), "UK")


@pytest.mark.django_db
def test_record_page(example_patient: Any, people: Personas) -> None:
    page = log_in(Client(), people.parent).get(reverse("patients:detail", args=[example_patient.pk]))
    assert page.status_code == 200
    statuses = _statuses(page.context["evaluation"])
    assert len(statuses) >= 4, statuses
    assert_one_wording(visible_text(page.content.decode()), statuses, "UK")


@pytest.mark.django_db
def test_pdf(example_patient: Any, people: Personas, tmp_path: Path) -> None:
    client = log_in(Client(), people.parent)
    response = client.get(reverse("careplans:pdf", args=[example_patient.pk]))
    assert response.status_code == 200
    path = tmp_path / "plan.pdf"
    path.write_bytes(response.content)
    try:
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
    except FileNotFoundError:
        require_or_skip("pdftotext (poppler-utils) is not installed")
    record = {**_example_document(), "assessments": []}
    statuses = _statuses(evaluate(record, as_of=AS_OF))
    assert_one_wording(" ".join(text.split()), statuses, "UK")


@pytest.mark.django_db
def test_worklist(people: Personas, today: Any) -> None:
    """The worklist names a record that cannot be evaluated yet with the needs-information words."""
    today(AS_OF)
    # No region: the core cannot say which approvals apply, so the record needs information.
    unplaced = patient_create(
        author=people.parent, display_name="Uma", document={"birth_date": "2024-02-02"}, as_of=AS_OF
    )
    clinic_share_invite(author=people.parent, patient_id=unplaced.pk, clinic=people.clinic)
    page = log_in(Client(), people.clinician).get(reverse("patients:worklist"))
    text = visible_text(page.content.decode())
    assert "Uma" in text
    assert OTHER_WORDS.search(text) is None
    assert therapy_status_words("needs_information").capitalize() in text


def test_an_old_evaluation_without_age_days_still_has_every_status_named_alike() -> None:
    """Documents stored before `age_days` existed render through the same words."""
    result = evaluate(_example_document(), as_of=dt.date(2026, 11, 21))
    result.pop("age_days")
    text = " ".join(render_evaluation_text(result).split())
    assert_one_wording(text, _statuses(result), "UK")
