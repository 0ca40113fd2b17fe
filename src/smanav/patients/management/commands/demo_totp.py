"""`manage.py demo_totp`: the current two-factor code of the demo staff accounts (demo only)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django_otp.oath import totp

from smanav.patients.management.commands.demo_load import TOTP_KEY_HEX


class Command(BaseCommand):
    help = "Print the current TOTP code of the demo clinic's staff accounts."

    def handle(self, *args: Any, **options: Any) -> None:
        code = totp(bytes.fromhex(TOTP_KEY_HEX), step=30, t0=0, digits=6, drift=0)
        remaining = 30 - int(time.time()) % 30
        self.stdout.write(f"{code:06d}  (valid for about {remaining} more seconds)")
