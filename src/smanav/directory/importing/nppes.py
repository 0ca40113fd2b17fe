"""The US NPPES NPI file (`npidata_pfile_*.csv`): providers whose taxonomy maps to an SMA discipline.

Columns are found by their header names, so the ~330-column layout may change order. A row is
* skipped when none of its taxonomy codes is ours and it is not a deactivation (most of the file): such
  rows are not read any further, so a malformed NPI or date in them is not reported;
* rejected (line and reason) when its column count is wrong, or, for our providers, when its NPI, a date
  or its entity type is malformed or it cannot be placed;
* removed from our table when the NPI has been deactivated and not reactivated.
`last_verified` is the NPPES "Last Update Date" of the provider's record.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import operator
import sys
from pathlib import Path

from smanav.directory.disciplines import OrganisationKind
from smanav.directory.importing.report import ImportFormatError, ImportReport
from smanav.directory.importing.writer import SiteRecord, SiteWriter
from smanav.directory.taxonomy import services_for
from smanav.progress import open_input

SOURCE = "nppes"
TAXONOMY_SLOTS = 15
# Bigger batches than curated lists. On SQLite each commit writes out every page of the location index
# the batch touched, and providers spread over a whole country touch most of them whatever the batch
# size: 20,000 rows rather than 5,000 halve that work (2 million rows: 6 GB written instead of 12, the
# import about 15% faster) for about 25 MB more memory, which stays flat with the file's size.
NPPES_BATCH_SIZE = 20_000
# `_add_row` unpacks a row's fields in this order.
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
    if len(npi) != 10 or not (npi.isascii() and npi.isdigit()):  # isdigit: any script's digits
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
    with open_input(path, encoding="utf-8", errors="replace", newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = [name.strip() for name in next(reader)]
        except StopIteration:
            raise ImportFormatError("the file is empty") from None
        position = {name: index for index, name in enumerate(header)}
        missing = [COLUMNS[key] for key in REQUIRED if COLUMNS[key] not in position]
        if missing:
            raise ImportFormatError("not an NPPES file; the header lacks: " + "; ".join(missing))
        width = len(header)
        # A column the file lacks reads the empty string appended to each row (index `width`).
        fields = operator.itemgetter(*(position.get(name, width) for name in COLUMNS.values()))
        taxonomy_slots = [
            position[f"Healthcare Provider Taxonomy Code_{slot}"]
            for slot in range(1, TAXONOMY_SLOTS + 1)
            if f"Healthcare Provider Taxonomy Code_{slot}" in position
        ]
        # Two reads of the appended empty column keep the result a tuple, even with no taxonomy column.
        taxonomy_codes = operator.itemgetter(*taxonomy_slots, width, width)
        i_deactivated = position.get(COLUMNS["deactivated"], width)

        while True:
            try:
                values = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                # One unreadable line (an unclosed quote, a field over the size limit) is rejected alone.
                report.reject(reader.line_num, f"unreadable CSV: {error}")
                continue
            if len(values) != width:
                if any(v.strip() for v in values):
                    report.reject(reader.line_num, f"expected {width} columns, found {len(values)}")
                continue
            values.append("")
            services = _services(taxonomy_codes(values))
            if not services[0] and not values[i_deactivated]:
                # Most of the file: neither one of our providers nor a deactivation we must apply.
                report.skipped += 1
                continue
            _add_row(writer, report, reader.line_num, fields(values), services)
        writer.finish()
    return report


@functools.lru_cache(maxsize=16384)
def _services(codes: tuple[str, ...]) -> tuple[int, int, str]:
    """(discipline mask, age mask, matched codes) of a row's taxonomy columns; millions of providers
    share far fewer combinations of codes."""
    disciplines, ages, matched = services_for([code.strip() for code in codes if code])
    return disciplines, ages, ";".join(matched)[:200]


def _add_row(
    writer: SiteWriter,
    report: ImportReport,
    line: int,
    fields: tuple[str, ...],
    services: tuple[int, int, str],
) -> None:
    """Check one provider's row (its fields in the order of `COLUMNS`) and hand it to the writer."""
    (
        npi,
        entity,
        org_name,
        last_name,
        first_name,
        credential,
        line1,
        line2,
        city,
        state,
        postal,
        country,
        phone,
        updated_text,
        deactivated_text,
        reactivated_text,
    ) = fields
    npi = npi.strip()
    if not _npi_valid(npi):
        report.reject(line, f"NPI {npi!r} is not a valid 10-digit NPI")
        return
    try:
        deactivated = _date(deactivated_text)
        reactivated = _date(reactivated_text)
        updated = _date(updated_text)
    except ValueError as error:
        report.reject(line, f"bad date ({error})")
        return
    if deactivated is not None and (reactivated is None or reactivated < deactivated):
        writer.remove(SOURCE, npi)
        return
    disciplines, ages, matched = services
    if not disciplines:
        report.skipped += 1
        return
    entity = entity.strip()
    if entity == "1":
        name = " ".join(part for part in (first_name.strip(), last_name.strip()) if part)
        credential = credential.strip()
        name = f"{name}, {credential}" if credential else name
        kind = OrganisationKind.PRACTITIONER
    elif entity == "2":
        name = org_name.strip()
        kind = OrganisationKind.CLINIC
    else:
        report.reject(line, f"Entity Type Code {entity!r} is neither 1 (individual) nor 2 (organisation)")
        return
    if not name:
        report.reject(line, "no provider or organisation name")
        return
    country = (country.strip() or "US").upper()[:2]
    postal = postal.strip()
    line1, line2 = line1.strip(), line2.strip()
    writer.add(
        line,
        SiteRecord(
            source=SOURCE,
            external_id=npi,
            name=name[:300],
            kind=kind,
            country_code=country,
            address=(f"{line1}, {line2}" if line2 else line1)[:300],
            city=city.strip()[:120],
            region=state.strip()[:120],
            postal_code=(postal[:5] if country == "US" else postal)[:20],
            phone=phone.strip()[:60],
            disciplines=disciplines,
            age_groups=ages,
            taxonomy_codes=matched,
            last_verified=updated,
        ),
    )
