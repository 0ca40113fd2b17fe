"""`smanav synth --patients N --seed S [--as-of YYYY-MM-DD]`: the synthetic registry cohort.

This module must not import Django at its top level (see `smanav.cli`)."""

from __future__ import annotations

from smanav.cli import django_command

django_command(
    "synth", help="synth --patients N --seed S: store a synthetic registry cohort", command="synth"
)
django_command(
    "registry-export",
    help="registry-export --project NAME --out FOLDER: the pseudonymised research export of one project",
    command="registry_export",
)
django_command(
    "registry-fhir-export",
    help="registry-fhir-export --out FOLDER: the registry participants as FHIR R4 NDJSON",
    command="registry_fhir_export",
)
django_command(
    "registry-fhir-import",
    help="registry-fhir-import DIR: import a FHIR R4 bulk export folder (idempotent)",
    command="registry_fhir_import",
)
