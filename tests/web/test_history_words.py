"""A record's history reads as sentences: what was added or changed, from what to what, and by whom; a
kept version reads as words, not as a data structure."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from tests.web.personas import AS_OF, Personas, log_in, people_fixture  # noqa: F401

from smanav.patients.services import assessment_record, patient_update


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.django_db
def test_history_says_what_changed_from_what_to_what_and_by_whom(people: Personas) -> None:
    people.clinician.first_name, people.clinician.last_name = "Ana", "Ruiz"
    people.clinician.save()
    child = people.shared_child
    assessment_record(
        author=people.clinician,
        patient_id=child.pk,
        date=dt.date(2026, 11, 3),
        instrument="WEIGHT_KG",
        value=14.2,
        as_of=AS_OF,
    )
    child.refresh_from_db()
    patient_update(
        author=people.parent,
        patient_id=child.pk,
        base_version=child.version,
        display_name="Ada",
        document={
            "birth_date": "2020-03-01",
            "region": "US",
            "genetics": {"smn1_copies": 0, "smn2_copies": 4, "method": "mlpa"},
            "clinical": {
                "symptomatic": True,
                "symptom_onset_age_months": 10,
                "max_motor_milestone": "sits_independently",
                "current_motor_function": "sitter",
            },
        },
        as_of=AS_OF,
    )
    client = log_in(Client(), people.parent)
    with_lang = {"HTTP_ACCEPT_LANGUAGE": "en-GB"}
    text = _text(client.get(reverse("patients:history", args=[child.pk]), **with_lang).content.decode())
    assert "Weight 14.2 kg added for 3 Nov 2026, by Ana Ruiz." in text
    assert "SMN2 copies changed from 3 to 4, by parent." in text
    version = _text(
        client.get(
            reverse("patients:version", args=[child.pk, child.version + 1]), **with_lang
        ).content.decode()
    )
    assert "Weight 14.2 kg on 3 Nov 2026" in version
    assert "Test method MLPA" in version
    for developer_words in ("{'", "smn2_copies", "WEIGHT_KG", "None"):
        assert developer_words not in version
