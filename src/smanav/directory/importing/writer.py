"""The one write path of every directory importer: geocode, then upsert a batch of sites in one transaction.

Idempotency comes from the natural key (`source`, `external_id`) and a hash of the row's content: a row
seen before with the same content is counted as unchanged and not written again. Each batch commits on
its own, so an interrupted import keeps its committed batches and a re-run only adds what is missing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import operator
import sqlite3
from collections.abc import Iterator
from dataclasses import astuple, dataclass, field
from typing import Any

from django.db import connection, transaction

from smanav.directory.importing.geocoding import Geocoder, Point
from smanav.directory.importing.report import ImportReport
from smanav.directory.models import Organisation, Site

DEFAULT_BATCH_SIZE = 2000


@dataclass(slots=True)
class OrganisationRecord:
    source: str
    external_id: str
    name: str
    kind: str
    website: str = ""
    phone: str = ""
    email: str = ""
    description: str = ""
    source_url: str = ""
    last_verified: dt.date | None = None
    is_sample: bool = False


@dataclass(slots=True)
class SiteRecord:
    source: str
    external_id: str
    name: str
    kind: str
    country_code: str
    address: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    latitude: float | None = None
    longitude: float | None = None
    geocoded_by: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    languages: str = ""
    disciplines: int = 0
    age_groups: int = 0
    taxonomy_codes: str = ""
    notes: str = ""
    source_url: str = ""
    last_verified: dt.date | None = None
    is_sample: bool = False
    organisation: OrganisationRecord | None = field(default=None)


def content_hash(values: tuple[object, ...]) -> str:
    return hashlib.blake2b(repr(values).encode("utf-8"), digest_size=12).hexdigest()


SITE_FIELDS = [name for name in SiteRecord.__dataclass_fields__ if name != "organisation"]
_site_values = operator.attrgetter(*SITE_FIELDS)
ORG_FIELDS = list(OrganisationRecord.__dataclass_fields__)


class SiteWriter:
    """Collect rows (`add`), write them a batch at a time (`flush`, called by `add` and at the end)."""

    def __init__(
        self, report: ImportReport, *, batch_size: int = DEFAULT_BATCH_SIZE, whole_countries: bool = False
    ) -> None:
        self.report = report
        self.batch_size = batch_size
        self.geocoder = Geocoder(whole_countries=whole_countries)
        self._pending: list[tuple[int, SiteRecord]] = []
        self._removals: dict[str, set[str]] = {}

    def add(self, line: int, record: SiteRecord) -> None:
        text = "".join(
            (
                record.name,
                record.address,
                record.city,
                record.region,
                record.postal_code,
                record.phone,
                record.email,
                record.website,
                record.notes,
                record.external_id,
            )
        )
        if "\x00" in text:
            # PostgreSQL refuses NUL in text; refuse it everywhere so both databases hold the same rows.
            self.report.reject(line, "contains a NUL character")
            return
        self._pending.append((line, record))
        if len(self._pending) >= self.batch_size:
            self.flush()

    def remove(self, source: str, external_id: str) -> None:
        """A row the source now says is gone (a deactivated NPI): delete it if we have it."""
        ids = self._removals.setdefault(source, set())
        ids.add(external_id)
        # Removals count towards a batch too, or a file of deactivations would pile up in memory.
        if len(ids) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        pending, self._pending = self._pending, []
        removals, self._removals = self._removals, {}
        placed = self._geocode(pending)
        with transaction.atomic():
            for source, ids in removals.items():
                for part in _chunks(sorted(ids), _in_list_limit()):
                    deleted, _ = Site.objects.filter(source=source, external_id__in=part).delete()
                    self.report.removed += deleted
                    self.report.skipped += len(part) - deleted
            if placed:
                self._upsert(placed)

    def _geocode(self, pending: list[tuple[int, SiteRecord]]) -> list[SiteRecord]:
        geocoder = self.geocoder
        needs = [record for _, record in pending if record.latitude is None or record.longitude is None]
        if needs:
            geocoder.prefetch_postal((r.country_code, r.postal_code) for r in needs)
        # Each row's postal code looked up once; then towns only for the rows it did not place.
        by_postal: list[Point | None] = [
            geocoder.postal(r.country_code, r.postal_code)
            if r.latitude is None or r.longitude is None
            else None
            for _, r in pending
        ]
        if needs:
            geocoder.prefetch_places(
                (r.country_code, r.city, r.region)
                for (_, r), point in zip(pending, by_postal, strict=True)
                if point is None and (r.latitude is None or r.longitude is None)
            )
        placed: dict[tuple[str, str], SiteRecord] = {}
        for (line, record), point in zip(pending, by_postal, strict=True):
            if record.latitude is None or record.longitude is None:
                how = "postal_code"
                if point is None:
                    point, how = geocoder.place(record.country_code, record.city, record.region), "place"
                if point is None:
                    where = (
                        " / ".join(part for part in (record.postal_code, record.city) if part) or "no address"
                    )
                    self.report.reject(
                        line, f"could not place the address on the map ({record.country_code} {where})"
                    )
                    continue
                record.latitude, record.longitude, record.geocoded_by = point[0], point[1], how
            elif not record.geocoded_by:
                record.geocoded_by = "source"
            key = (record.source, record.external_id)
            if key in placed:
                # The same row twice in one batch: the later line wins, the earlier counts as replaced.
                self.report.updated += 1
            placed[key] = record
        return list(placed.values())

    def _upsert_organisations(self, records: list[SiteRecord]) -> dict[tuple[str, str], int]:
        orgs: dict[tuple[str, str], OrganisationRecord] = {}
        for record in records:
            if record.organisation is not None:
                orgs[(record.organisation.source, record.organisation.external_id)] = record.organisation
        if not orgs:
            return {}
        existing = {
            (source, key): (pk, digest)
            for source, key, pk, digest in Organisation.objects.filter(
                source__in={s for s, _ in orgs}, external_id__in={k for _, k in orgs}
            ).values_list("source", "external_id", "id", "content_hash")
        }
        to_write = []
        for key, org in orgs.items():
            digest = content_hash(astuple(org))
            if key not in existing or existing[key][1] != digest:
                to_write.append(Organisation(content_hash=digest, **{f: getattr(org, f) for f in ORG_FIELDS}))
        if to_write:
            Organisation.objects.bulk_create(
                to_write,
                update_conflicts=True,
                unique_fields=["source", "external_id"],
                update_fields=[f for f in ORG_FIELDS if f not in ("source", "external_id")]
                + ["content_hash"],
            )
        return {
            (source, key): pk
            for source, key, pk in Organisation.objects.filter(
                source__in={s for s, _ in orgs}, external_id__in={k for _, k in orgs}
            ).values_list("source", "external_id", "id")
        }

    def _upsert(self, records: list[SiteRecord]) -> None:
        org_ids = self._upsert_organisations(records)
        rows: list[list[Any]] = []
        for record in records:
            org = record.organisation
            org_id = None if org is None else org_ids[(org.source, org.external_id)]
            values = _site_values(record)
            rows.append([*values, org_id, content_hash((*values, org_id))])
        if connection.vendor == "postgresql":
            # The upsert itself says what it did: inserted rows have xmax = 0, unchanged rows are not
            # touched (the WHERE of DO UPDATE) and not returned. No look-up query per batch.
            inserted = _upsert_rows_postgresql(rows)
            self.report.added += sum(inserted)
            self.report.updated += len(inserted) - sum(inserted)
            self.report.unchanged += len(rows) - len(inserted)
            return
        existing = _stored_digests_sqlite(records)
        to_write: list[list[Any]] = []
        for record, row in zip(records, rows, strict=True):
            previous = existing.get((record.source, record.external_id))
            if previous == row[-1]:
                self.report.unchanged += 1
                continue
            if previous is None:
                self.report.added += 1
            else:
                self.report.updated += 1
            to_write.append(row)
        if to_write:
            _upsert_rows_sqlite(to_write)

    def finish(self) -> None:
        """Write what is left, then refresh the planner's statistics (a big import changes them)."""
        self.flush()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"ANALYZE {connection.ops.quote_name(Site._meta.db_table)}")
            elif connection.vendor == "sqlite":
                cursor.execute("PRAGMA optimize")


def _in_list_limit() -> int:
    """How many values one `IN (...)` may bind next to a couple of other parameters: the SQLite build's
    own limit (Django assumes the old default of 999), well under PostgreSQL's 65,535 per statement."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return int(connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)) - 2
    return 30_000


def _chunks(values: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _stored_digests_sqlite(records: list[SiteRecord]) -> dict[tuple[str, str], str]:
    """The content hash stored for each (source, external id) of a batch that is already in the table."""
    existing: dict[tuple[str, str], str] = {}
    quote = connection.ops.quote_name
    table = quote(Site._meta.db_table)
    limit = _in_list_limit()
    with connection.cursor() as cursor:
        for source in {record.source for record in records}:
            ids = [record.external_id for record in records if record.source == source]
            for part in _chunks(ids, limit):
                placeholders = ", ".join(["%s"] * len(part))
                # Plain SQL: the ORM spends more time preparing thousands of IN parameters than SQLite
                # takes to run the query.
                cursor.execute(
                    f"SELECT {quote('external_id')}, {quote('content_hash')} FROM {table} "
                    f"WHERE {quote('source')} = %s AND {quote('external_id')} IN ({placeholders})",
                    [source, *part],
                )
                for key, digest in cursor.fetchall():
                    existing[(source, key)] = digest
    return existing


def _site_upsert_sql(select_from: str | None = None) -> str:
    """INSERT ... ON CONFLICT (source, external_id) DO UPDATE, which SQLite and PostgreSQL both speak.

    The ORM's bulk_create spends most of an import compiling SQL for each 40-row chunk; a prepared
    statement (SQLite) or a COPY into a staging table (PostgreSQL) is several times faster and is the
    same upsert.
    """
    quote = connection.ops.quote_name
    columns = [*SITE_FIELDS, "organisation_id", "content_hash"]
    names = ", ".join(quote(c) for c in columns)
    updates = ", ".join(
        f"{quote(c)} = excluded.{quote(c)}" for c in columns if c not in ("source", "external_id")
    )
    values = (
        f"SELECT {names} FROM {select_from}"
        if select_from
        else f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    return (
        f"INSERT INTO {quote(Site._meta.db_table)} ({names}) {values} "
        f"ON CONFLICT ({quote('source')}, {quote('external_id')}) DO UPDATE SET {updates}"
    )


# SQLite's default page cache (2 MB) is far smaller than the location index of a national directory,
# so every insert at a random latitude would read its index pages again; 128 MB keeps them in memory
# for this connection only.
SQLITE_IMPORT_CACHE_KIB = 131_072
_LATITUDE = SITE_FIELDS.index("latitude")


def _upsert_rows_sqlite(rows: list[list[Any]]) -> None:
    # In latitude order, consecutive inserts touch neighbouring pages of the location index.
    rows.sort(key=lambda row: row[_LATITUDE])
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
        cursor.executemany(_site_upsert_sql(), rows)


def _upsert_rows_postgresql(rows: list[list[Any]]) -> list[bool]:
    """COPY into a staging table, then one INSERT ... SELECT ... ON CONFLICT (an executemany would run
    every row as a statement of its own). Answers, per row written, whether it was inserted."""
    rows.sort(key=lambda row: row[_LATITUDE])
    quote = connection.ops.quote_name
    table = quote(Site._meta.db_table)
    columns = ", ".join(quote(c) for c in [*SITE_FIELDS, "organisation_id", "content_hash"])
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS directory_site_stage ON COMMIT DELETE ROWS AS "
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY directory_site_stage ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            _site_upsert_sql("directory_site_stage")
            + f" WHERE {table}.{quote('content_hash')} IS DISTINCT FROM excluded.{quote('content_hash')}"
            + " RETURNING (xmax = 0)"
        )
        inserted = [bool(flag) for (flag,) in cursor.fetchall()]
        cursor.execute("TRUNCATE directory_site_stage")
    return inserted
