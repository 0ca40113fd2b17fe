"""`manage.py community_moderator grant|revoke USERNAME [--reason ...]`: moderators are made and
unmade on the server's command line only, each change recorded in the moderators' audit (ADR 0020).

The account must have joined the community. A moderator passes a second factor before the moderation
pages; the command says so, since a member who never set one up is asked to at the first visit.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smanav.community.models import Member
from smanav.community.services.moderation import ModerationError, moderator_grant, moderator_revoke


class Command(BaseCommand):
    help = "Make a community member a moderator (grant) or end their role (revoke)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["grant", "revoke"])
        parser.add_argument("username", help="the account's user name")
        parser.add_argument("--reason", default="", help="kept in the moderators' audit")

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"]
        member = Member.objects.select_related("user").filter(user__username=username).first()
        if member is None:
            raise CommandError(
                f"No community member has the user name {username!r}: "
                "the account must join the community first."
            )
        reason = options["reason"].strip() or f"{options['action']} on the server's command line"
        try:
            if options["action"] == "grant":
                moderator_grant(member=member, reason=reason)
                self.stdout.write(
                    f"{member.display_name} ({username}) is a moderator. The moderation pages ask for a "
                    "second factor (an authenticator app), set up at the first visit."
                )
            else:
                moderator_revoke(member=member, reason=reason)
                self.stdout.write(f"{member.display_name} ({username}) is no longer a moderator.")
        except ModerationError as error:
            raise CommandError(str(error)) from error
