from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from smanav.directory.importing.curated_csv import import_curated_csv
from smanav.trials.importing import import_trials

# Here, in the trials app, because it loads both: the trials app may use the directory, not the reverse.
SAMPLE_DIRECTORY = Path(__file__).resolve().parents[3] / "directory" / "sample_data" / "sample_directory.csv"
SAMPLE_TRIALS = Path(__file__).resolve().parents[2] / "sample_data" / "sample_trials.ndjson"


class Command(BaseCommand):
    help = "Load the SAMPLE directory and SAMPLE trials (fictional, for demonstrations). Safe to re-run."

    def handle(self, *args: Any, **options: Any) -> None:
        sites = import_curated_csv(SAMPLE_DIRECTORY)
        self.stdout.write(f"SAMPLE directory: {sites.summary()}")
        trials = import_trials(SAMPLE_TRIALS, is_sample=True)
        self.stdout.write(f"SAMPLE trials: {trials.summary()}")
        for report in (sites, trials):
            for item in report.rejections:
                self.stderr.write(f"line {item.line}: {item.reason}")
