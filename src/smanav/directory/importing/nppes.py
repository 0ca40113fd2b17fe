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
import sys
from pathlib import Path

from smanav.directory.disciplines import OrganisationKind
from smanav.directory.importing.report import ImportFormatError, ImportReport
from smanav.directory.importing.writer import DEFAULT_BATCH_SIZE, SiteRecord, SiteWriter
from smanav.directory.taxonomy import services_for

SOURCE = "nppes"
TAXONOMY_SLOTS = 15
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
    if not value:
        return None
    try:
        return dt.datetime.strptime(value, "%m/%d/%Y").date()
    except ValueError:
        return dt.date.fromisoformat(value)


def _npi_valid(npi: str) -> bool:
    """Ten digits with the Luhn check digit computed over the "80840" prefix, as CMS defines it."""
    if len(npi) != 10 or not npi.isdigit():
        return False
    total = 24  # the prefix 80840 contributes 24 to the Luhn sum
    for index, char in enumerate(reversed(npi[:9])):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return (10 - total % 10) % 10 == int(npi[9])


def import_nppes(
    path: Path, *, batch_size: int = DEFAULT_BATCH_SIZE, report: ImportReport | None = None
) -> ImportReport:
    report = report or ImportReport()
    writer = SiteWriter(report, batch_size=batch_size)
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

        for values in reader:
            line = reader.line_num
            if len(values) != width:
                if any(v.strip() for v in values):
                    report.reject(line, f"expected {width} columns, found {len(values)}")
                continue

            def get(key: str, values: list[str] = values) -> str:
                index = at[key]
                return values[index].strip() if index >= 0 else ""

            npi = get("npi")
            if not _npi_valid(npi):
                report.reject(line, f"NPI {npi!r} is not a valid 10-digit NPI")
                continue
            try:
                deactivated, reactivated, updated = (
                    _date(get("deactivated")),
                    _date(get("reactivated")),
                    _date(get("updated")),
                )
            except ValueError as error:
                report.reject(line, f"bad date ({error})")
                continue
            if deactivated is not None and (reactivated is None or reactivated < deactivated):
                writer.remove(SOURCE, npi)
                continue
            codes = [values[index].strip() for index in taxonomy_at if values[index]]
            disciplines, ages, matched = services_for(codes)
            if not disciplines:
                report.skipped += 1
                continue
            entity = get("entity")
            if entity == "1":
                name = " ".join(part for part in (get("first_name"), get("last_name")) if part)
                credential = get("credential")
                name = f"{name}, {credential}" if credential else name
                kind = OrganisationKind.PRACTITIONER
            elif entity == "2":
                name = get("org_name")
                kind = OrganisationKind.CLINIC
            else:
                report.reject(
                    line, f"Entity Type Code {entity!r} is neither 1 (individual) nor 2 (organisation)"
                )
                continue
            if not name:
                report.reject(line, "no provider or organisation name")
                continue
            country = (get("country") or "US").upper()[:2]
            postal = get("postal")
            writer.add(
                line,
                SiteRecord(
                    source=SOURCE,
                    external_id=npi,
                    name=name[:300],
                    kind=kind,
                    country_code=country,
                    address=", ".join(part for part in (get("line1"), get("line2")) if part)[:300],
                    city=get("city")[:120],
                    region=get("state")[:120],
                    postal_code=(postal[:5] if country == "US" else postal)[:20],
                    phone=get("phone")[:60],
                    disciplines=disciplines,
                    age_groups=ages,
                    taxonomy_codes=";".join(matched)[:200],
                    last_verified=updated,
                ),
            )
        writer.flush()
    return report
