"""Importing real ClinicalTrials.gov records: the registry's country names, its retired formats, the exit
status when nothing was imported, and which studies are SMA studies."""

from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from tests.web.real_data import real_data, real_study

from smanav.cli import main
from smanav.directory.importing.report import ImportFormatError
from smanav.trials.countries import FORMER_COUNTRIES, country_code
from smanav.trials.importing import _is_sma, import_trials, parse_study
from smanav.trials.models import Trial, TrialSite

# The site countries of ClinicalTrials.gov's country list, as the registry spells them (its search form
# and records), with their ISO codes.
REGISTRY_COUNTRIES = {
    "United States": "US", "Afghanistan": "AF", "Albania": "AL", "Algeria": "DZ", "American Samoa": "AS",
    "Andorra": "AD", "Angola": "AO", "Antigua and Barbuda": "AG", "Argentina": "AR", "Armenia": "AM",
    "Aruba": "AW", "Australia": "AU", "Austria": "AT", "Azerbaijan": "AZ", "Bahamas": "BS", "Bahrain": "BH",
    "Bangladesh": "BD", "Barbados": "BB", "Belarus": "BY", "Belgium": "BE", "Belize": "BZ", "Benin": "BJ",
    "Bermuda": "BM", "Bhutan": "BT", "Bolivia": "BO", "Bosnia and Herzegovina": "BA", "Botswana": "BW",
    "Brazil": "BR", "Brunei Darussalam": "BN", "Bulgaria": "BG", "Burkina Faso": "BF", "Burundi": "BI",
    "Cambodia": "KH", "Cameroon": "CM", "Canada": "CA", "Cayman Islands": "KY",
    "Central African Republic": "CF", "Chad": "TD", "Chile": "CL", "China": "CN", "Colombia": "CO",
    "Comoros": "KM", "Congo": "CG", "Congo, The Democratic Republic of the": "CD", "Costa Rica": "CR",
    "Croatia": "HR", "Cuba": "CU", "Cyprus": "CY", "Czech Republic": "CZ", "Czechia": "CZ",
    "Côte D'Ivoire": "CI", "Denmark": "DK", "Djibouti": "DJ", "Dominica": "DM", "Dominican Republic": "DO",
    "Ecuador": "EC", "Egypt": "EG", "El Salvador": "SV", "Equatorial Guinea": "GQ", "Estonia": "EE",
    "Ethiopia": "ET", "Faroe Islands": "FO", "Fiji": "FJ", "Finland": "FI", "France": "FR",
    "French Guiana": "GF", "French Polynesia": "PF", "Gabon": "GA", "Gambia": "GM", "Georgia": "GE",
    "Germany": "DE", "Ghana": "GH", "Gibraltar": "GI", "Greece": "GR", "Greenland": "GL", "Grenada": "GD",
    "Guadeloupe": "GP", "Guam": "GU", "Guatemala": "GT", "Guinea": "GN", "Guinea-Bissau": "GW",
    "Guyana": "GY", "Haiti": "HT", "Holy See (Vatican City State)": "VA", "Honduras": "HN",
    "Hong Kong": "HK", "Hungary": "HU", "Iceland": "IS", "India": "IN", "Indonesia": "ID", "Iran": "IR",
    "Iraq": "IQ", "Ireland": "IE", "Israel": "IL", "Italy": "IT", "Jamaica": "JM", "Japan": "JP",
    "Jersey": "JE", "Jordan": "JO", "Kazakhstan": "KZ", "Kenya": "KE", "Kiribati": "KI",
    "Korea, Democratic People's Republic of": "KP", "Korea, Republic of": "KR", "Kuwait": "KW",
    "Kyrgyzstan": "KG", "Lao People's Democratic Republic": "LA", "Latvia": "LV", "Lebanon": "LB",
    "Lesotho": "LS", "Liberia": "LR", "Libyan Arab Jamahiriya": "LY", "Liechtenstein": "LI",
    "Lithuania": "LT", "Luxembourg": "LU", "Macedonia, The Former Yugoslav Republic of": "MK",
    "Madagascar": "MG", "Malawi": "MW", "Malaysia": "MY", "Maldives": "MV", "Mali": "ML", "Malta": "MT",
    "Martinique": "MQ", "Mauritania": "MR", "Mauritius": "MU", "Mayotte": "YT", "Mexico": "MX",
    "Moldova, Republic of": "MD", "Monaco": "MC", "Mongolia": "MN", "Montenegro": "ME", "Montserrat": "MS",
    "Morocco": "MA", "Mozambique": "MZ", "Myanmar": "MM", "Namibia": "NA", "Nepal": "NP",
    "Netherlands": "NL", "New Caledonia": "NC", "New Zealand": "NZ", "Nicaragua": "NI", "Niger": "NE",
    "Nigeria": "NG", "Northern Mariana Islands": "MP", "Norway": "NO", "Oman": "OM", "Pakistan": "PK",
    "Panama": "PA", "Papua New Guinea": "PG", "Paraguay": "PY", "Peru": "PE", "Philippines": "PH",
    "Poland": "PL", "Portugal": "PT", "Puerto Rico": "PR", "Qatar": "QA", "Romania": "RO",
    "Russian Federation": "RU", "Rwanda": "RW", "Réunion": "RE", "Saint Kitts and Nevis": "KN",
    "Saint Lucia": "LC", "Saint Vincent and the Grenadines": "VC", "Samoa": "WS", "Saudi Arabia": "SA",
    "Senegal": "SN", "Serbia": "RS", "Seychelles": "SC", "Sierra Leone": "SL", "Singapore": "SG",
    "Slovakia": "SK", "Slovenia": "SI", "Solomon Islands": "SB", "Somalia": "SO", "South Africa": "ZA",
    "Spain": "ES", "Sri Lanka": "LK", "Sudan": "SD", "Suriname": "SR", "Swaziland": "SZ", "Sweden": "SE",
    "Switzerland": "CH", "Syrian Arab Republic": "SY", "Taiwan": "TW", "Tajikistan": "TJ",
    "Tanzania": "TZ", "Thailand": "TH", "Togo": "TG", "Trinidad and Tobago": "TT", "Tunisia": "TN",
    "Turkey": "TR", "Türkiye": "TR", "Uganda": "UG", "Ukraine": "UA", "United Arab Emirates": "AE",
    "United Kingdom": "GB", "Uruguay": "UY", "Uzbekistan": "UZ", "Vanuatu": "VU", "Venezuela": "VE",
    "Vietnam": "VN", "Virgin Islands (U.S.)": "VI", "Yemen": "YE", "Zambia": "ZM", "Zimbabwe": "ZW",
}  # fmt: skip


@pytest.mark.parametrize("name,code", sorted(REGISTRY_COUNTRIES.items()))
def test_every_country_the_registry_spells_resolves(name: str, code: str) -> None:
    assert country_code(name) == code


def test_spelling_variants_and_former_countries() -> None:
    assert country_code("Cote d’Ivoire") == "CI" and country_code("  korea,  republic OF ") == "KR"
    assert all(country_code(name) == "" for name in FORMER_COUNTRIES)
    assert country_code("Atlantis") == ""


def test_a_site_in_the_netherlands_is_placed_by_its_postal_code(db: None) -> None:
    """Without coordinates a site is placed by postal code in its country: it needs the country's code."""
    study = json.loads(json.dumps(real_study("NCT03475563")))  # a real record, its one site moved
    study["protocolSection"]["contactsLocationsModule"]["locations"] = [
        {"facility": "Site", "city": "Amsterdam", "zip": "1105 AZ", "country": "Netherlands"}
    ]
    assert parse_study(study).sites[0]["country_code"] == "NL"


def test_real_records_import_with_their_countries(db: None) -> None:
    report = import_trials(real_data("ctgov_v2"))
    # Two files were trimmed by their repository for its own tests and have no status.
    assert (report.added, report.rejected) == (10, 2)
    codes = dict(TrialSite.objects.values_list("country", "country_code").distinct())
    assert codes["Russian Federation"] == "RU" and codes["Czechia"] == "CZ" and codes["Guam"] == "GU"
    assert "" not in codes.values()


@pytest.mark.parametrize(
    "file_name,format_named",
    [
        ("NCT02260193.xml", "legacy XML format (<clinical_study>)"),
        ("NCT00023673.json", "classic API JSON format (FullStudiesResponse)"),
    ],
)
def test_a_record_in_a_retired_format_is_refused_naming_the_format(
    db: None, file_name: str, format_named: str
) -> None:
    path = real_data("ctgov_classic", file_name)
    with pytest.raises(ImportFormatError, match=re.escape(format_named)):
        import_trials(path)
    with pytest.raises(CommandError, match=re.escape(format_named)):
        call_command("import_trials", str(path), stdout=StringIO(), stderr=StringIO())
    assert not Trial.objects.exists()


def test_a_folder_of_retired_records_is_rejected_file_by_file_and_the_command_fails(db: None) -> None:
    err = StringIO()
    with pytest.raises(CommandError, match="no study was imported"):
        call_command("import_trials", str(real_data("ctgov_classic")), stdout=StringIO(), stderr=err)
    assert "NCT02260193.xml: this is the ClinicalTrials.gov legacy XML format" in err.getvalue()
    assert "NCT00023673.json: this is the ClinicalTrials.gov classic API JSON format" in err.getvalue()


def test_smanav_import_trials_exits_non_zero_when_nothing_was_imported(
    transactional_db: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Transactional: like every management command run from the command line, the import closes the
    # database connection when it ends, which a test inside one transaction could not survive.
    rejected = tmp_path / "rejected.ndjson"
    rejected.write_text('{"protocolSection": {}}\n{"protocolSection": {}}\n')
    with pytest.raises(SystemExit) as exited:
        main(["import", "trials", str(rejected)])
    assert exited.value.code != 0
    output = capsys.readouterr()
    assert "rejected 2" in output.out and "no study was imported" in output.err
    # A re-import of studies already there imported nothing new, but nothing failed.
    assert main(["import", "trials", str(real_data("ctgov_v2", "NCT05594173.json"))]) == 0
    assert main(["import", "trials", str(real_data("ctgov_v2", "NCT05594173.json"))]) == 0
    assert "unchanged 1" in capsys.readouterr().out


@pytest.mark.parametrize(
    "conditions,keywords,meshes,is_sma",
    [
        (["Spinal Muscular Atrophy"], [], [], True),
        (["SMA Type 2"], [], [], True),
        (["5q SMA"], [], [], True),
        (["SMA"], [], [], True),
        ([], ["spinal muscular atrophy type 1"], [], True),
        (["Neuromuscular disease"], [], ["Muscular Atrophy, Spinal"], True),
        (["Spinal Muscular Atrophy With Respiratory Distress 1"], [], ["Muscular Atrophy, Spinal"], False),
        (["SMARD1"], ["IGHMBP2"], ["Muscular Atrophy, Spinal"], False),
        (["SMA Syndrome"], [], [], False),
        (["Superior Mesenteric Artery Syndrome"], ["SMA"], [], False),  # here "SMA" is the artery
        (["SMARD1", "Spinal Muscular Atrophy"], [], [], True),  # names SMA in full as well
        (["Superior Mesenteric Artery Syndrome"], ["SMA syndrome"], [], False),
        (["SMA stenosis"], [], [], False),
        (["Bulbospinal Muscular Atrophy"], [], [], False),
        (["Spinal and Bulbar Muscular Atrophy"], [], [], False),
    ],
)
def test_which_studies_are_sma_studies(
    conditions: list[str], keywords: list[str], meshes: list[str], is_sma: bool
) -> None:
    assert _is_sma(conditions, keywords, meshes) is is_sma


def test_smard1_and_sma_syndrome_trials_are_not_offered(db: None) -> None:
    """Real records given the conditions of a SMARD1 and an SMA-syndrome study are not SMA trials."""
    for nct_id, conditions in (
        ("NCT06171568", ["Spinal Muscular Atrophy With Respiratory Distress Type 1"]),
        ("NCT03475563", ["SMA Syndrome"]),
    ):
        study: dict[str, Any] = json.loads(json.dumps(real_study(nct_id)))
        study["protocolSection"]["conditionsModule"] = {"conditions": conditions}
        assert parse_study(study).values["is_sma"] is False
