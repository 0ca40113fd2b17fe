"""`manage.py synth --patients N --seed S [--as-of YYYY-MM-DD]` (also `smanav synth ...`): store a
synthetic national cohort (registry.synth, docs/registry.md). The same seed and date make the same
people; the digest printed at the end shows it."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from smanav.registry.synth_write import SynthRefused, synth_write


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of: must be a date as YYYY-MM-DD (got {text})", returncode=2) from None


class Command(BaseCommand):
    help = "Store N made-up patients (synthetic registry cohort), the same ones for the same seed and date."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--patients", type=int, required=True, help="how many people to make")
        parser.add_argument("--seed", type=int, default=1, help="the cohort's seed (default 1)")
        parser.add_argument(
            "--as-of", default=None, help="the cohort's 'today', YYYY-MM-DD (default: the server's date)"
        )
        parser.add_argument("--chunk", type=int, default=1000, help="people stored per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = _date(options["as_of"]) if options["as_of"] else timezone.localdate()
        try:
            report = synth_write(
                patients=options["patients"], seed=options["seed"], as_of=as_of, chunk=options["chunk"]
            )
        except SynthRefused as refusal:
            raise CommandError(str(refusal), returncode=2) from None
        self.stdout.write(
            f"Made {report.patients} synthetic patients as of {as_of.isoformat()} (seed {options['seed']}): "
            f"{report.treatments} treatment courses, {report.doses} doses, "
            f"{report.assessments} measurements, {report.consents} consents; "
            f"{report.rows} rows in {report.seconds:.1f} s "
            f"({report.rows_per_second:,.0f} rows/s). Digest {report.digest}"
        )
