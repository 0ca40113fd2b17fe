"""Background jobs of the registry (django-tasks; run by `manage.py db_worker`). They only unpack their
arguments and call the services; each can run twice, or late, without sending anything twice.

The FHIR bulk export as a job is safe to run twice (ADR 0023): a run that finds its folder already
complete (an earlier attempt finished, then its worker was lost before the job was marked done) answers
that folder's counts and writes nothing; a run killed half-way left only a hidden `.partial` folder,
and the next attempt writes a new one.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django_tasks import task

from smanav.registry.fhir_export import MANIFEST, FhirExportRefused, fhir_export_write, read_manifest
from smanav.registry.invitations import review_invitations_send


@task()
def send_review_invitations(*, today: str) -> int:
    """The daily job: invite every registry participant due for review on `today` (ISO date); answers
    how many records were invited."""
    return review_invitations_send(on=dt.date.fromisoformat(today), site_url=settings.SMANAV_SITE_URL)


@task()
def fhir_export(*, out: str, as_of: str) -> dict[str, int]:
    """Write the registry's FHIR bulk export to the folder `out` for the day `as_of` (ISO date); answers
    the count of each resource type."""
    folder = Path(out)
    if (folder / MANIFEST).exists():
        return {str(o["type"]): int(o["count"]) for o in read_manifest(folder)["output"]}
    return fhir_export_write(out=folder, on=dt.date.fromisoformat(as_of)).counts


def fhir_export_enqueue(*, out: Path, on: dt.date) -> str:
    """Queue the export; refused at once (not in the worker) when `out` cannot be written."""
    if out.exists():
        raise FhirExportRefused(f"--out: {out} exists already; an export is always written to a new folder")
    if not out.parent.is_dir():
        raise FhirExportRefused(f"--out: the folder {out.parent} does not exist")
    return str(fhir_export.enqueue(out=str(out), as_of=on.isoformat()).id)
