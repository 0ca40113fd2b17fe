"""The request a signed-in page receives: `user` is an account, never the anonymous visitor.

`signed_in` (decorators.py) lets a request through only when someone is signed in (and, for staff and
administrators, has passed two-factor authentication), so the views it guards take this type and read
`request.user` as a `User` without asking again.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from smanav.accounts.models import User

# Whoever a request comes from before a guard has looked: an account, or the anonymous visitor.
Visitor = User | AnonymousUser


class AuthenticatedHttpRequest(HttpRequest):
    user: User
