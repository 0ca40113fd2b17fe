"""`manage.py library_check`: every article rendered with the knowledge base, its problems, the facts
typed by hand in its own words, and its reading grade. Exits with status 1 when anything is wrong."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from smanav.library import catalogue
from smanav.library.content import PLAIN_LANGUAGE_GRADE
from smanav.library.facts import hand_typed_facts
from smanav.library.rendering import reading_grade


class Command(BaseCommand):
    help = "Check every library article against the knowledge base and print its reading grade."

    def handle(self, *args: Any, **options: Any) -> None:
        library = catalogue.current()
        failures = 0
        for problem in library.problems:
            self.stdout.write(f"unreadable: {problem}")
            failures += 1
        self.stdout.write(f"knowledge base {library.knowledge.version}, {len(library.articles)} articles")
        for slug, item in library.articles.items():
            grade = reading_grade(item.plain_text)
            meta = item.source.meta
            own_words = "\n".join((meta.title, meta.summary, item.own_words))
            problems = list(item.problems) + hand_typed_facts(own_words)
            if meta.plain_language and grade > PLAIN_LANGUAGE_GRADE:
                problems.append(
                    f"reading grade {grade:.1f} is above {PLAIN_LANGUAGE_GRADE:g} (plain-language article)"
                )
            self.stdout.write(
                f"{slug}: grade {grade:.1f}, {len(item.entries)} facts, {meta.status.value}"
                + ("" if problems else ", no problems")
            )
            for problem in problems:
                self.stdout.write(f"  - {problem}")
            failures += bool(problems)
        if failures:
            raise CommandError(f"{failures} article(s) with problems")
