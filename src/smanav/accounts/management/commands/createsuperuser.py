"""`manage.py createsuperuser`: Django's command, then smanav's administrator grant (grants.py).

The superuser flag alone gives nothing in smanav. The first administrator of an installation is
confirmed at once (nobody else could); any later one waits, without powers, until another administrator
confirms it on the clinics page. Either way the audit trail says who was made and how. The new
administrator sets up two-factor authentication at their first log-in.

This command replaces Django's own because `smanav.accounts` comes before `django.contrib.auth` in
INSTALLED_APPS.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.management.commands import createsuperuser

from smanav.accounts.grants import administrator_request


class Command(createsuperuser.Command):
    help = (
        "Create a superuser and ask for it to become a smanav administrator: the first one is confirmed "
        "at once, later ones wait for another administrator's confirmation."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        users = get_user_model()._default_manager.db_manager(options["database"])
        before = set(users.filter(is_superuser=True).values_list("pk", flat=True))
        super().handle(*args, **options)
        for user in users.filter(is_superuser=True).exclude(pk__in=before):
            grant = administrator_request(requested_by=None, user=user)
            if grant.is_confirmed:
                message = (
                    f"{user.get_username()} is the first administrator of this installation. At the "
                    "first log-in, set up two-factor authentication with an authenticator app."
                )
            else:
                message = (
                    f"{user.get_username()} waits for another administrator to confirm it on the "
                    "clinics page; until then it has no administrator powers."
                )
            if options["verbosity"] >= 1:
                self.stdout.write(message)
