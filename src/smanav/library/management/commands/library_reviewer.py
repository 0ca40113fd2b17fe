"""`manage.py library_reviewer grant USERNAME --name NAME --credentials TEXT | revoke USERNAME | list`.

The medical-reviewer role is given on the server's command line: whoever runs this has checked the
person's name and credentials, which are printed on every article they sign off.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smanav.library.models import Reviewer
from smanav.library.services import LibraryError, reviewer_grant, reviewer_revoke


class Command(BaseCommand):
    help = "Grant, revoke or list the medical-reviewer role of the library."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        grant = actions.add_parser("grant", help="make an account a medical reviewer")
        grant.add_argument("username")
        grant.add_argument("--name", required=True, help="the name to print, e.g. 'Dr A. Example'")
        grant.add_argument("--credentials", required=True, help="e.g. 'MD, paediatric neurologist'")
        revoke = actions.add_parser("revoke", help="take the role away (past sign-offs stay)")
        revoke.add_argument("username")
        actions.add_parser("list", help="list the reviewers")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "grant":
                reviewer = reviewer_grant(
                    username=options["username"],
                    display_name=options["name"],
                    credentials=options["credentials"],
                )
                self.stdout.write(f"{reviewer.user.get_username()} is a medical reviewer: {reviewer}")
            elif options["action"] == "revoke":
                reviewer = reviewer_revoke(username=options["username"])
                self.stdout.write(f"{reviewer.user.get_username()} is no longer a medical reviewer")
            else:
                for reviewer in Reviewer.objects.select_related("user").order_by("display_name"):
                    state = "active" if reviewer.is_active else "revoked"
                    self.stdout.write(f"{reviewer.user.get_username()}\t{reviewer}\t{state}")
        except LibraryError as error:
            raise CommandError(f"{error.field or 'library'}: {error}") from None
