"""The API object: django-ninja plus the contract's published JSON Schemas in the OpenAPI document.

The contract endpoints take raw bodies (the core validates them), so ninja cannot see their schemas; the
published schemas are added as components here and referenced from those operations.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from smanav.api.published_schemas import openapi_components


class SmanavAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {}).update(openapi_components())
        return schema
