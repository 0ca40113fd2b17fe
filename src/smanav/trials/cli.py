"""`smanav trials match RECORD [--near PLACE] [--country CC] [--as-of DATE] [--format json|text]`."""

from __future__ import annotations

import os
import sys
from argparse import Namespace

from smanav.cli import EXIT_INVALID, Command, register


def _run(args: Namespace) -> int:
    rest = list(args.rest)
    if not rest or rest[0] != "match":
        print(
            "usage: smanav trials match RECORD [--near PLACE] [--country CC] [--as-of DATE]", file=sys.stderr
        )
        return EXIT_INVALID
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smanav.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["smanav trials match", "trials_match", *rest[1:]])
    return 0


register(
    Command(
        name="trials",
        help="trials match RECORD: open SMA trials matched to a patient record",
        configure=lambda parser: None,
        run=_run,
        passthrough=True,
    )
)
