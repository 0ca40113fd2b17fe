"""The API object: django-ninja plus the contract's published JSON Schemas in the OpenAPI document.

The contract endpoints take raw bodies (the core validates them), so ninja cannot see their schemas; the
published schemas are added as components here and referenced from those operations.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from smanav.api.published_schemas import openapi_components

DESCRIPTION = """\
Errors are answered as `{"errors": [{"field": ..., "message": ...}]}` with a 4xx status naming the
problem; a server error is never expected.

**Authentication.** The `/patients` operations take `Authorization: Bearer <token>` (a token made on the
API tokens page) or the browser's session cookie.

**CSRF.** With the session cookie, every POST must carry the header `X-CSRFToken` holding the value of
the `csrftoken` cookie, or it is answered 403. With a Bearer token no CSRF token is needed.

**Limits.** A JSON body may be at most 2.5 MB and nest at most 20 levels (413 or 422 beyond). The
anonymous operations (evaluate, triage, services search, trial matching) allow a number of requests per
caller address and minute (60 by default); beyond it they answer 429 with `Retry-After` in seconds.
"""

# The operations throttled per caller address (smanav.jsonapi.throttling).
THROTTLED = {
    ("/api/v1/evaluate", "post"),
    ("/api/v1/triage", "post"),
    ("/api/v1/services/search", "get"),
    ("/api/v1/services/complete-care", "get"),
    ("/api/v1/trials/match", "post"),
}
ERRORS_REF = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorsOut"}}}


def _error(description: str, **extra: Any) -> dict[str, Any]:
    return {"description": description, "content": ERRORS_REF, **extra}


def document_common_errors(schema: dict[str, Any]) -> None:
    """Add the answers every operation of a kind can give, whatever its own code declares: 413 for a
    body too large, 403 for a session POST without its CSRF token, 429 for a throttled operation."""
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            if "requestBody" in operation:
                responses.setdefault(413, _error("The body is larger than 2.5 MB."))
                responses.setdefault(422, _error("The body is not a valid document."))
            sessions = any("SessionAuth" in scheme for scheme in operation.get("security", []))
            if method == "post" and sessions:
                responses.setdefault(
                    403, _error("Signed in by the session cookie, without the X-CSRFToken header.")
                )
            if (path, method) in THROTTLED:
                responses.setdefault(
                    429,
                    _error(
                        "Too many requests from this address; try again after Retry-After seconds.",
                        headers={
                            "Retry-After": {
                                "description": "Seconds to wait.",
                                "schema": {"type": "integer", "minimum": 1},
                            }
                        },
                    ),
                )


class SmanavAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {}).update(openapi_components())
        schema.setdefault("info", {})["description"] = DESCRIPTION
        security_schemes = schema["components"].get("securitySchemes", {})
        if "SessionAuth" in security_schemes:
            security_schemes["SessionAuth"]["description"] = (
                "The browser session; every POST also needs the X-CSRFToken header."
            )
        document_common_errors(schema)
        return schema
