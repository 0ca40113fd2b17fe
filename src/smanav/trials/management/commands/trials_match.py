from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from smanav.jsonapi.documents import as_of_date, json_document
from smanav.trials.services import trials_match_document
from smanav_core import InvalidInput

# The record's own criteria, by section: an exclusion is never printed as something the trial asks for.
WRITTEN = {"inclusion": "to check: asked for", "exclusion": "to check: excludes", None: "to check: listed"}


class Command(BaseCommand):
    help = "Match a patient record (the contract's JSON, a file or - for stdin) against open SMA trials."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("record")
        parser.add_argument("--near", help="Place or postal code, to list the nearest trial sites.")
        parser.add_argument("--country")
        parser.add_argument("--as-of", help="YYYY-MM-DD (default today).")
        parser.add_argument("--format", choices=("text", "json"), default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            text = (
                sys.stdin.read() if options["record"] == "-" else Path(options["record"]).read_text("utf-8")
            )
            as_of: dt.date = as_of_date(options["as_of"], today=timezone.localdate())
            answer = trials_match_document(
                json_document(text, "record"), as_of=as_of, near=options["near"], country=options["country"]
            )
        except OSError as error:
            raise CommandError(str(error)) from None
        except InvalidInput as error:
            raise CommandError(
                "\n".join(f"{field}: {message}" for field, message in error.problems)
            ) from None
        if options["format"] == "json":
            self.stdout.write(json.dumps(answer, ensure_ascii=False, indent=2))
            return
        for trial in answer["trials"]:
            sample = " [SAMPLE]" if trial["is_sample"] and "[SAMPLE]" not in trial["title"] else ""
            verdict = "may fit" if trial["possible"] else "does not fit"
            self.stdout.write(f"{trial['nct_id']}{sample} {trial['title']} ({trial['status']}): {verdict}")
            for outcome, label in (("met", "met"), ("not_met", "NOT met"), ("to_check", "to check")):
                for item in trial["criteria"][outcome]:
                    tag = WRITTEN[item["section"]] if "html" in item else label
                    text = item["text"].replace("\n", "\n      ")  # nested items under their criterion
                    self.stdout.write(f"  [{tag}] {text}")
            for site in trial["nearest_sites"]:
                distance = "" if site["distance_km"] is None else f"{site['distance_km']} km, "
                self.stdout.write(f"  site: {distance}{site['facility']}, {site['city']}, {site['country']}")
        self.stdout.write(answer["disclaimer"])
