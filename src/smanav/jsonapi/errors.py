"""One error hierarchy for the JSON API, answered in one shape:

    {"errors": [{"field": "genetics.smn2_copies", "message": "must be a whole number from 0 to 8 ..."}]}

`field` is the path of the offending input (the same path the CLI prints), or null when the problem is
not about one field (an unknown URL, a missing permission). Endpoints raise `ApiError` subclasses or let
the core's `InvalidInput` through; `install_error_handlers` turns every one of them, and django-ninja's
own errors, into that shape, so a client parses errors one way everywhere.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from smanav.database import BUSY_MESSAGE, RETRY_AFTER_SECONDS, is_busy
from smanav_core import InvalidInput
from smanav_core.errors import field_path

logger = logging.getLogger(__name__)


class Problem(Schema):
    field: str | None
    message: str


class ErrorsOut(Schema):
    """Every problem found, not just the first."""

    errors: list[Problem]


class ApiError(Exception):
    """Base of every error an endpoint raises on purpose; `status` is the HTTP status code."""

    status = 400

    def __init__(self, problems: Sequence[tuple[str | None, str]]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(message for _, message in self.problems))


class InvalidRequest(ApiError):
    status = 422


class NotAuthenticated(ApiError):
    status = 401


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


# For `response=` of an operation: documents the error answers it can give in the OpenAPI document.
def error_responses(*statuses: int) -> dict[int, type[ErrorsOut]]:
    return dict.fromkeys(statuses, ErrorsOut)


def _ninja_field(loc: Sequence[Any]) -> str | None:
    # ninja prefixes the parameter source ("query", "path", "body"); the client knows only the name.
    parts = tuple(loc[1:] if loc and loc[0] in {"query", "path", "body", "header", "cookie", "form"} else loc)
    return field_path(parts) if parts else None


def status_and_problems(exc: Exception) -> tuple[int, list[tuple[str | None, str]]]:
    """What the client is told about `exc`: the HTTP status and the problems."""
    if isinstance(exc, ApiError):
        return exc.status, exc.problems
    if isinstance(exc, InvalidInput):
        return 422, list(exc.problems)
    if isinstance(exc, ValidationError):
        return 422, [
            (_ninja_field(item.get("loc", ())), str(item.get("msg", "is not valid"))) for item in exc.errors
        ]
    if isinstance(exc, AuthenticationError):
        return 401, [(None, "you need to sign in")]
    if isinstance(exc, HttpError):
        return exc.status_code, [(None, exc.message)]
    if isinstance(exc, Http404):
        return 404, [(None, "not found")]
    if isinstance(exc, PermissionDenied):
        return 403, [(None, "you may not do this")]
    if isinstance(exc, RequestDataTooBig):
        return 413, [(None, "the request body is too large")]
    if is_busy(exc):
        return 503, [(None, BUSY_MESSAGE)]
    return 500, [(None, "internal error: the team has been told")]


HANDLED = (
    ApiError,
    InvalidInput,
    ValidationError,
    HttpError,
    Http404,
    PermissionDenied,
    RequestDataTooBig,
    Exception,
)


def install_error_handlers(api: NinjaAPI) -> None:
    def answer(request: HttpRequest, exc: Any) -> HttpResponse:
        status, problems = status_and_problems(exc)
        if status >= 500 and status != 503:
            # Never a traceback to the client; the log has it.
            logger.exception("unexpected error in %s %s", request.method, request.path, exc_info=exc)
        body = {"errors": [{"field": field, "message": message} for field, message in problems]}
        response = api.create_response(request, body, status=status)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            response["Retry-After"] = str(retry_after)
        elif status == 503:
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    for exc_class in HANDLED:
        api.add_exception_handler(exc_class, answer)
