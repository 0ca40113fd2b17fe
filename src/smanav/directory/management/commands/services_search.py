from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smanav.directory.disciplines import AgeGroup, Discipline
from smanav.directory.search import SearchProblem, check_input, complete_care_search, services_search


class Command(BaseCommand):
    help = "Search the services directory near a place or postal code (nearest first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("near", help='A place ("Boston", "Lyon, FR") or a postal code.')
        parser.add_argument("--country", help="ISO country code, e.g. US, DE.")
        parser.add_argument("--radius-km", type=float, default=None)
        parser.add_argument("--radius-mi", type=float, default=None, help="The radius in miles instead.")
        parser.add_argument(
            "--prefer-country",
            help="ISO code of the country to look in first when a postal code or name exists in several.",
        )
        parser.add_argument("--unit", choices=("km", "mi"), help="Print distances in this unit (default km).")
        parser.add_argument("--discipline", action="append", default=[], choices=Discipline.values)
        parser.add_argument("--age-group", choices=AgeGroup.values)
        parser.add_argument("--limit", type=int, default=None)
        parser.add_argument(
            "--complete-care",
            action="store_true",
            help="Find the nearest centre with all the disciplines, and where to find what it lacks.",
        )
        parser.add_argument("--format", choices=("text", "json"), default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            search = check_input(
                near=options["near"],
                country=options["country"],
                radius_km=options["radius_km"],
                radius_mi=options["radius_mi"],
                prefer_country=options["prefer_country"],
                unit=options["unit"],
                disciplines=options["discipline"],
                age_group=options["age_group"],
                limit=options["limit"],
            )
        except SearchProblem as problem:
            raise CommandError(
                "; ".join(f"{field}: {message}" for field, message in problem.problems)
            ) from None
        answer = complete_care_search(search) if options["complete_care"] else services_search(search)
        if options["format"] == "json":
            self.stdout.write(json.dumps(answer, ensure_ascii=False, indent=2))
            return
        if not answer["found"]:
            if answer["ambiguous"]:
                self.stdout.write(f"Several places are called {search.near!r}; search again with one of:")
                for choice in answer["choices"]:
                    self.stdout.write(f"  {choice['near']}  ({choice['name']})")
                return
            self.stdout.write(f"No place called {search.near!r} was found.")
            if answer["suggestions"]:
                self.stdout.write("Did you mean: " + "; ".join(answer["suggestions"]))
            return
        self.unit = answer["distance_unit"]
        self.stdout.write(f"Near {answer['location']['label']}:")
        if options["complete_care"]:
            self._complete(answer)
        else:
            for item in answer["results"]:
                self.stdout.write(self._line(item))
            if not answer["results"]:
                self.stdout.write("Nothing within the radius; try a larger --radius-km or --radius-mi.")
        self.stdout.write(answer["attribution"])

    unit = "km"

    def _line(self, item: dict[str, Any]) -> str:
        sample = " [SAMPLE]" if item["is_sample"] else ""
        far = f"{item['distance_mi']:8.1f} mi" if self.unit == "mi" else f"{item['distance_km']:8.1f} km"
        return f"{far}  {item['name']}{sample} ({', '.join(item['disciplines'])})"

    def _complete(self, answer: dict[str, Any]) -> None:
        if answer["complete_centre"]:
            self.stdout.write("Nearest centre with all of them: " + self._line(answer["complete_centre"]))
        else:
            self.stdout.write("No centre in the directory offers all of them.")
        if answer["nearest_centre_lacks"]:
            self.stdout.write(
                "The nearest centre, "
                + answer["nearest_centre"]["name"]
                + ", lacks: "
                + ", ".join(answer["nearest_centre_lacks"])
            )
            for item in answer["elsewhere"]:
                where = self._line(item["site"]) if item["site"] else "nowhere in the directory"
                self.stdout.write(f"  {item['discipline']}: {where}")
