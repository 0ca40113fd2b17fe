"""Bearer-token authentication for the JSON API (`Authorization: Bearer <token>`)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from smanav.accounts.models import User
from smanav.accounts.services import api_token_authenticate


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: the token's owner, flagged as having come with a token
    (`User.via_api_token`), which only a session past two-factor authentication can make."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(token=token)
        if user is None:
            return None
        user.via_api_token = True
        request.user = user
        return user
