"""Issue 14, part 2: the OpenAPI document describes every body (trials/match had none), the error
answers every operation can give, and the CSRF rule."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ERRORS = {"$ref": "#/components/schemas/ErrorsOut"}


@pytest.fixture
def document(client: Client) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, ops in document["paths"].items() for method, op in ops.items()]


def test_every_post_describes_its_body(document: dict[str, Any]) -> None:
    posts = [(path, op) for path, method, op in operations(document) if method == "post"]
    assert posts
    for path, op in posts:
        assert op["requestBody"]["content"]["application/json"]["schema"], path


def test_trial_matching_describes_its_body(document: dict[str, Any]) -> None:
    body = document["paths"]["/api/v1/trials/match"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    assert schema["required"] == ["record"]
    assert schema["properties"]["record"] == {"$ref": "#/components/schemas/PatientRecord"}
    assert set(schema["properties"]) == {"record", "near", "country", "as_of"}


def test_every_body_documents_the_size_and_validity_errors(document: dict[str, Any]) -> None:
    for path, _, op in operations(document):
        if "requestBody" in op:
            for status in ("413", "422"):
                assert op["responses"][status]["content"]["application/json"]["schema"] == ERRORS, path


def test_session_posts_document_the_csrf_rule(document: dict[str, Any]) -> None:
    assert "X-CSRFToken" in document["info"]["description"]
    assert "X-CSRFToken" in document["components"]["securitySchemes"]["SessionAuth"]["description"]
    for path, method, op in operations(document):
        if method == "post" and path.startswith("/api/v1/patients"):
            assert "CSRF" in op["responses"]["403"]["description"], path


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/v1/evaluate", "post"),
        ("/api/v1/triage", "post"),
        ("/api/v1/services/search", "get"),
        ("/api/v1/services/complete-care", "get"),
        ("/api/v1/trials/match", "post"),
    ],
)
def test_throttled_operations_document_429_and_retry_after(
    document: dict[str, Any], path: str, method: str
) -> None:
    answer = document["paths"][path][method]["responses"]["429"]
    assert "Retry-After" in answer["headers"]
    assert answer["content"]["application/json"]["schema"] == ERRORS
