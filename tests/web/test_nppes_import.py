"""The NPPES importer's fast paths keep its guarantees: rows that are not ours are skipped before any other
work, deactivations still apply, batches of any size commit one by one, and long `IN` lists are split to
fit the database's limit on bound parameters."""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from smanav.directory.importing import writer as writer_module
from smanav.directory.importing.nppes import NPPES_BATCH_SIZE, import_nppes
from smanav.directory.importing.nppes_layout import NPPES_HEADER, npi_with_check_digit
from smanav.directory.importing.writer import DEFAULT_BATCH_SIZE
from smanav.directory.management.commands.import_csv import Command as CsvCommand
from smanav.directory.management.commands.import_nppes import Command as NppesCommand
from smanav.directory.models import Site
from smanav.geo.models import PostalCode
from smanav.geo.names import postal_key

pytestmark = pytest.mark.django_db

NEUROLOGY = "2084N0400X"
DENTIST = "1223G0001X"  # a NUCC code that maps to none of our disciplines
LAST_NAME = "Provider Last Name (Legal Name)"
DEACTIVATED = "NPI Deactivation Date"


@pytest.fixture
def boston(db: None) -> None:
    PostalCode.objects.create(
        country_code="US", code="02115", key=postal_key("02115"), latitude=42.3429, longitude=-71.0907
    )


def npi(n: int) -> str:
    return npi_with_check_digit(str(100_000_000 + n))


def row(
    number: str, values: dict[str, str] | None = None, *, header: tuple[str, ...] = NPPES_HEADER
) -> list[str]:
    fields = dict.fromkeys(header, "")
    fields.update(
        {
            "NPI": number,
            "Entity Type Code": "1",
            LAST_NAME: "DOE",
            "Last Update Date": "07/08/2024",
            "Provider Business Practice Location Address City Name": "BOSTON",
            "Provider Business Practice Location Address State Name": "MA",
            "Provider Business Practice Location Address Postal Code": "021155724",
            "Healthcare Provider Taxonomy Code_1": NEUROLOGY,
        }
    )
    fields.update(values or {})
    return [fields[name] for name in header]


def write_file(
    tmp_path: Path, rows: list[list[str]], header: tuple[str, ...] = NPPES_HEADER, name: str = "npi.csv"
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path / name
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_rows_not_ours_are_skipped_before_their_fields_are_checked(tmp_path: Path, boston: None) -> None:
    rows = [
        row("12345", {"Healthcare Provider Taxonomy Code_1": DENTIST}),  # line 2: not ours, bad NPI
        row(npi(1), {"Last Update Date": "31/31/2024", "Healthcare Provider Taxonomy Code_1": DENTIST}),
        row("12345"),  # line 4: ours, bad NPI
        row("١٢٣٤٥٦٧٨٩٠"),  # line 5: ours, ten digits of another script
        row(npi(2), {"Last Update Date": "31/31/2024"}),  # line 6: ours, bad date
        row(npi(3), {"Entity Type Code": "3"}),  # line 7: ours, unknown entity type
        row(npi(4), {"Healthcare Provider Taxonomy Code_1": f" {NEUROLOGY} "}),  # padded: still ours
    ]
    report = import_nppes(write_file(tmp_path, rows))
    assert (report.added, report.skipped, report.rejected) == (1, 2, 4)
    reasons = {item.line: item.reason for item in report.rejections}
    assert set(reasons) == {4, 5, 6, 7}
    assert "not a valid 10-digit NPI" in reasons[5] and "bad date" in reasons[6]
    assert list(Site.objects.values_list("external_id", "taxonomy_codes")) == [(npi(4), NEUROLOGY)]


def test_a_deactivation_without_taxonomy_codes_still_removes_the_provider(
    tmp_path: Path, boston: None
) -> None:
    import_nppes(write_file(tmp_path, [row(npi(1)), row(npi(2))]))
    # NPPES blanks every other field of a deactivated NPI, its taxonomy codes included.
    gone = dict.fromkeys(NPPES_HEADER, "") | {"NPI": npi(1), DEACTIVATED: "03/04/2025"}
    report = import_nppes(write_file(tmp_path, [[gone[name] for name in NPPES_HEADER], row(npi(2))]))
    assert (report.removed, report.unchanged) == (1, 1)
    assert list(Site.objects.values_list("external_id", flat=True)) == [npi(2)]


def test_a_file_with_a_single_taxonomy_column_or_none(tmp_path: Path, boston: None) -> None:
    required = (
        "NPI",
        "Entity Type Code",
        LAST_NAME,
        "Provider Business Practice Location Address City Name",
        "Provider Business Practice Location Address State Name",
        "Provider Business Practice Location Address Postal Code",
    )
    one_slot = (*required, "Healthcare Provider Taxonomy Code_1")
    report = import_nppes(write_file(tmp_path, [row(npi(1), header=one_slot)], header=one_slot))
    assert (report.added, report.rejected) == (1, 0)
    report = import_nppes(write_file(tmp_path, [row(npi(2), header=required)], header=required))
    assert (report.added, report.skipped, report.rejected) == (0, 1, 0)


@pytest.fixture
def few_sql_parameters(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make a small batch need several `IN` lists: on SQLite, lower the connection's real limit on bound
    parameters (above the upsert's 25, below a batch of 60 identifiers); elsewhere, the importer's own."""
    if connection.vendor != "sqlite":
        monkeypatch.setattr(writer_module, "_in_list_limit", lambda: 28)
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    previous = raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 30)
    yield
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, previous)


def test_long_in_lists_are_split_to_fit_the_parameter_limit(
    tmp_path: Path, boston: None, few_sql_parameters: None
) -> None:
    rows = [row(npi(i)) for i in range(60)]
    first = import_nppes(write_file(tmp_path, rows), batch_size=100)
    assert first.added == 60
    rows[45] = row(npi(45), {LAST_NAME: "ROE"})
    again = import_nppes(write_file(tmp_path, rows), batch_size=100)
    assert (again.added, again.updated, again.unchanged) == (0, 1, 59)
    gone = [row(npi(i), {DEACTIVATED: "03/04/2025"}) for i in range(40)]
    removed = import_nppes(write_file(tmp_path, gone), batch_size=100)
    assert removed.removed == 40 and Site.objects.count() == 20


def test_removals_flush_in_batches_and_every_batch_commits_on_its_own(
    tmp_path: Path, boston: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_nppes(write_file(tmp_path, [row(npi(i)) for i in range(25)]))
    deactivations = [row(npi(i), {DEACTIVATED: "03/04/2025"}) for i in range(25)]
    real_flush = writer_module.SiteWriter.flush
    flushes = {"n": 0}

    def crash_on_third_flush(self: Any) -> None:
        flushes["n"] += 1
        if flushes["n"] == 3:
            raise KeyboardInterrupt("power cut")
        real_flush(self)

    monkeypatch.setattr(writer_module.SiteWriter, "flush", crash_on_third_flush)
    with pytest.raises(KeyboardInterrupt):
        import_nppes(write_file(tmp_path, deactivations), batch_size=10)
    assert Site.objects.count() == 5  # two batches of ten removals committed
    monkeypatch.setattr(writer_module.SiteWriter, "flush", real_flush)
    report = import_nppes(write_file(tmp_path, deactivations), batch_size=10)
    assert (report.removed, report.skipped) == (5, 20) and Site.objects.count() == 0


def test_the_import_commands_default_to_the_importers_batch_sizes() -> None:
    """`smanav import nppes|csv` without `--batch-size` runs the batches the importers are tuned for."""
    nppes = NppesCommand().create_parser("manage.py", "import_nppes").parse_args(["npi.csv"])
    assert nppes.batch_size == NPPES_BATCH_SIZE
    curated = CsvCommand().create_parser("manage.py", "import_csv").parse_args(["list.csv"])
    assert curated.batch_size == DEFAULT_BATCH_SIZE
