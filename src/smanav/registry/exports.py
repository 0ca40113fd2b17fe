"""The pseudonymised CSV research export of one research project.

`research_export_write(project=..., out=..., on=...)` writes a new folder `out` holding:

* `patients.csv`: one row per patient whose consent to research use counts on `on` (also a patient with
  nothing but demographics), with a pseudonym, the demographics, genetics and clinical status;
* `treatments.csv` and `assessments.csv`: every treatment course and every measurement with its date;
* `reported.csv`: every registry report still standing, with who reported it (the family or the clinic)
  and where the two disagree, whether a clinician has decided (`registry.reported`);
* `data_dictionary.csv`: every column of every file, what it means, its type and its values;
* `README.txt`: the project, the date handling and the counts.

Patients come only from `registry.selectors.consented_patients` (a withdrawn or never-consented patient
is absent). Pseudonyms are an HMAC (SHA-256) of the patient's id keyed with `SMANAV_PSEUDONYM_KEY` and the
project's name: stable for a project across exports, unrelated between projects. Dates are shifted (by
the same number of days for every date of a person, so intervals and ages hold) or cut to the month or
the year, as `SMANAV_RESEARCH_DATES` says. Free text is never exported: no names, no "given by", no notes.

The folder appears whole or not at all: everything is written into a temporary folder beside it, flushed
to disk, then renamed to `out` in one step; an export killed half-way leaves only a hidden `.partial`
folder, never a folder that looks complete. Every exported record is audited (action "exported the
record", the command line as actor).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db.models import Prefetch

from smanav.audit.models import AuditAction
from smanav.audit.services import audit_by_command_line
from smanav.patients.models import Assessment, Patient, Treatment
from smanav.registry.models import ConsentPurpose, ReportedBy, ReportedValue
from smanav.registry.reported import compare
from smanav.registry.selectors import consented_patients
from smanav.registry.selectors_reported import with_clinical_reporter

PROJECT_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
DATE_MODES = ("shift", "month", "year")
CHUNK = 2000

PATIENT_COLUMNS = [
    (
        "pseudonym",
        "text",
        "The person's code in this project (the same in every file and every export of the project).",
    ),
    ("birth_date", "date", "Date of birth, handled as the dates of this export (see README.txt)."),
    ("region", "code", "Region of the treatment approvals: US, EU, UK, CA, JP, AU; empty if not known."),
    ("sex", "code", "female, male, other, unknown; empty if not recorded."),
    ("smn1_copies", "integer", "Copies of SMN1 exon 7; empty if not known."),
    (
        "smn1_intragenic_variant",
        "text (HGVS)",
        "Pathogenic SMN1 variant on the remaining copy; empty if none recorded.",
    ),
    ("smn2_copies", "integer", "Copies of SMN2 exon 7; empty if not known."),
    ("smn2_copies_is_minimum", "true/false", "The assay reported 'this many or more' SMN2 copies."),
    ("smn2_modifiers", "codes", "SMN2 modifier variants, sorted, joined by ';'; empty if none recorded."),
    ("genetic_method", "code", "newborn_screening, mlpa, qpcr, ddpcr, ngs; empty if not known."),
    ("symptomatic", "true/false", "false: no symptoms yet (presymptomatic); empty if not known."),
    ("symptom_onset_age_months", "number (months)", "Age at the first symptoms; empty if not known."),
    (
        "max_motor_milestone",
        "code",
        "none, head_control, sits_independently, stands_with_support, walks_independently.",
    ),
    ("current_motor_function", "code", "non_sitter, sitter, walker; empty if not known."),
    (
        "ventilation",
        "code",
        "Breathing support: none, niv_sleep_only (non-invasive ventilation during sleep only), "
        "niv_under_16h, niv_16h_or_more (non-invasive, hours a day), tracheostomy; empty if not known.",
    ),
    (
        "feeding",
        "code",
        "oral, oral_with_supplement, nasogastric_tube, gastrostomy; empty if not known.",
    ),
    (
        "scoliosis_cobb_deg",
        "number (degrees)",
        "Latest Cobb angle as recorded on the record; empty if not known.",
    ),
    (
        "clinical_reported_by",
        "code",
        "Who last wrote the clinical status columns (symptomatic to scoliosis_cobb_deg): clinic "
        "(clinician-reported), family (patient-reported); empty if not known.",
    ),
]
TREATMENT_COLUMNS = [
    ("pseudonym", "text", "The person's code (patients.csv)."),
    (
        "therapy",
        "code",
        "nusinersen, risdiplam, onasemnogene_abeparvovec_iv, onasemnogene_abeparvovec_it, other.",
    ),
    ("regimen", "code", "nusinersen_12mg, nusinersen_high_dose; empty if not recorded."),
    ("start_date", "date", "Start of the course."),
    ("end_date", "date", "End of the course; empty while it goes on."),
    ("doses_recorded", "integer", "How many doses of the course are recorded."),
]
ASSESSMENT_COLUMNS = [
    ("pseudonym", "text", "The person's code (patients.csv)."),
    ("date", "date", "Date of the measurement."),
    (
        "instrument",
        "code",
        "CHOP_INTEND, HINE2, HFMSE, RULM, MFM32_PERCENT, 6MWT_M, FVC_PERCENT_PREDICTED, "
        "PEAK_COUGH_FLOW_L_MIN, WEIGHT_KG, HEIGHT_CM, COBB_DEG (the unit is in the code).",
    ),
    ("value", "number", "The value in the instrument's unit."),
]
REPORTED_COLUMNS = [
    ("pseudonym", "text", "The person's code (patients.csv)."),
    (
        "item",
        "code",
        "symptom_onset, milestone_achieved, milestone_lost, ventilation_hours, feeding, hospital_stay, "
        "adverse_event.",
    ),
    ("reported_by", "code", "family (patient-reported) or clinic (clinician-reported)."),
    (
        "code",
        "code",
        "milestone_*: head_control, sits_independently, stands_with_support, walks_independently; "
        "feeding: oral, oral_with_supplement, nasogastric_tube, gastrostomy; hospital_stay: breathing, "
        "surgery, treatment, other; adverse_event: the therapy (treatments.csv codes) or empty.",
    ),
    (
        "number",
        "number",
        "symptom_onset: age at the first signs in months; ventilation_hours: hours a day; else empty.",
    ),
    (
        "date",
        "date",
        "When the milestone was reached or lost, the value holds from, the hospital stay began or the "
        "event happened; empty if not given.",
    ),
    ("end_date", "date", "hospital_stay: the day of discharge; empty while in hospital or for other items."),
    (
        "conflict",
        "code",
        "For the latest report of each side where the family and the clinic disagree: open (not decided "
        "yet), family or clinic (the value a clinician found right), noted (both stand, with a note); "
        "empty where they agree or the item is not compared.",
    ),
]
FILES = {
    "patients.csv": PATIENT_COLUMNS,
    "treatments.csv": TREATMENT_COLUMNS,
    "assessments.csv": ASSESSMENT_COLUMNS,
    "reported.csv": REPORTED_COLUMNS,
}


class ExportRefused(Exception):
    """The export cannot be written as asked; the message names the option and the problem."""


@dataclass(frozen=True, slots=True)
class ExportReport:
    folder: Path
    patients: int
    treatments: int
    assessments: int
    reported: int = 0


@dataclass(frozen=True, slots=True)
class DateHandling:
    mode: str
    shift_days: int

    def __post_init__(self) -> None:
        if self.mode not in DATE_MODES:
            raise ExportRefused(
                f"SMANAV_RESEARCH_DATES: must be one of {', '.join(DATE_MODES)} (got {self.mode!r})"
            )
        if not 1 <= self.shift_days <= 3650:
            raise ExportRefused(f"SMANAV_RESEARCH_SHIFT_DAYS: must be from 1 to 3650 (got {self.shift_days})")


def pseudonym_key() -> bytes:
    """The key of the pseudonyms. Outside debug it must be set; in debug one is derived from the secret key
    so that development exports work (and are never mistaken for real ones: the README says so)."""
    key = str(getattr(settings, "SMANAV_PSEUDONYM_KEY", ""))
    if len(key) >= 32:
        return key.encode()
    if key:
        raise ExportRefused("SMANAV_PSEUDONYM_KEY: must be at least 32 characters long")
    if settings.DEBUG:
        return hmac.new(settings.SECRET_KEY.encode(), b"smanav research pseudonyms", hashlib.sha256).digest()
    raise ExportRefused("SMANAV_PSEUDONYM_KEY: not set; research exports need a key of their own")


class Pseudonymiser:
    def __init__(self, *, key: bytes, project: str, dates: DateHandling) -> None:
        self._key = key
        self._project = project
        self.dates = dates

    def _mac(self, patient_id: int, what: str) -> bytes:
        message = f"{self._project}\x1f{what}\x1f{patient_id}".encode()
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def pseudonym(self, patient_id: int) -> str:
        return self._mac(patient_id, "pseudonym").hex()[:16]

    def shift(self, patient_id: int) -> dt.timedelta:
        """The same number of days for every date of one person (never zero), from -N to +N."""
        span = self.dates.shift_days
        days = int.from_bytes(self._mac(patient_id, "date shift")[:8], "big") % (2 * span) - span
        return dt.timedelta(days=days or span)

    def date(self, patient_id: int, value: dt.date | None) -> str:
        if value is None:
            return ""
        if self.dates.mode == "shift":
            return (value + self.shift(patient_id)).isoformat()
        if self.dates.mode == "month":
            return f"{value.year:04d}-{value.month:02d}"
        return f"{value.year:04d}"


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _patient_row(patient: Patient, names: Pseudonymiser) -> list[str]:
    genetics = patient.genetics or {}
    clinical = patient.clinical or {}
    modifiers = genetics.get("smn2_modifiers") or []
    return [
        names.pseudonym(patient.pk),
        names.date(patient.pk, patient.birth_date),
        patient.region,
        patient.sex,
        _text(genetics.get("smn1_copies")),
        _text(genetics.get("smn1_intragenic_variant")),
        _text(genetics.get("smn2_copies")),
        _text(bool(genetics.get("smn2_copies_is_minimum", False))),
        ";".join(sorted(str(m) for m in modifiers)),
        _text(genetics.get("method")),
        _text(clinical.get("symptomatic")),
        _text(clinical.get("symptom_onset_age_months")),
        _text(clinical.get("max_motor_milestone")),
        _text(clinical.get("current_motor_function")),
        _text(clinical.get("ventilation")),
        _text(clinical.get("feeding")),
        _text(clinical.get("scoliosis_cobb_deg")),
        _clinical_reporter(patient),
    ]


def _clinical_reporter(patient: Patient) -> str:
    if getattr(patient, "clinical_by_clinic", False):
        return ReportedBy.CLINIC
    if getattr(patient, "clinical_by_family", False):
        return ReportedBy.FAMILY
    return ""


def _reported_rows(patient: Patient, names: Pseudonymiser) -> list[list[str]]:
    """The person's standing reports, oldest first, each with the state of its disagreement (if any).
    Free text (what happened, notes) is never written."""
    rows: list[ReportedValue] = list(patient.reported_values.all())
    record = patient.clinical if _clinical_reporter(patient) == ReportedBy.CLINIC else None
    status: dict[int, str] = {}
    for comparison in compare(
        rows=rows, record_clinical=record, resolutions=list(patient.conflict_resolutions.all())
    ):
        for side in (comparison.family, comparison.clinic):
            if side is not None and side.row is not None and comparison.status:
                status[side.row.pk] = comparison.status
    code = names.pseudonym(patient.pk)
    return [
        [
            code,
            row.item,
            row.reported_by,
            row.code,
            _text(row.number),
            names.date(patient.pk, row.date),
            names.date(patient.pk, row.end_date),
            status.get(row.pk, ""),
        ]
        for row in rows
    ]


def _chunks(on: dt.date) -> Iterator[list[Patient]]:
    """The consented patients in id order, a chunk at a time, each with its rows (constant memory)."""
    cohort = with_clinical_reporter(consented_patients(purpose=ConsentPurpose.RESEARCH, on=on)).order_by("pk")
    last = 0
    while True:
        chunk = list(
            cohort.filter(pk__gt=last).prefetch_related(
                Prefetch("assessments", queryset=Assessment.objects.order_by("date", "instrument", "id")),
                Prefetch(
                    "treatments",
                    queryset=Treatment.objects.order_by("start_date", "id").prefetch_related("doses"),
                ),
                Prefetch(
                    "reported_values",
                    queryset=ReportedValue.objects.filter(removed_at__isnull=True).order_by(
                        "created_at", "id"
                    ),
                ),
                "conflict_resolutions",
            )[:CHUNK]
        )
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def _writer(handle: IO[str]) -> Any:  # the csv module's writer type is private
    return csv.writer(handle, lineterminator="\n")


def _write_dictionary(folder: Path) -> None:
    with open(folder / "data_dictionary.csv", "w", encoding="utf-8", newline="") as handle:
        out = _writer(handle)
        out.writerow(["file", "column", "type", "meaning"])
        for name, columns in FILES.items():
            for column, kind, meaning in columns:
                out.writerow([name, column, kind, meaning])
        os.fsync(handle.fileno())


def _write_readme(
    folder: Path, *, project: str, on: dt.date, names: Pseudonymiser, counts: ExportReport
) -> None:
    handling = {
        "shift": "every date of a person is moved by the same number of days (at most "
        f"{names.dates.shift_days} either way), so intervals and ages hold but no date is real",
        "month": "dates are cut to the month (YYYY-MM)",
        "year": "dates are cut to the year (YYYY)",
    }[names.dates.mode]
    lines = [
        f"smanav research export for the project '{project}', made on {on.isoformat()}.",
        "",
        f"Patients: {counts.patients} (only those whose consent to research use counted that day).",
        f"Treatment courses: {counts.treatments}. Measurements: {counts.assessments}.",
        f"Registry reports: {counts.reported} (each says whether the family or the clinic reported it).",
        f"Dates: {handling}.",
        "Pseudonyms are stable within this project and unrelated to those of any other project.",
        "No free text is included. Columns are described in data_dictionary.csv.",
    ]
    if not str(getattr(settings, "SMANAV_PSEUDONYM_KEY", "")):
        lines.append("DEVELOPMENT EXPORT: the pseudonym key was derived from a development secret key.")
    with open(folder / "README.txt", "w", encoding="utf-8", newline="") as handle:
        handle.write("\n".join(lines) + "\n")
        os.fsync(handle.fileno())


def research_export_write(*, project: str, out: Path, on: dt.date) -> ExportReport:
    """Write the research export of `project` as the new folder `out`, whole or not at all."""
    if not PROJECT_PATTERN.match(project):
        raise ExportRefused(
            "--project: must be 2 to 63 lower-case letters, digits or hyphens, starting with a letter or "
            f"digit (got {project!r})"
        )
    if out.exists():
        raise ExportRefused(f"--out: {out} exists already; an export is always written to a new folder")
    if not out.parent.is_dir():
        raise ExportRefused(f"--out: the folder {out.parent} does not exist")
    dates = DateHandling(
        mode=str(getattr(settings, "SMANAV_RESEARCH_DATES", "shift")),
        shift_days=int(getattr(settings, "SMANAV_RESEARCH_SHIFT_DAYS", 182)),
    )
    names = Pseudonymiser(key=pseudonym_key(), project=project, dates=dates)
    temporary = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    try:
        counts = _write_files(temporary, names=names, on=on, project=project)
        report = ExportReport(
            folder=out, patients=counts[0], treatments=counts[1], assessments=counts[2], reported=counts[3]
        )
        _write_dictionary(temporary)
        _write_readme(temporary, project=project, on=on, names=names, counts=report)
        os.rename(temporary, out)  # one step: the folder is complete or absent
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return report


def _write_files(
    folder: Path, *, names: Pseudonymiser, on: dt.date, project: str
) -> tuple[int, int, int, int]:
    counts = [0, 0, 0, 0]
    with (
        open(folder / "patients.csv", "w", encoding="utf-8", newline="") as patients_file,
        open(folder / "treatments.csv", "w", encoding="utf-8", newline="") as treatments_file,
        open(folder / "assessments.csv", "w", encoding="utf-8", newline="") as assessments_file,
        open(folder / "reported.csv", "w", encoding="utf-8", newline="") as reported_file,
    ):
        patients_out, treatments_out, assessments_out, reported_out = (
            _writer(patients_file),
            _writer(treatments_file),
            _writer(assessments_file),
            _writer(reported_file),
        )
        for writer, columns in zip(
            (patients_out, treatments_out, assessments_out, reported_out), FILES.values(), strict=True
        ):
            writer.writerow([column for column, _, _ in columns])
        for chunk in _chunks(on):
            for patient in chunk:
                code = names.pseudonym(patient.pk)
                patients_out.writerow(_patient_row(patient, names))
                for course in patient.treatments.all():
                    treatments_out.writerow(
                        [
                            code,
                            course.therapy,
                            course.regimen,
                            names.date(patient.pk, course.start_date),
                            names.date(patient.pk, course.end_date),
                            str(len(course.doses.all())),
                        ]
                    )
                    counts[1] += 1
                for row in patient.assessments.all():
                    assessments_out.writerow(
                        [code, names.date(patient.pk, row.date), row.instrument, _text(row.value)]
                    )
                    counts[2] += 1
                reported = _reported_rows(patient, names)
                reported_out.writerows(reported)
                counts[3] += len(reported)
            counts[0] += len(chunk)
            audit_by_command_line(
                patient_ids=[patient.pk for patient in chunk],
                action=AuditAction.EXPORT,
                what=f"research export of project {project}",
            )
        for handle in (patients_file, treatments_file, assessments_file, reported_file):
            handle.flush()
            os.fsync(handle.fileno())
    return counts[0], counts[1], counts[2], counts[3]
