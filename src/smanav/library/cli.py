"""`smanav library check` and `smanav library reviewer grant|revoke|list ...`: thin dispatchers to the
library's management commands. This module must not import Django at its top level (see `smanav.cli`)."""

from __future__ import annotations

import os
import sys
from argparse import Namespace

from smanav.cli import EXIT_INVALID, Command, register

CHOICES = {"check": "library_check", "reviewer": "library_reviewer"}


def _run(args: Namespace) -> int:
    rest = list(args.rest)
    if not rest or rest[0] not in CHOICES:
        print("usage: smanav library {check,reviewer} ...", file=sys.stderr)
        return EXIT_INVALID
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smanav.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line([f"smanav library {rest[0]}", CHOICES[rest[0]], *rest[1:]])
    return 0


register(
    Command(
        name="library",
        help="library check | library reviewer grant|revoke|list: the articles and their medical reviewers",
        configure=lambda parser: None,
        run=_run,
        passthrough=True,
    )
)
