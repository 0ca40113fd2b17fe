"""When an account is deleted, its member leaves the community as they chose (posts removed, or kept
without their name).

Accounts are a lower layer than the community and may not import it (ADR 0018), and an account can be
deleted on more than one path (the family's "delete my account" page, the admin, the command line).
So the community listens for the deletion of any account, inside the same transaction, and hands it to
the one service that makes a member leave. Nothing else is decided here.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models.signals import pre_delete

from smanav.community.services.members import member_leave_with_account


def _account_deleted(sender: type[Any], instance: Any, **kwargs: Any) -> None:
    member_leave_with_account(user=instance)


def connect() -> None:
    pre_delete.connect(_account_deleted, sender=get_user_model(), dispatch_uid="community-member-leaves")
