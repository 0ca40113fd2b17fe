# ruff: noqa: E501  (rows of the sample files are kept one per line, as they appear in the file)
"""Importers on small files in the real formats, written for these tests, including malformed rows."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from smanav.directory.disciplines import DISCIPLINE_BITS, disciplines_of
from smanav.directory.importing import writer as writer_module
from smanav.directory.importing.curated_csv import import_curated_csv
from smanav.directory.importing.nppes import import_nppes
from smanav.directory.importing.nppes_layout import NPPES_HEADER, npi_with_check_digit
from smanav.directory.importing.report import ImportFormatError
from smanav.directory.models import Organisation, Site
from smanav.geo.models import Place, PostalCode
from smanav.geo.names import name_key, postal_key
from smanav.trials.importing import import_trials
from smanav.trials.models import Trial, TrialSite

pytestmark = pytest.mark.django_db

CSV_HEADER = "source,source_id,organisation_id,organisation,kind,site_name,city,region,postal_code,country,latitude,longitude,languages,disciplines,ages,last_verified\n"


@pytest.fixture
def gazetteer(db: None) -> None:
    for cc, code, lat, lon in [
        ("US", "02115", 42.3429, -71.0907),
        ("US", "19104", 39.9597, -75.1968),
        ("DE", "80331", 48.1374, 11.5755),
    ]:
        PostalCode.objects.create(
            country_code=cc, code=code, key=postal_key(code), latitude=lat, longitude=lon
        )
    Place.objects.create(
        geonameid=1,
        name="Lyon",
        key=name_key("Lyon"),
        country_code="FR",
        latitude=45.748,
        longitude=4.847,
        population=500000,
    )


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- curated CSV ------------------------------------------------------------------------------------

GOOD_AND_BAD = (
    CSV_HEADER
    + "list A,a1,org1,Centre One,neuromuscular_centre,Centre One Boston,Boston,MA,02115,US,,,en;es,neurology;physiotherapy,children,2026-01-02\n"
    + "list A,a2,org1,Centre One,neuromuscular_centre,Centre One Lyon,Lyon,,,FR,,,fr,neurology,adults,2026-01-02\n"
    + "list A,a3,org2,Bad Kind,spaceship,,Boston,MA,02115,US,,,,neurology,,2026-01-02\n"  # line 4
    + "list A,a4,org3,No Date,clinic,,Boston,MA,02115,US,,,,neurology,,\n"  # line 5
    + "list A,a5,org4,Too few columns\n"  # line 6
    + "list A,a6,org5,Nowhere,clinic,,Atlantis,,99999,US,,,,neurology,,2026-01-02\n"  # line 7
    + "list A,a7,org6,Bad discipline,clinic,,Boston,MA,02115,US,,,,neurology;astrology,,2026-01-02\n"  # line 8
    + "list A,a8,org7,Given coordinates,clinic,,Munich,,,DE,48.1,11.6,de,respiratory,,2026-01-02\n"
    + "list A,a9,org8,Advocacy,advocacy,,Munich,,80331,DE,,,de,,,2026-01-02\n"
)


def test_nul_characters_are_rejected_everywhere(tmp_path: Path, gazetteer: None) -> None:
    report = import_curated_csv(
        write(
            tmp_path,
            "nul.csv",
            CSV_HEADER + "list N,n1,o1,Bad\x00Name,clinic,,Boston,MA,02115,US,,,,neurology,,2026-01-02\n",
        )
    )
    assert (report.added, report.rejected) == (0, 1) and "NUL" in report.rejections[0].reason
    study_text = json.dumps(study("NCT00000021")).replace("Study NCT00000021", "Study\\u0000")
    trials = import_trials(write(tmp_path, "nul.ndjson", study_text + "\n"))
    assert (trials.added, trials.rejected) == (0, 1) and "NUL" in trials.rejections[0].reason
    clinic = nppes_row(
        npi_with_check_digit("144444444"),
        **{"Provider Last Name (Legal Name)": "NUL\x00"},
        **tax("235Z00000X"),
    )
    nppes = import_nppes(nppes_file(tmp_path, [clinic]))
    assert (nppes.added, nppes.rejected) == (0, 1)


def test_csv_import_reports_added_and_rejected_with_lines(tmp_path: Path, gazetteer: None) -> None:
    report = import_curated_csv(write(tmp_path, "list.csv", GOOD_AND_BAD))
    assert (report.added, report.updated, report.unchanged, report.rejected) == (4, 0, 0, 5)
    reasons = {item.line: item.reason for item in report.rejections}
    assert set(reasons) == {4, 5, 6, 7, 8}
    assert "kind 'spaceship'" in reasons[4]
    assert "last_verified is empty" in reasons[5]
    assert "expected 16 columns, found 4" in reasons[6]
    assert "could not place the address" in reasons[7]
    assert "unknown discipline 'astrology'" in reasons[8]
    boston = Site.objects.get(external_id="a1")
    assert boston.organisation is not None and boston.organisation.name == "Centre One"
    assert disciplines_of(boston.disciplines) == ["neurology", "physiotherapy"]
    assert (boston.latitude, boston.geocoded_by) == (42.3429, "postal_code")
    assert Site.objects.get(external_id="a2").geocoded_by == "place"
    assert Site.objects.get(external_id="a8").geocoded_by == "source"
    assert Organisation.objects.filter(external_id="org1").count() == 1


def test_csv_reimport_is_idempotent_and_updates_changed_rows(tmp_path: Path, gazetteer: None) -> None:
    path = write(tmp_path, "list.csv", GOOD_AND_BAD)
    import_curated_csv(path)
    again = import_curated_csv(path)
    assert (again.added, again.updated, again.unchanged, again.rejected) == (0, 0, 4, 5)
    assert Site.objects.count() == 4
    changed = write(
        tmp_path, "list2.csv", GOOD_AND_BAD.replace("neurology;physiotherapy", "neurology;nutrition")
    )
    third = import_curated_csv(changed)
    assert (third.added, third.updated, third.unchanged) == (0, 1, 3)
    assert (
        Site.objects.get(external_id="a1").disciplines
        == DISCIPLINE_BITS["neurology"] | DISCIPLINE_BITS["nutrition"]
    )


def test_csv_without_required_columns_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="last_verified"):
        import_curated_csv(write(tmp_path, "x.csv", "source,source_id,organisation,kind,country\n"))


def test_interrupted_import_keeps_committed_batches_and_reruns_without_duplicates(
    tmp_path: Path, gazetteer: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = "".join(
        f"list B,b{i},o{i},Clinic {i},clinic,,Boston,MA,02115,US,,,,neurology,,2026-01-02\n"
        for i in range(25)
    )
    path = write(tmp_path, "big.csv", CSV_HEADER + rows)
    real_upsert = writer_module.SiteWriter._upsert
    calls = {"n": 0}

    def crash_on_third_batch(self: Any, records: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt("power cut")
        real_upsert(self, records)

    monkeypatch.setattr(writer_module.SiteWriter, "_upsert", crash_on_third_batch)
    with pytest.raises(KeyboardInterrupt):
        import_curated_csv(path, batch_size=10)
    assert Site.objects.filter(source="list B").count() == 20  # two committed batches of 10
    monkeypatch.setattr(writer_module.SiteWriter, "_upsert", real_upsert)
    report = import_curated_csv(path, batch_size=10)
    assert (report.added, report.unchanged) == (5, 20)
    assert Site.objects.filter(source="list B").count() == 25


# --- NPPES ------------------------------------------------------------------------------------------


def nppes_row(npi: str, **values: str) -> list[str]:
    row = dict.fromkeys(NPPES_HEADER, "")
    row.update({"NPI": npi, "Entity Type Code": "1", "Last Update Date": "07/08/2024"})
    row.update(
        {
            "Provider Business Practice Location Address City Name": "BOSTON",
            "Provider Business Practice Location Address State Name": "MA",
            "Provider Business Practice Location Address Postal Code": "021155724",
            "Provider First Line Business Practice Location Address": "1 MAIN ST",
        }
    )
    row.update({key.replace("__", " "): value for key, value in values.items()})
    return [row[name] for name in NPPES_HEADER]


def nppes_file(tmp_path: Path, rows: list[list[str]], extra_lines: str = "") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(NPPES_HEADER)
    writer.writerows(rows)
    return write(tmp_path, "npidata_pfile_test.csv", buffer.getvalue() + extra_lines)


def tax(code: str, slot: int = 1) -> dict[str, str]:
    return {f"Healthcare Provider Taxonomy Code_{slot}": code}


def test_nppes_import_maps_taxonomies_and_rejects_bad_rows(tmp_path: Path, gazetteer: None) -> None:
    neuro = npi_with_check_digit("123456789")
    clinic = npi_with_check_digit("198765432")
    dentist = npi_with_check_digit("111111111")
    gone = npi_with_check_digit("122222222")
    far = npi_with_check_digit("133333333")
    rows = [
        nppes_row(
            neuro,
            **{
                "Provider First Name": "JANE",
                "Provider Last Name (Legal Name)": "DOE",
                "Provider Credential Text": "MD",
            },
            **tax("2084N0402X"),
            **tax("2251P0200X", 2),
        ),
        nppes_row(
            clinic,
            **{
                "Entity Type Code": "2",
                "Provider Organization Name (Legal Business Name)": "SPRING PT CLINIC",
                "Provider Business Practice Location Address Postal Code": "19104",
            },
            **tax("225100000X"),
        ),
        nppes_row("1234567890", **tax("2084N0400X")),  # line 4: bad check digit
        nppes_row(dentist, **{"Provider Last Name (Legal Name)": "SMILE"}, **tax("1223G0001X")),  # skipped
        nppes_row(gone, **{"NPI Deactivation Date": "01/02/2020"}),  # deactivated, never imported
        nppes_row(
            far,
            **{
                "Provider Last Name (Legal Name)": "FAR",
                "Provider Business Practice Location Address Postal Code": "99999",
                "Provider Business Practice Location Address City Name": "NOWHERE",
            },
            **tax("235Z00000X"),
        ),  # line 7
    ]
    path = nppes_file(tmp_path, rows, extra_lines='"1","2"\n')  # line 8: wrong width
    report = import_nppes(path)
    assert (report.added, report.skipped, report.rejected) == (2, 2, 3)
    assert {item.line for item in report.rejections} == {4, 7, 8}
    site = Site.objects.get(external_id=neuro)
    assert site.name == "JANE DOE, MD" and site.kind == "practitioner" and site.postal_code == "02115"
    assert disciplines_of(site.disciplines) == ["neurology", "physiotherapy"]
    assert (
        site.age_groups == 1
        and site.last_verified is not None
        and site.last_verified.isoformat() == "2024-07-08"
    )
    assert Site.objects.get(external_id=clinic).kind == "clinic"

    again = import_nppes(path)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    # The clinic's NPI is deactivated in the next monthly file: it leaves the directory.
    rows[1] = nppes_row(clinic, **{"NPI Deactivation Date": "03/04/2025"})
    third = import_nppes(nppes_file(tmp_path, rows))
    assert third.removed == 1 and not Site.objects.filter(external_id=clinic).exists()


def test_nppes_header_is_checked(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="not an NPPES file"):
        import_nppes(write(tmp_path, "x.csv", "a,b,c\n1,2,3\n"))


# --- ClinicalTrials.gov -----------------------------------------------------------------------------


def study(
    nct: str,
    status: str = "RECRUITING",
    conditions: tuple[str, ...] = ("Spinal Muscular Atrophy",),
    sites: int = 1,
) -> dict[str, Any]:
    return {
        "protocolSection": {
            "identificationModule": {"nctId": nct, "briefTitle": f"Study {nct}"},
            "statusModule": {"overallStatus": status, "lastUpdatePostDateStruct": {"date": "2026-01-05"}},
            "conditionsModule": {"conditions": list(conditions)},
            "designModule": {"studyType": "INTERVENTIONAL", "phases": ["PHASE2"]},
            "eligibilityModule": {
                "eligibilityCriteria": "Inclusion Criteria:\n* A\n\nExclusion Criteria:\n* B",
                "minimumAge": "2 Years",
                "sex": "ALL",
            },
            "contactsLocationsModule": {
                "locations": [
                    {"facility": f"Site {i}", "city": "Boston", "zip": "02115", "country": "United States"}
                    for i in range(sites)
                ]
                + [
                    {
                        "facility": "Lyon site",
                        "city": "Lyon",
                        "country": "France",
                        "geoPoint": {"lat": 45.75, "lon": 4.85},
                    }
                ]
            },
        }
    }


def test_trials_import_ndjson_with_bad_lines(tmp_path: Path, gazetteer: None) -> None:
    lines = [
        json.dumps(study("NCT00000001")),
        "{not json",
        json.dumps(study("NCT123")),
        json.dumps(study("NCT00000002", conditions=("Asthma",))),
        json.dumps({"protocolSection": {"identificationModule": {"nctId": "NCT00000003"}}}),
    ]
    report = import_trials(write(tmp_path, "studies.ndjson", "\n".join(lines) + "\n"))
    assert (report.added, report.rejected) == (2, 3)
    assert {r.line for r in report.rejections} == {2, 3, 5}
    assert "no statusModule.overallStatus" in report.rejections[-1].reason
    sma = Trial.objects.get(nct_id="NCT00000001")
    assert sma.is_sma and sma.minimum_age == "2 Years" and sma.phases == ["PHASE2"]
    assert not Trial.objects.get(nct_id="NCT00000002").is_sma
    boston = TrialSite.objects.get(trial=sma, facility="Site 0")
    assert (boston.country_code, boston.latitude, boston.geocoded_by) == ("US", 42.3429, "lookup")
    assert TrialSite.objects.get(trial=sma, facility="Lyon site").geocoded_by == "source"


def test_trials_import_one_file_folder_and_rerun(tmp_path: Path, gazetteer: None) -> None:
    folder = tmp_path / "studies"
    folder.mkdir()
    write(folder, "NCT00000011.json", json.dumps(study("NCT00000011")))
    write(folder, "page.json", json.dumps({"studies": [study("NCT00000012"), study("NCT00000013", sites=3)]}))
    write(folder, "broken.json", "[1, 2")
    report = import_trials(folder)
    assert (report.added, report.rejected) == (3, 1)
    assert report.rejections[0].reason.startswith("broken.json: not valid JSON")
    again = import_trials(folder)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    # A changed record replaces its sites instead of adding to them.
    write(
        folder,
        "page.json",
        json.dumps({"studies": [study("NCT00000012"), study("NCT00000013", status="COMPLETED", sites=1)]}),
    )
    third = import_trials(folder)
    assert (third.updated, third.unchanged) == (1, 2)
    assert TrialSite.objects.filter(trial__nct_id="NCT00000013").count() == 2
    single = import_trials(folder / "NCT00000011.json")
    assert single.unchanged == 1


def test_trials_reimport_of_unchanged_records_looks_nothing_up(tmp_path: Path, gazetteer: None) -> None:
    path = write(tmp_path, "studies.ndjson", json.dumps(study("NCT00000031")) + "\n")
    import_trials(path)
    with CaptureQueriesContext(connection) as captured:
        again = import_trials(path)
    assert again.unchanged == 1
    geo_tables = [connection.ops.quote_name(m._meta.db_table) for m in (Place, PostalCode)]
    assert not [q["sql"] for q in captured.captured_queries if any(t in q["sql"] for t in geo_tables)]
