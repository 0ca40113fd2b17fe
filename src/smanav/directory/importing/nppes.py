"""The US NPPES NPI file (`npidata_pfile_*.csv`): providers whose taxonomy maps to an SMA discipline.

Columns are found by their header names, so the ~330-column layout may change order. A row is
* rejected (line and reason) when its NPI is malformed, its column count is wrong, or it cannot be placed;
* skipped when none of its taxonomy codes is ours (most of the file);
* removed from our table when the NPI has been deactivated and not reactivated.
`last_verified` is the NPPES "Last Update Date" of the provider's record.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import sys
from pathlib import Path

from smanav.directory.disciplines import OrganisationKind
from smanav.directory.importing.report import ImportFormatError, ImportReport
from smanav.directory.importing.writer import SiteRecord, SiteWriter
from smanav.directory.taxonomy import services_for

SOURCE = "nppes"
TAXONOMY_SLOTS = 15
# Bigger batches than curated lists: fewer round trips per million rows, memory still flat.
NPPES_BATCH_SIZE = 5000
PRACTICE = "Provider {} Business Practice Location Address"
COLUMNS = {
    "npi": "NPI",
    "entity": "Entity Type Code",
    "org_name": "Provider Organization Name (Legal Business Name)",
    "last_name": "Provider Last Name (Legal Name)",
    "first_name": "Provider First Name",
    "credential": "Provider Credential Text",
    "line1": "Provider First Line Business Practice Location Address",
    "line2": "Provider Second Line Business Practice Location Address",
    "city": "Provider Business Practice Location Address City Name",
    "state": "Provider Business Practice Location Address State Name",
    "postal": "Provider Business Practice Location Address Postal Code",
    "country": "Provider Business Practice Location Address Country Code (If outside U.S.)",
    "phone": "Provider Business Practice Location Address Telephone Number",
    "updated": "Last Update Date",
    "deactivated": "NPI Deactivation Date",
    "reactivated": "NPI Reactivation Date",
}
REQUIRED = ("npi", "entity", "postal", "city", "state")


def _date(value: str) -> dt.date | None:
    value = value.strip()
    return _parse_date(value) if value else None


@functools.lru_cache(maxsize=8192)
def _parse_date(value: str) -> dt.date:
    """NPPES writes MM/DD/YYYY; the same few thousand dates repeat across millions of rows."""
    month, day, year = value.split("/") if "/" in value else ("", "", "")
    if year:
        return dt.date(int(year), int(month), int(day))
    return dt.date.fromisoformat(value)


_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def _npi_valid(npi: str) -> bool:
    """Ten digits with the Luhn check digit computed over the "80840" prefix, as CMS defines it."""
    if len(npi) != 10 or not npi.isdigit():
        return False
    d = [ord(char) - 48 for char in npi]
    # The prefix 80840 contributes 24; from the right of the first nine digits, every other one is doubled.
    total = 24 + _DOUBLED[d[8]] + d[7] + _DOUBLED[d[6]] + d[5] + _DOUBLED[d[4]] + d[3] + _DOUBLED[d[2]] + d[1]
    total += _DOUBLED[d[0]]
    return (10 - total % 10) % 10 == d[9]


def import_nppes(
    path: Path, *, batch_size: int = NPPES_BATCH_SIZE, report: ImportReport | None = None
) -> ImportReport:
    report = report or ImportReport()
    # NPPES is one big country: load its postal codes once rather than batch by batch.
    writer = SiteWriter(report, batch_size=batch_size, whole_countries=True)
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    with path.open("r", encoding="utf-8", errors="replace", newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = [name.strip() for name in next(reader)]
        except StopIteration:
            raise ImportFormatError("the file is empty") from None
        position = {name: index for index, name in enumerate(header)}
        missing = [COLUMNS[key] for key in REQUIRED if COLUMNS[key] not in position]
        if missing:
            raise ImportFormatError("not an NPPES file; the header lacks: " + "; ".join(missing))
        at = {key: position.get(name, -1) for key, name in COLUMNS.items()}
        taxonomy_at = [
            position[f"Healthcare Provider Taxonomy Code_{slot}"]
            for slot in range(1, TAXONOMY_SLOTS + 1)
            if f"Healthcare Provider Taxonomy Code_{slot}" in position
        ]
        width = len(header)

        # A column the file lacks reads the empty string appended to each row (index `width`).
        at = {key: (index if index >= 0 else width) for key, index in at.items()}
        i_npi, i_entity, i_deact, i_react, i_updated = (
            at["npi"],
            at["entity"],
            at["deactivated"],
            at["reactivated"],
            at["updated"],
        )
        i_first, i_last, i_cred, i_org = at["first_name"], at["last_name"], at["credential"], at["org_name"]
        i_country, i_postal, i_line1, i_line2 = at["country"], at["postal"], at["line1"], at["line2"]
        i_city, i_state, i_phone = at["city"], at["state"], at["phone"]

        while True:
            try:
                values = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                # One unreadable line (an unclosed quote, a field over the size limit) is rejected alone.
                report.reject(reader.line_num, f"unreadable CSV: {error}")
                continue
            line = reader.line_num
            if len(values) != width:
                if any(v.strip() for v in values):
                    report.reject(line, f"expected {width} columns, found {len(values)}")
                continue
            values.append("")
            npi = values[i_npi].strip()
            if not _npi_valid(npi):
                report.reject(line, f"NPI {npi!r} is not a valid 10-digit NPI")
                continue
            try:
                deactivated = _date(values[i_deact])
                reactivated = _date(values[i_react])
                updated = _date(values[i_updated])
            except ValueError as error:
                report.reject(line, f"bad date ({error})")
                continue
            if deactivated is not None and (reactivated is None or reactivated < deactivated):
                writer.remove(SOURCE, npi)
                continue
            disciplines, ages, matched = services_for([values[i].strip() for i in taxonomy_at if values[i]])
            if not disciplines:
                report.skipped += 1
                continue
            entity = values[i_entity].strip()
            if entity == "1":
                name = " ".join(part for part in (values[i_first].strip(), values[i_last].strip()) if part)
                credential = values[i_cred].strip()
                name = f"{name}, {credential}" if credential else name
                kind = OrganisationKind.PRACTITIONER
            elif entity == "2":
                name = values[i_org].strip()
                kind = OrganisationKind.CLINIC
            else:
                report.reject(
                    line, f"Entity Type Code {entity!r} is neither 1 (individual) nor 2 (organisation)"
                )
                continue
            if not name:
                report.reject(line, "no provider or organisation name")
                continue
            country = (values[i_country].strip() or "US").upper()[:2]
            postal = values[i_postal].strip()
            line1, line2 = values[i_line1].strip(), values[i_line2].strip()
            writer.add(
                line,
                SiteRecord(
                    source=SOURCE,
                    external_id=npi,
                    name=name[:300],
                    kind=kind,
                    country_code=country,
                    address=(f"{line1}, {line2}" if line2 else line1)[:300],
                    city=values[i_city].strip()[:120],
                    region=values[i_state].strip()[:120],
                    postal_code=(postal[:5] if country == "US" else postal)[:20],
                    phone=values[i_phone].strip()[:60],
                    disciplines=disciplines,
                    age_groups=ages,
                    taxonomy_codes=";".join(matched)[:200],
                    last_verified=updated,
                ),
            )
        writer.finish()
    return report
