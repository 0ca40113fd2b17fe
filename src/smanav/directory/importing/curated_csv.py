"""The documented CSV format for curated lists of centres, clinics, advocacy organisations and registries.

One row per site; rows sharing `organisation_id` belong to one organisation. The columns are documented
in docs/directory.md (and in `COLUMNS` below). Lists use semicolons: `neurology;physiotherapy`.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from smanav.directory.disciplines import AGE_BITS, DISCIPLINE_BITS, OrganisationKind
from smanav.directory.importing.report import ImportFormatError, ImportReport
from smanav.directory.importing.writer import DEFAULT_BATCH_SIZE, OrganisationRecord, SiteRecord, SiteWriter
from smanav.progress import open_input

REQUIRED = ("source", "source_id", "organisation", "kind", "country", "last_verified")
OPTIONAL = (
    "organisation_id",
    "site_name",
    "address",
    "city",
    "region",
    "postal_code",
    "latitude",
    "longitude",
    "phone",
    "email",
    "website",
    "languages",
    "disciplines",
    "ages",
    "source_url",
    "notes",
    "sample",
)
COLUMNS = REQUIRED + OPTIONAL
KINDS = {kind.value for kind in OrganisationKind}
MAX_LENGTHS = {
    "source": 100,
    "source_id": 100,
    "organisation_id": 100,
    "organisation": 300,
    "site_name": 300,
    "address": 300,
    "city": 120,
    "region": 120,
    "postal_code": 20,
    "phone": 60,
    "email": 200,
    "website": 300,
    "languages": 200,
    "source_url": 300,
}


def _split(value: str) -> list[str]:
    return [item.strip().lower() for item in value.replace(",", ";").split(";") if item.strip()]


def _row_to_record(row: dict[str, str]) -> tuple[SiteRecord | None, list[str]]:
    problems: list[str] = []
    for column in REQUIRED:
        if not row.get(column):
            problems.append(f"{column} is empty")
    for column, limit in MAX_LENGTHS.items():
        if len(row.get(column, "")) > limit:
            problems.append(f"{column} is longer than {limit} characters")
    kind = row.get("kind", "").lower()
    if kind and kind not in KINDS:
        problems.append(f"kind {kind!r} is not one of {', '.join(sorted(KINDS))}")
    country = row.get("country", "").upper()
    if country and not (len(country) == 2 and country.isalpha()):
        problems.append(f"country {country!r} is not a two-letter ISO code")
    verified: dt.date | None = None
    if row.get("last_verified"):
        try:
            verified = dt.date.fromisoformat(row["last_verified"])
        except ValueError:
            problems.append(f"last_verified {row['last_verified']!r} is not a date (YYYY-MM-DD)")
    mask = 0
    for code in _split(row.get("disciplines", "")):
        if code in DISCIPLINE_BITS:
            mask |= DISCIPLINE_BITS[code]
        else:
            problems.append(f"unknown discipline {code!r}")
    ages = 0
    for code in _split(row.get("ages", "")):
        if code in AGE_BITS:
            ages |= AGE_BITS[code]
        else:
            problems.append(f"unknown age group {code!r} (children, adults)")
    lat_text, lon_text = row.get("latitude", ""), row.get("longitude", "")
    latitude = longitude = None
    if lat_text or lon_text:
        try:
            latitude, longitude = float(lat_text), float(lon_text)
            if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
                problems.append("latitude/longitude out of range")
        except ValueError:
            problems.append("latitude and longitude must both be numbers (or both empty)")
    if kind not in (OrganisationKind.ADVOCACY, OrganisationKind.REGISTRY) and not mask and not problems:
        problems.append("a care site needs at least one discipline")
    if problems:
        return None, problems
    sample = row.get("sample", "").lower() in {"1", "yes", "true", "y"}
    source = row["source"]
    organisation = OrganisationRecord(
        source=source,
        external_id=row.get("organisation_id") or row["source_id"],
        name=row["organisation"],
        kind=kind,
        website=row.get("website", ""),
        source_url=row.get("source_url", ""),
        last_verified=verified,
        is_sample=sample,
    )
    record = SiteRecord(
        source=source,
        external_id=row["source_id"],
        name=row.get("site_name") or row["organisation"],
        kind=kind,
        country_code=country,
        address=row.get("address", ""),
        city=row.get("city", ""),
        region=row.get("region", ""),
        postal_code=row.get("postal_code", ""),
        latitude=latitude,
        longitude=longitude,
        phone=row.get("phone", ""),
        email=row.get("email", ""),
        website=row.get("website", ""),
        languages=";".join(_split(row.get("languages", ""))),
        disciplines=mask,
        age_groups=ages,
        notes=row.get("notes", ""),
        source_url=row.get("source_url", ""),
        last_verified=verified,
        is_sample=sample,
        organisation=organisation,
    )
    return record, []


def _rows(handle: IO[str]) -> Iterator[tuple[int, dict[str, str] | None, str]]:
    reader = csv.reader(handle)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise ImportFormatError("the file is empty") from None
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise ImportFormatError(f"the header lacks the column(s): {', '.join(missing)}")
    width = len(header)
    for values in reader:
        if not any(value.strip() for value in values):
            continue
        if len(values) != width:
            yield reader.line_num, None, f"expected {width} columns, found {len(values)}"
            continue
        yield reader.line_num, {name: value.strip() for name, value in zip(header, values, strict=True)}, ""


def import_curated_csv(
    source: Path | IO[str], *, batch_size: int = DEFAULT_BATCH_SIZE, report: ImportReport | None = None
) -> ImportReport:
    report = report or ImportReport()
    writer = SiteWriter(report, batch_size=batch_size)
    handle = open_input(source, encoding="utf-8-sig", newline="") if isinstance(source, Path) else source
    try:
        for line, row, problem in _rows(handle):
            if row is None:
                report.reject(line, problem)
                continue
            if "\x00" in "".join(row.values()):
                report.reject(line, "contains a NUL character")
                continue
            record, problems = _row_to_record(row)
            if record is None:
                report.reject(line, "; ".join(problems))
            else:
                writer.add(line, record)
        writer.finish()
    except UnicodeDecodeError as error:
        writer.flush()
        raise ImportFormatError(f"the file is not UTF-8 text ({error.reason})") from None
    finally:
        if isinstance(source, Path):
            handle.close()
    return report
