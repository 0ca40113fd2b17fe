"""`smanav import csv|nppes|trials PATH`, `smanav geo load`, `smanav services search ...`.

Each is a thin dispatcher to a Django management command (Django is set up only when one runs).
This module must not import Django at its top level (see `smanav.cli`).
"""

from __future__ import annotations

import os
from argparse import Namespace

from smanav.cli import EXIT_INVALID, Command, register

HELP = {
    "import": "import csv|nppes|trials PATH: a curated list, the NPPES file or ClinicalTrials.gov studies",
    "geo": "geo load [--countries US,GB] [--if-empty]: load GeoNames place names and postal codes",
    "services": "services search PLACE [--discipline ...] | services demo-load: the services directory",
}
SUBCOMMANDS = {
    "import": {"csv": "import_csv", "nppes": "import_nppes", "trials": "import_trials"},
    "geo": {"load": "geo_load"},
    "services": {"search": "services_search", "demo-load": "directory_demo_load"},
}


def _dispatcher(group: str) -> Command:
    choices = SUBCOMMANDS[group]

    def run(args: Namespace) -> int:
        rest = list(args.rest)
        if not rest or rest[0] not in choices:
            import sys

            print(f"usage: smanav {group} {{{','.join(choices)}}} ...", file=sys.stderr)
            return EXIT_INVALID
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smanav.settings")
        from django.core.management import execute_from_command_line

        execute_from_command_line([f"smanav {group} {rest[0]}", choices[rest[0]], *rest[1:]])
        return 0

    return Command(
        name=group,
        help=HELP[group],
        configure=lambda parser: None,
        run=run,
        passthrough=True,
    )


for _group in SUBCOMMANDS:
    register(_dispatcher(_group))
