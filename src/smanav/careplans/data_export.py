"""Everything smanav holds about a record, to take away: "Download my data".

For each record, two files:

* `record.json`, smanav's own document (`smanav.data-export/1`): the record as the contract writes it
  (the same document `smanav evaluate` reads), and beside it what the contract leaves out: who entered
  each measurement, treatment course, dose and safety test and when, who gave each dose, every earlier
  version of the record with who made it and what changed, the clinics it was shared with (and when
  that was withdrawn), the accounts that manage it, the sections other apps register
  (`patients.download_sections`: the registry's consents and reports), and who opened or changed it
  (the access log).
* `record.fhir.json`, the FHIR R4 Bundle of `fhir.record_bundle`, for health-record systems.

A ZIP holds one folder per record and a short README. Callers decide who may download what (the access
chokepoints) and write the audit events; this module only reads.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.text import slugify

from smanav.audit.selectors import audit_events_for_patient
from smanav.careplans.documents import CarePlanDocument, careplan_document
from smanav.careplans.fhir import record_bundle
from smanav.patients.download_sections import download_sections
from smanav.patients.models import Patient
from smanav.patients.selectors import patient_shares, patient_versions

SCHEMA = "smanav.data-export/1"

README = """\
Your data from smanav, downloaded on {date}.

There is one folder for each record. Each folder holds two files with the same information in two forms:

record.json       Everything smanav keeps about the record: the details you entered, every measurement,
                  treatment, dose and safety test (with who entered it and when), every earlier version of
                  the record and who made it, the clinics it was shared with, every consent given or
                  withdrawn (registry, research, trial contact...) and what was told to the registry,
                  and who opened or changed it.
                  Any program that reads JSON can open it; the "record" part can be given back to smanav
                  (for example to the evaluation page or to `smanav evaluate`).

record.fhir.json  The same record as a FHIR R4 Bundle, the standard format many health-record systems
                  read: the person, the diagnosis, the genetic results, the measurements, the treatments
                  and doses, the safety tests and the care plan.

The care plan in these files was worked out on {date} from the knowledge base version named inside. It is
information for the person and their clinical team, not a prescription.
"""


def _who(user: Any) -> str | None:
    return None if user is None else str(user.get_username())


def _account_names(document: CarePlanDocument) -> dict[int, str]:
    """The user names of everybody who entered a row of the record, read at once."""
    rows: list[Any] = [*document.assessments, *document.treatments, *document.lab_tests]
    rows += [dose for course in document.treatments for dose in course.doses.all()]
    ids = {row.recorded_by_id for row in rows if row.recorded_by_id is not None}
    User = get_user_model()
    return {
        pk: str(name) for pk, name in User.objects.filter(pk__in=ids).values_list("pk", User.USERNAME_FIELD)
    }


def _when(moment: dt.datetime | dt.date | None) -> str | None:
    return None if moment is None else moment.isoformat()


def record_export(document: CarePlanDocument) -> dict[str, Any]:
    """The `smanav.data-export/1` document of one record (its rows come from `careplan_document`)."""
    patient = document.patient
    names = _account_names(document)

    def entered_by(row: Any) -> str | None:
        return names.get(row.recorded_by_id)

    return {
        "schema": SCHEMA,
        "name": patient.display_name,
        "created_at": _when(patient.created_at),
        "record_version": patient.version,
        "record": document.evaluation.record,
        "managed_by": [
            {"account": _who(g.user), "relation": g.relation, "since": _when(g.created_at)}
            for g in patient.guardians.select_related("user").order_by("created_at", "id")
        ],
        "measurements": [
            {
                "date": _when(a.date),
                "instrument": a.instrument,
                "value": a.value,
                "recorded_by": entered_by(a),
                "recorded_at": _when(a.recorded_at),
            }
            for a in document.assessments
        ],
        "treatments": [
            {
                "therapy": t.therapy,
                "regimen": t.regimen or None,
                "start_date": _when(t.start_date),
                "end_date": _when(t.end_date),
                "recorded_by": entered_by(t),
                "recorded_at": _when(t.recorded_at),
                "doses": [
                    {
                        "date": _when(d.date),
                        "amount_mg": d.amount_mg,
                        "given_by": d.given_by or None,
                        "recorded_by": entered_by(d),
                        "recorded_at": _when(d.recorded_at),
                    }
                    for d in t.doses.all()
                ],
            }
            for t in document.treatments
        ],
        "safety_tests": [
            {
                "date": _when(t.date),
                "test": t.test,
                "recorded_by": entered_by(t),
                "recorded_at": _when(t.recorded_at),
            }
            for t in document.lab_tests
        ],
        "shares": [
            {
                "clinic": s.clinic.name,
                "invited_by": _who(s.invited_by),
                "invited_at": _when(s.created_at),
                "withdrawn_at": _when(s.withdrawn_at),
                "withdrawn_by": _who(s.withdrawn_by),
            }
            for s in patient_shares(patient=patient)
        ],
        "versions": [
            {
                "version": v.version,
                "created_at": _when(v.created_at),
                "author": v.author_label,
                "summary": v.summary,
                "change": v.change or None,
                "change_values": v.change_values,
                "record": v.record,
            }
            for v in patient_versions(patient=patient).order_by("version")
        ],
        # What the apps above the records add (the registry: "consents", "registry_reports").
        **download_sections(patient),
        "access_log": [
            {
                "at": _when(e.at),
                "who": e.actor_label,
                "clinic": e.clinic.name if e.clinic else None,
                "action": e.action,
                "what": e.what,
            }
            for e in audit_events_for_patient(patient_id=patient.pk).order_by("at", "id")
        ],
    }


def folder_name(patient: Patient) -> str:
    """A folder or file name for the record: its name as a file name can hold it, and its number (two
    children may share a nickname)."""
    return f"{slugify(patient.display_name, allow_unicode=True) or 'record'}-{patient.pk}"


def data_zip(patients: Iterable[Patient], *, as_of: dt.date, generated_at: dt.datetime) -> bytes:
    """A ZIP with the README and, per record, `record.json` and `record.fhir.json`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README.format(date=as_of.isoformat()))
        for patient in patients:
            document = careplan_document(patient, as_of=as_of)
            folder = folder_name(patient)
            archive.writestr(f"{folder}/record.json", _json(record_export(document)))
            archive.writestr(
                f"{folder}/record.fhir.json", _json(record_bundle(document, generated_at=generated_at))
            )
    return buffer.getvalue()


def _json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
