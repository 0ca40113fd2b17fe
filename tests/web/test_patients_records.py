"""Records: the forms show the core's problems next to the fields, every change is kept as a version,
double submissions create one record, and a stale save never overwrites someone else's change."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from tests.web.personas import AS_OF, Personas, log_in, people_fixture  # noqa: F401

from smanav.patients import entries
from smanav.patients.models import Patient, PatientRecordVersion, PatientSummary
from smanav.patients.seam import record_for_patient
from smanav.patients.services import (
    NotInRecord,
    StaleRecord,
    assessment_record,
    patient_update,
    treatment_end,
    treatment_record,
)
from smanav_core import InvalidInput, load_knowledge
from smanav_core.codes import Instrument

NEW_CHILD = {
    "form_key": "key-1",
    "relation": "parent",
    "display_name": "Dora",
    "birth_date": "2026-11-10",
    "region": "US",
    "genetics__smn1_copies": "0",
    "genetics__smn2_copies": "2",
    "genetics__method": "newborn_screening",
    "clinical__symptomatic": "false",
}


@pytest.mark.django_db
def test_new_child_from_a_newborn_screen_is_saved_with_its_first_version(people: Personas) -> None:
    client = log_in(Client(), people.parent)
    response = client.post(reverse("patients:new"), NEW_CHILD)
    assert response.status_code == 302
    patient = Patient.objects.get(display_name="Dora")
    assert patient.genetics == {"smn1_copies": 0, "smn2_copies": 2, "method": "newborn_screening"}
    assert patient.clinical == {"symptomatic": False}
    assert patient.labs is None  # nothing typed: not known, never "normal"
    assert patient.guardians.get().user == people.parent
    version = patient.versions.get()
    assert version.version == 1
    assert version.author == people.parent
    assert version.record["genetics"]["smn2_copies"] == 2


@pytest.mark.django_db
def test_double_submitted_new_record_form_creates_one_record(people: Personas) -> None:
    client = log_in(Client(), people.parent)
    first = client.post(reverse("patients:new"), NEW_CHILD)
    second = client.post(reverse("patients:new"), NEW_CHILD)
    assert Patient.objects.filter(display_name="Dora").count() == 1
    assert first["Location"] == second["Location"]


@pytest.mark.django_db
def test_form_shows_the_cores_problems_in_the_forms_words_next_to_the_fields(people: Personas) -> None:
    client = log_in(Client(), people.parent)
    data = {**NEW_CHILD, "birth_date": "2026-02-30", "genetics__smn2_copies": "-1", "weight_kg": "heavy"}
    response = client.post(reverse("patients:new"), data)
    assert response.status_code == 422
    form = response.context["form"]
    # The core checks types first: a bad date and a bad weight are reported, each on its own field, named
    # as the form labels it, saying what to do, without the contract's path or notation.
    assert form.errors["birth_date"] == ["Date of birth must be a real date, for example 27 3 2024"]
    assert form.errors["weight_kg"] == ["Current weight must be a number, like 12.5"]
    assert form.errors["genetics__smn2_copies"] == ["SMN2 copies must be a whole number from 0 to 8"]
    # What the page says (its text, not its markup, where field ids keep their names).
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    for developer_words in ("birth_date", "genetics.smn2_copies", "null", "(got", "YYYY"):
        assert developer_words not in text
    assert not Patient.objects.filter(display_name="Dora").exists()


@pytest.mark.django_db
def test_missing_birth_date_asks_for_it_by_its_label(people: Personas) -> None:
    client = log_in(Client(), people.parent)
    response = client.post(reverse("patients:new"), {**NEW_CHILD, "birth_date": ""})
    assert response.context["form"].errors["birth_date"] == ["Enter date of birth"]


@pytest.mark.django_db
def test_assessment_form_names_the_measure_and_its_limits(people: Personas) -> None:
    client = log_in(Client(), people.parent)
    url = reverse("patients:assessment_new", args=[people.shared_child.pk])
    response = client.post(
        url, {"form_key": "a1", "date": "2026-11-01", "instrument": "HFMSE", "value": "70"}
    )
    errors = response.context["form"].errors["value"]
    assert errors == ["HFMSE must be from 0 to 66"]
    assert "assessments[" not in response.content.decode()
    response = client.post(
        url, {"form_key": "a2", "date": "2030-01-01", "instrument": "HFMSE", "value": "20"}
    )
    assert response.context["form"].errors["date"] == ["Date of the measurement must be today or in the past"]


@pytest.mark.django_db
def test_double_submitted_measurement_is_recorded_once(people: Personas) -> None:
    client = log_in(Client(), people.parent)
    url = reverse("patients:assessment_new", args=[people.shared_child.pk])
    data = {"form_key": "same-key", "date": "2026-11-01", "instrument": "HFMSE", "value": "28"}
    client.post(url, data)
    client.post(url, data)
    assert people.shared_child.assessments.filter(date=dt.date(2026, 11, 1)).count() == 1


@pytest.mark.django_db
def test_stale_edit_is_refused_and_overwrites_nothing(people: Personas) -> None:
    patient = people.shared_child
    patient.refresh_from_db()
    base = patient.version
    document = record_for_patient(patient)
    document.pop("treatments"), document.pop("assessments"), document.pop("id")
    patient_update(
        author=people.clinician,
        patient_id=patient.pk,
        base_version=base,
        display_name="Ada",
        document={**document, "weight_kg": 18},
        as_of=AS_OF,
    )
    with pytest.raises(StaleRecord):
        patient_update(
            author=people.parent,
            patient_id=patient.pk,
            base_version=base,
            display_name="Ada",
            document={**document, "weight_kg": 25},
            as_of=AS_OF,
        )
    patient.refresh_from_db()
    assert patient.weight_kg == 18


@pytest.mark.django_db
def test_stale_edit_through_the_form_says_so(people: Personas) -> None:
    patient = people.shared_child
    parent = log_in(Client(), people.parent)
    url = reverse("patients:edit", args=[patient.pk])
    opened = parent.get(url).context["form"].initial
    assessment_record(
        author=people.clinician,
        patient_id=patient.pk,
        date=dt.date(2026, 11, 2),
        instrument="RULM",
        value=20,
        as_of=AS_OF,
    )
    data = {k: ("" if v is None else v) for k, v in opened.items()}
    data["weight_kg"] = "19"
    response = parent.post(url, data)
    assert response.status_code == 409
    assert "Someone else saved this record" in str(response.context["form"].non_field_errors())
    patient.refresh_from_db()
    assert patient.weight_kg is None


@pytest.mark.django_db
def test_every_change_is_a_version_with_author_and_whole_record(people: Personas) -> None:
    patient = people.shared_child
    before = patient.versions.count()
    assessment_record(
        author=people.clinician,
        patient_id=patient.pk,
        date=dt.date(2026, 11, 2),
        instrument="RULM",
        value=20,
        as_of=AS_OF,
    )
    latest = PatientRecordVersion.objects.filter(patient=patient).order_by("-version").first()
    assert patient.versions.count() == before + 1
    assert latest is not None
    assert latest.author == people.clinician
    assert {"date": "2026-11-02", "instrument": "RULM", "value": 20} in latest.record["assessments"]


@pytest.mark.django_db
def test_a_change_reads_the_rows_to_check_them_and_once_more_for_what_it_keeps(people: Personas) -> None:
    patient = people.shared_child
    with CaptureQueriesContext(connection) as captured:
        assessment_record(
            author=people.clinician,
            patient_id=patient.pk,
            date=dt.date(2026, 11, 20),
            instrument="RULM",
            value=20,
            as_of=AS_OF,
        )
    reads = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith("SELECT") and ' FROM "patients_assessment"' in query["sql"]
    ]
    assert len(reads) == 2, reads
    # The version and the worklist summary both hold the record as saved, with the new measurement.
    latest = patient.versions.order_by("-version").first()
    assert latest is not None
    assert {"date": "2026-11-20", "instrument": "RULM", "value": 20} in latest.record["assessments"]
    summary = PatientSummary.objects.get(patient=patient)
    assert summary.last_assessment_on == dt.date(2026, 11, 20)


@pytest.mark.django_db
def test_removed_measurement_stays_in_the_history(people: Personas) -> None:
    client = log_in(Client(), people.parent)
    patient = people.shared_child
    assessment = patient.assessments.get(instrument="HFMSE")
    response = client.post(reverse("patients:assessment_delete", args=[patient.pk, assessment.pk]))
    assert response.status_code == 302
    assert not patient.assessments.filter(instrument="HFMSE").exists()
    older = patient.versions.order_by("-version")[1]
    assert "HFMSE" in [a["instrument"] for a in older.record["assessments"]]
    history = client.get(reverse("patients:history", args=[patient.pk]))
    assert "removed" in history.content.decode()


@pytest.mark.django_db
def test_treatment_end_before_start_is_refused_with_the_cores_message(people: Personas) -> None:
    client = log_in(Client(), people.parent)
    patient = people.shared_child
    client.post(
        reverse("patients:treatment_new", args=[patient.pk]),
        {"form_key": "t1", "therapy": "nusinersen", "start_date": "2021-01-01"},
    )
    treatment = patient.treatments.get()
    assert treatment.end_date is None
    response = client.post(
        reverse("patients:treatment_end", args=[patient.pk, treatment.pk]),
        {"form_key": "t2", "end_date": "2020-01-01"},
    )
    assert response.context["form"].errors["end_date"] == [
        "End date must be on or after the day the treatment started"
    ]


@pytest.mark.django_db
def test_only_an_ongoing_treatment_of_this_record_can_be_ended(people: Personas) -> None:
    ada, ben = people.shared_child, people.private_child
    treatment_record(
        author=people.parent,
        patient_id=ben.pk,
        therapy="risdiplam",
        start_date=dt.date(2026, 11, 5),
        end_date=None,
        as_of=AS_OF,
    )
    bens = ben.treatments.get()
    client = log_in(Client(), people.parent)
    through_ada = reverse("patients:treatment_end", args=[ada.pk, bens.pk])
    assert client.get(through_ada).status_code == 404
    assert client.post(through_ada, {"form_key": "e1", "end_date": "2026-11-20"}).status_code == 404
    with pytest.raises(NotInRecord):
        treatment_end(
            author=people.parent,
            patient_id=ada.pk,
            treatment_id=bens.pk,
            end_date=dt.date(2026, 11, 20),
            as_of=AS_OF,
        )
    bens.refresh_from_db()
    assert bens.end_date is None
    own = reverse("patients:treatment_end", args=[ben.pk, bens.pk])
    assert client.post(own, {"form_key": "e2", "end_date": "2026-11-20"}).status_code == 302
    bens.refresh_from_db()
    assert bens.end_date is not None
    assert client.get(own).status_code == 404  # ended: nothing left to end


@pytest.mark.django_db
def test_what_was_sent_is_parsed_with_the_cores_words_before_any_service_runs(people: Personas) -> None:
    with pytest.raises(InvalidInput) as error:
        entries.parse_assessment(people.shared_child, date="2026-11-01", instrument="NOT_A_SCALE", value=3)
    assert error.value.problems[0][0] == "assessments[2].instrument"
    parsed = entries.parse_assessment(people.shared_child, date="2026-11-01", instrument="HFMSE", value=31)
    assert parsed == entries.AssessmentEntry(dt.date(2026, 11, 1), Instrument.HFMSE, 31.0)


@pytest.mark.django_db
def test_evaluation_page_shows_the_core_answer_in_both_views(people: Personas) -> None:
    client = log_in(Client(), people.parent)
    url = reverse("patients:detail", args=[people.shared_child.pk])
    family = client.get(url).content.decode()
    assert "Treatment options in" in family
    clinician = client.get(url, {"view": "clinician", "region": "EU"}).content.decode()
    assert "European Union" in clinician
    assert "Knowledge base version" in clinician


@pytest.mark.django_db
def test_evaluation_page_opens_in_the_clinician_view_for_clinic_staff_only(people: Personas) -> None:
    url = reverse("patients:detail", args=[people.shared_child.pk])
    views = {
        role: log_in(Client(), people.by_role(role)).get(url).context["view_mode"]
        for role in ("parent", "clinician", "coordinator")
    }
    assert views == {"parent": "family", "clinician": "clinician", "coordinator": "clinician"}
    parent = log_in(Client(), people.parent)
    assert parent.get(url, {"view": "clinician"}).context["view_mode"] == "clinician"
    assert parent.get(url, {"view": "everything"}).context["view_mode"] == "family"


@pytest.mark.django_db
def test_evaluation_page_takes_a_known_region_or_the_records_own(people: Personas) -> None:
    client = log_in(Client(), people.parent)
    url = reverse("patients:detail", args=[people.shared_child.pk])
    assert client.get(url, {"region": "JP"}).context["region"] == "JP"
    assert client.get(url, {"region": "Atlantis"}).context["region"] == "US"
    assert client.get(url).context["region"] == "US"


@pytest.mark.django_db
def test_evaluation_page_reads_the_records_rows_once(people: Personas) -> None:
    client = log_in(Client(), people.parent)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("patients:detail", args=[people.shared_child.pk]))
    assert page.status_code == 200
    assert "HFMSE" in page.content.decode()
    tables = [
        query["sql"].split(" FROM ", 1)[1].split()[0]
        for query in captured.captured_queries
        if query["sql"].startswith("SELECT")
    ]
    for table in ('"patients_assessment"', '"patients_treatment"', '"patients_guardian"'):
        assert tables.count(table) == 1, (table, tables)


@pytest.mark.django_db
def test_evaluation_page_without_region_asks_for_one(people: Personas) -> None:
    client = log_in(Client(), people.parent)
    patient = people.private_child
    Patient.objects.filter(pk=patient.pk).update(region="")
    page = client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert "needs more information" in page
    assert "Choose the region whose treatment approvals apply to Ben" in page
    assert "--region" not in page and "?region=" not in page


@pytest.mark.django_db
def test_family_invites_and_withdraws_a_clinic(people: Personas) -> None:
    client = log_in(Client(), people.parent)
    patient = people.private_child
    clinician = log_in(Client(), people.clinician)
    assert clinician.get(reverse("patients:detail", args=[patient.pk])).status_code == 404
    client.post(reverse("patients:sharing", args=[patient.pk]), {"clinic": people.clinic.pk})
    assert clinician.get(reverse("patients:detail", args=[patient.pk])).status_code == 200
    share = patient.shares.get(withdrawn_at__isnull=True)
    client.post(reverse("patients:share_withdraw", args=[patient.pk, share.pk]))
    assert clinician.get(reverse("patients:detail", args=[patient.pk])).status_code == 404
    share.refresh_from_db()
    assert share.withdrawn_by == people.parent  # withdrawn, not deleted


@pytest.mark.django_db
def test_parent_dashboard_lists_both_children_in_constant_queries(
    people: Personas, django_assert_max_num_queries: object
) -> None:
    client = log_in(Client(), people.parent)
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        page = client.get(reverse("patients:dashboard")).content.decode()
    assert "Ada" in page
    assert "Ben" in page
    assert "Cleo" not in page


@pytest.mark.django_db
def test_history_describes_each_change_in_the_readers_locale(people: Personas) -> None:
    """Versions keep the change as a code with its values, so pages write dates the reader's way."""
    patient = people.shared_child
    assessment_record(
        author=people.clinician,
        patient_id=patient.pk,
        date=dt.date(2026, 11, 2),
        instrument="RULM",
        value=20.5,
        as_of=AS_OF,
    )
    latest = patient.versions.order_by("-version").first()
    assert latest is not None
    assert latest.change == "assessment_recorded"
    assert latest.change_values == {"instrument": "RULM", "value": "20.5", "date": "2026-11-02"}
    # The audit log and the API keep the fixed English sentence.
    assert latest.summary == "RULM 20.5 on 2026-11-02 recorded"
    template = Template("{% load records %}{{ row|change_text }}")
    with translation.override("en"):
        english = template.render(Context({"row": latest}))
    with translation.override("de"):
        german = template.render(Context({"row": latest}))
    assert "20.5" in english and "Nov" in english and "2026-11-02" not in english
    # German formats (shipped with Django) write the decimal comma and the day first.
    assert "20,5" in german and "2. November 2026" in german
    history = log_in(Client(), people.parent).get(reverse("patients:history", args=[patient.pk]))
    assert english in history.content.decode()


@pytest.mark.django_db
def test_history_rows_from_before_change_codes_show_their_stored_sentence(people: Personas) -> None:
    latest = people.shared_child.versions.order_by("-version").first()
    assert latest is not None
    latest.change, latest.change_values, latest.summary = "", {}, "imported from the old system"
    template = Template("{% load records %}{{ row|change_text }}")
    assert template.render(Context({"row": latest})) == "imported from the old system"
    latest.change, latest.change_values = "assessment_recorded", {"instrument": "RULM"}
    assert template.render(Context({"row": latest})) == "imported from the old system"


@pytest.mark.django_db
def test_dates_follow_the_browsers_english_variant_and_other_languages_fall_back_to_english(
    people: Personas,
) -> None:
    patient = people.shared_child
    assessment_record(
        author=people.clinician,
        patient_id=patient.pk,
        date=dt.date(2026, 11, 2),
        instrument="RULM",
        value=20,
        as_of=AS_OF,
    )
    client = log_in(Client(), people.parent)
    url = reverse("patients:history", args=[patient.pk])
    british = client.get(url, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8").content.decode()
    assert '<html lang="en-gb">' in british
    assert "RULM 20 added for 2 Nov 2026" in british
    american = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.8").content.decode()
    assert '<html lang="en">' in american
    assert "RULM 20 added for Nov. 2, 2026" in american
    # No German text ships yet: the page stays English and says so to screen readers, with the dates
    # of English outside the United States (day before month), as a reader in Germany writes them.
    german = client.get(url, HTTP_ACCEPT_LANGUAGE="de-DE,de").content.decode()
    assert '<html lang="en-gb">' in german
    assert "RULM 20 added for 2 Nov 2026" in german
    # A language without a country says nothing about dates: United States English, the default.
    unplaced = client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="en">' in unplaced


@pytest.mark.django_db
def test_weight_and_height_show_everyday_units_of_the_readers_country(people: Personas) -> None:
    """The reader's country: a family's records first (all of this parent's are in the US), else the
    browser's (a clinician's), see `smanav.user_locale`."""
    patient = people.shared_child
    for instrument, value in (("WEIGHT_KG", 12.5), ("HEIGHT_CM", 90)):
        assessment_record(
            author=people.clinician,
            patient_id=patient.pk,
            date=dt.date(2026, 11, 2),
            instrument=instrument,
            value=value,
            as_of=AS_OF,
        )
    url = reverse("patients:detail", args=[patient.pk])
    clinician = log_in(Client(), people.clinician)
    american = clinician.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.8").content.decode()
    assert "12.5 (27.6 lb)" in american
    assert "90 (35.4 in)" in american
    british = clinician.get(url, HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    assert "12.5" in british and " lb)" not in british and " in)" not in british
    parent = log_in(Client(), people.parent)
    at_home = parent.get(url, HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    assert "12.5 (27.6 lb)" in at_home  # a US family reading in British English
    Patient.objects.filter(guardians__user=people.parent).update(region="UK")
    moved = parent.get(url, HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert "12.5" in moved and " lb)" not in moved


@pytest.mark.django_db
def test_families_read_when_the_knowledge_was_reviewed_and_clinicians_its_version(people: Personas) -> None:
    version = load_knowledge().version
    url = reverse("patients:detail", args=[people.shared_child.pk])
    family = log_in(Client(), people.parent).get(url).content.decode()
    assert version not in family
    assert "Medical information last reviewed on" in family
    assert "This advice rests on medical information last reviewed on" in family
    clinician = log_in(Client(), people.clinician).get(url).content.decode()
    assert clinician.count(version) == 2  # the record's provenance line and the footer
    assert "Medical information last reviewed on" not in clinician
    for reader in (Client(), log_in(Client(), people.parent)):
        assert version not in reader.get(reverse("sources")).content.decode()
