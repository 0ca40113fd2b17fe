"""The research export: golden files, only consented patients, stable pseudonyms per project, dates
shifted or coarsened, no free text, a folder that is whole or absent, refusals that write nothing."""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from tests.web.personas import Personas, people_fixture  # noqa: F401 (a fixture)

from smanav.audit.models import AuditAction, AuditEvent
from smanav.patients.models import GuardianRelation, Patient
from smanav.patients.services import dose_record, patient_create, treatment_record
from smanav.registry import exports, reporting, services
from smanav.registry.exports import ExportRefused, research_export_write
from smanav_core.codes import Regimen, TreatmentTherapy

ON = dt.date(2027, 1, 10)
GOLDEN = Path(__file__).parent / "golden" / "registry_export"
KEY = "a test key of the research pseudonyms, not a real one"
FILES = (
    "patients.csv",
    "treatments.csv",
    "assessments.csv",
    "reported.csv",
    "data_dictionary.csv",
    "README.txt",
)


@pytest.fixture(name="cohort")
def cohort_fixture(people: Personas, settings: Any) -> dict[str, Patient]:
    """Ada (a parent's research consent), Cleo (her own), Ben (never asked), Dan (withdrew)."""
    settings.SMANAV_PSEUDONYM_KEY = KEY
    settings.SMANAV_RESEARCH_DATES = "month"
    course = treatment_record(
        author=people.parent,
        patient_id=people.shared_child.pk,
        therapy=TreatmentTherapy.NUSINERSEN,
        start_date=dt.date(2025, 2, 3),
        end_date=None,
        regimen=Regimen.NUSINERSEN_12MG,
        as_of=ON,
    )
    assert course is not None
    dose_record(
        author=people.parent,
        patient_id=people.shared_child.pk,
        treatment_id=course.pk,
        date=dt.date(2025, 2, 3),
        amount_mg=12,
        given_by="Dr Secret at the Free Text Hospital",
        as_of=ON,
    )
    withdrawn = patient_create(
        author=people.adult,
        display_name="Dan",
        document={"birth_date": "1985-07-07", "region": "UK"},
        as_of=ON,
        relation=GuardianRelation.SELF,
    )
    for author, patient in (
        (people.parent, people.shared_child),
        (people.adult, people.adult_record),
        (people.adult, withdrawn),
    ):
        services.consent_give(author=author, patient_id=patient.pk, purpose="research", text_version=1, on=ON)
    services.consent_withdraw(author=people.adult, patient_id=withdrawn.pk, purpose="research")
    _reports(people, withdrawn)
    return {
        "ada": people.shared_child,
        "cleo": people.adult_record,
        "ben": people.private_child,
        "dan": withdrawn,
    }


def _reports(people: Personas, withdrawn: Patient) -> None:
    """Ada: the family and the clinic disagree on the first signs (open) and on feeding (the clinic
    chose the family's value); a hospital stay reported by the clinic, an unwanted effect with free
    text, and a report taken back. Dan (withdrawn) reported too."""
    clinician = people.clinician
    clinician.is_verified = lambda: True  # as django-otp's middleware marks a checked session
    ada = people.shared_child.pk
    family, clinic = people.parent, clinician
    for author, item, extra in (
        (family, "symptom_onset", {"number": 8}),
        (clinic, "symptom_onset", {"number": 11.5}),
        (family, "feeding", {"code": "gastrostomy", "date": dt.date(2024, 6, 1)}),
        (clinic, "feeding", {"code": "oral"}),
        (
            clinic,
            "hospital_stay",
            {"code": "breathing", "date": dt.date(2024, 1, 2), "end_date": dt.date(2024, 1, 9)},
        ),
        (
            family,
            "adverse_event",
            {"code": "nusinersen", "date": dt.date(2025, 2, 4), "note": "Secret headache"},
        ),
        (family, "milestone_achieved", {"code": "sits_independently", "date": dt.date(2021, 1, 5)}),
    ):
        reporting.reported_value_add(author=author, patient_id=ada, item=item, on=ON, **extra)
    taken_back = reporting.reported_value_add(
        author=family, patient_id=ada, item="ventilation_hours", number=3, on=ON
    )
    reporting.reported_value_remove(author=family, patient_id=ada, value_id=taken_back.pk)
    reporting.conflict_resolve(
        author=clinic,
        patient_id=ada,
        key="feeding",
        family_value="gastrostomy",
        clinic_value="oral",
        decision="family",
    )
    reporting.reported_value_add(
        author=people.adult, patient_id=withdrawn.pk, item="symptom_onset", number=300, on=ON
    )


def _read(folder: Path, name: str) -> list[dict[str, str]]:
    with open(folder / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _normalised(folder: Path) -> dict[str, str]:
    """Each file's text with the pseudonyms written P1, P2, ... in the order of patients.csv (they
    depend on database ids, which differ between databases)."""
    codes = {row["pseudonym"]: f"P{n}" for n, row in enumerate(_read(folder, "patients.csv"), start=1)}
    texts = {}
    for name in FILES:
        text = (folder / name).read_text(encoding="utf-8")
        for code, label in codes.items():
            text = text.replace(code, label)
        texts[name] = text
    return texts


def test_the_export_matches_the_golden_files(cohort: dict[str, Patient], tmp_path: Path) -> None:
    research_export_write(project="golden-project", out=tmp_path / "export", on=ON)
    texts = _normalised(tmp_path / "export")
    if os.environ.get("SMANAV_WRITE_GOLDEN"):
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for name, text in texts.items():
            (GOLDEN / name).write_text(text, encoding="utf-8")
    for name, text in texts.items():
        assert text == (GOLDEN / name).read_text(encoding="utf-8"), name


def test_only_patients_whose_research_consent_counts_are_exported(
    cohort: dict[str, Patient], tmp_path: Path, settings: Any
) -> None:
    research_export_write(project="p1", out=tmp_path / "export", on=ON)
    names = exports.Pseudonymiser(
        key=KEY.encode(), project="p1", dates=exports.DateHandling(mode="month", shift_days=182)
    )
    every_file = "".join((tmp_path / "export" / name).read_text(encoding="utf-8") for name in FILES)
    exported = {row["pseudonym"] for row in _read(tmp_path / "export", "patients.csv")}
    assert exported == {names.pseudonym(cohort["ada"].pk), names.pseudonym(cohort["cleo"].pk)}
    for absent in ("ben", "dan"):
        assert names.pseudonym(cohort[absent].pk) not in every_file
    events = AuditEvent.objects.filter(action=AuditAction.EXPORT, what="research export of project p1")
    assert sorted(events.values_list("patient_id", flat=True)) == sorted(
        [cohort["ada"].pk, cohort["cleo"].pk]
    )


def test_no_free_text_leaves(cohort: dict[str, Patient], tmp_path: Path) -> None:
    research_export_write(project="p1", out=tmp_path / "export", on=ON)
    every_file = "".join((tmp_path / "export" / name).read_text(encoding="utf-8") for name in FILES)
    for text in ("Ada", "Cleo", "Dr Secret", "Free Text Hospital", "display_name", "given_by", "headache"):
        assert text not in every_file
    assert "id" not in _read(tmp_path / "export", "patients.csv")[0]


def test_pseudonyms_are_stable_in_a_project_and_differ_between_projects(
    cohort: dict[str, Patient], tmp_path: Path
) -> None:
    for folder, project in (("a", "p1"), ("b", "p1"), ("c", "p2")):
        research_export_write(project=project, out=tmp_path / folder, on=ON)
    codes = {f: [r["pseudonym"] for r in _read(tmp_path / f, "patients.csv")] for f in "abc"}
    assert codes["a"] == codes["b"]
    assert not set(codes["a"]) & set(codes["c"])


def test_shifted_dates_keep_intervals_and_hide_the_real_dates(
    cohort: dict[str, Patient], tmp_path: Path, settings: Any
) -> None:
    settings.SMANAV_RESEARCH_DATES = "shift"
    research_export_write(project="p1", out=tmp_path / "export", on=ON)
    ada = cohort["ada"]
    [row] = [r for r in _read(tmp_path / "export", "patients.csv") if r["smn2_copies"] == "3"]
    [course] = _read(tmp_path / "export", "treatments.csv")
    birth, start = dt.date.fromisoformat(row["birth_date"]), dt.date.fromisoformat(course["start_date"])
    assert birth != ada.birth_date
    assert 0 < abs((birth - ada.birth_date).days) <= 182
    assert (start - birth) == (dt.date(2025, 2, 3) - ada.birth_date)
    assert course["doses_recorded"] == "1"


def test_dates_cut_to_the_year(cohort: dict[str, Patient], tmp_path: Path, settings: Any) -> None:
    settings.SMANAV_RESEARCH_DATES = "year"
    research_export_write(project="p1", out=tmp_path / "export", on=ON)
    assert sorted(r["birth_date"] for r in _read(tmp_path / "export", "patients.csv")) == ["1990", "2020"]


def test_an_export_stopped_half_way_leaves_no_folder(
    cohort: dict[str, Patient], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def stop(folder: Path) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(exports, "_write_dictionary", stop)
    with pytest.raises(KeyboardInterrupt):
        research_export_write(project="p1", out=tmp_path / "export", on=ON)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SMANAV_RESEARCH_DATES": "day"}, "SMANAV_RESEARCH_DATES: must be one of shift, month, year"),
        ({"SMANAV_PSEUDONYM_KEY": "short"}, "SMANAV_PSEUDONYM_KEY: must be at least 32 characters"),
        ({"SMANAV_PSEUDONYM_KEY": "", "DEBUG": False}, "SMANAV_PSEUDONYM_KEY: not set"),
    ],
)
def test_settings_that_cannot_protect_the_data_refuse_the_export(
    cohort: dict[str, Patient], tmp_path: Path, settings: Any, change: dict[str, Any], message: str
) -> None:
    for name, value in change.items():
        setattr(settings, name, value)
    with pytest.raises(ExportRefused, match=message):
        research_export_write(project="p1", out=tmp_path / "export", on=ON)
    assert list(tmp_path.iterdir()) == []


def test_the_command_names_what_is_wrong(cohort: dict[str, Patient], tmp_path: Path, capsys: Any) -> None:
    with pytest.raises(CommandError, match="--project: must be 2 to 63 lower-case letters"):
        call_command("registry_export", "--project", "Bad Name", "--out", str(tmp_path / "x"))
    (tmp_path / "taken").mkdir()
    with pytest.raises(CommandError, match="exists already"):
        call_command("registry_export", "--project", "p1", "--out", str(tmp_path / "taken"))
    call_command(
        "registry_export", "--project", "p1", "--out", str(tmp_path / "fine"), "--as-of", ON.isoformat()
    )
    assert "2 patients, 1 treatment courses" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fine", "taken"]


def test_the_export_says_who_reported_each_value(cohort: dict[str, Patient], tmp_path: Path) -> None:
    research_export_write(project="p1", out=tmp_path / "export", on=ON)
    rows = [
        (row["item"], row["reported_by"], row["code"], row["number"], row["conflict"])
        for row in _read(tmp_path / "export", "reported.csv")
    ]
    assert rows == [
        ("symptom_onset", "family", "", "8", "open"),
        ("symptom_onset", "clinic", "", "11.5", "open"),
        ("feeding", "family", "gastrostomy", "", "family"),
        ("feeding", "clinic", "oral", "", "family"),
        ("hospital_stay", "clinic", "breathing", "", ""),
        ("adverse_event", "family", "nusinersen", "", ""),
        ("milestone_achieved", "family", "sits_independently", "", ""),
    ]
    patients = {row["clinical_reported_by"] for row in _read(tmp_path / "export", "patients.csv")}
    # Ada's and Cleo's clinical status were written by their families (the personas' records).
    assert patients == {"family"}
    dictionary = _read(tmp_path / "export", "data_dictionary.csv")
    assert [r["column"] for r in dictionary if r["file"] == "reported.csv"] == [
        "pseudonym",
        "item",
        "reported_by",
        "code",
        "number",
        "date",
        "end_date",
        "conflict",
    ]
