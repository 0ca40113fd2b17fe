"""The contract's four JSON Schemas, as published in the repository's `schemas/` folder.

The committed files are the reference (a core test keeps them in step with the code); when the folder is
absent (an installed wheel), the same documents are generated from the core's models.
"""

from __future__ import annotations

import copy
import functools
import json
from typing import Any

from django.conf import settings

from smanav_core.schemas import json_schemas

SCHEMA_NAMES = ("patient-record", "evaluation", "triage-answers", "triage-result")


@functools.cache
def contract_schema(name: str) -> dict[str, Any]:
    """The JSON Schema called `name` (one of `SCHEMA_NAMES`); KeyError for any other name."""
    if name not in SCHEMA_NAMES:
        raise KeyError(name)
    committed = settings.REPO_DIR / "schemas" / f"{name}.json"
    if committed.is_file():
        loaded: dict[str, Any] = json.loads(committed.read_text(encoding="utf-8"))
        return loaded
    return json_schemas()[name]


def component_name(name: str) -> str:
    """`patient-record` -> `PatientRecord`: the document's name among the OpenAPI components."""
    return "".join(part.capitalize() for part in name.split("-"))


def openapi_components() -> dict[str, Any]:
    """The four schemas as OpenAPI 3.1 components: `$defs` lifted beside them, references rewritten.

    `$id` and `$schema` are dropped from the copies, because an `$id` inside the OpenAPI document would
    change what the `#/components/...` references resolve against.
    """
    components: dict[str, Any] = {}
    for name in SCHEMA_NAMES:
        prefix = component_name(name)
        schema = copy.deepcopy(contract_schema(name))
        for key in ("$id", "$schema"):
            schema.pop(key, None)
        definitions = schema.pop("$defs", {})
        for def_name, definition in definitions.items():
            components[prefix + def_name] = _rewrite_refs(definition, prefix)
        components[prefix] = _rewrite_refs(schema, prefix)
    return components


def component_ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{component_name(name)}"}


def _rewrite_refs(node: Any, prefix: str) -> Any:
    if isinstance(node, dict):
        return {
            key: (
                f"#/components/schemas/{prefix}{value.removeprefix('#/$defs/')}"
                if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/")
                else _rewrite_refs(value, prefix)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(item, prefix) for item in node]
    return node
