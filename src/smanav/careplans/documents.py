"""Everything a care-plan document shows, gathered once: the record's rows (measurements, treatment
courses with their doses, safety tests), the core's evaluation of them (through the seam), the plan by
domain with due dates, the measurement series and their charts. The PDF, the FHIR Bundle and the chart
images are all made from this."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from smanav.careplans.charts import PAGE_SIZE_IN, PRINT_SIZE_IN, chart_svg
from smanav.careplans.falls import FallMark, fall_marks
from smanav.patients.models import Assessment, LabTest, Patient, Treatment
from smanav.patients.plan import PlanDomain, Series, care_plan_by_domain, monitoring_series
from smanav.patients.seam import PatientEvaluation, evaluate_patient, treatments_of
from smanav_core import Evaluation
from smanav_core.codes import Instrument

# The y-axis label of each instrument's chart.
UNITS: dict[str, Promise] = {
    Instrument.CHOP_INTEND.value: gettext_lazy("points"),
    Instrument.HINE2.value: gettext_lazy("points"),
    Instrument.HFMSE.value: gettext_lazy("points"),
    Instrument.RULM.value: gettext_lazy("points"),
    Instrument.MFM32_PERCENT.value: gettext_lazy("%"),
    Instrument.SIX_MWT_M.value: gettext_lazy("metres"),
    Instrument.FVC_PERCENT_PREDICTED.value: gettext_lazy("% predicted"),
    Instrument.PEAK_COUGH_FLOW_L_MIN.value: gettext_lazy("L/min"),
    Instrument.WEIGHT_KG.value: gettext_lazy("kg"),
    Instrument.HEIGHT_CM.value: gettext_lazy("cm"),
    Instrument.COBB_DEG.value: gettext_lazy("degrees"),
}


@dataclass
class Chart:
    instrument: str
    title: str
    series: Series
    # The fall the core's alerts report for this measure, if any: what the chart marks.
    mark: FallMark | None = None

    def svg(self, *, size_in: tuple[float, float] = PAGE_SIZE_IN) -> str:
        return chart_svg(
            self.series,
            title=self.title,
            unit=str(UNITS.get(self.instrument, "")),
            mark=self.mark,
            size_in=size_in,
        )

    def data_uri(self) -> str:
        """The chart drawn for print, for the PDF (which fetches nothing)."""
        svg = self.svg(size_in=PRINT_SIZE_IN)
        return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@dataclass
class CarePlanDocument:
    patient: Patient
    as_of: dt.date
    evaluation: PatientEvaluation
    plan: list[PlanDomain] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    # The rows the evaluation was made from, in date order (treatments with their doses prefetched).
    assessments: list[Assessment] = field(default_factory=list)
    treatments: list[Treatment] = field(default_factory=list)
    lab_tests: list[LabTest] = field(default_factory=list)

    @property
    def result(self) -> Evaluation | None:
        return self.evaluation.result


def careplan_document(patient: Patient, *, as_of: dt.date, region: str | None = None) -> CarePlanDocument:
    # Read once: the same rows make the core's record, the charts and the exports.
    assessments = list(patient.assessments.all())
    treatments = list(treatments_of(patient))
    lab_tests = list(patient.lab_tests.all())
    evaluation = evaluate_patient(
        patient,
        as_of=as_of,
        region=region,
        assessments=assessments,
        treatments=treatments,
        lab_tests=lab_tests,
    )
    series = monitoring_series(assessments, birth_date=patient.birth_date)
    result = evaluation.result
    marks = {} if result is None else fall_marks(result.alerts)
    charts = [
        Chart(instrument=s.instrument, title=s.title, series=s, mark=marks.get(s.instrument)) for s in series
    ]
    plan = [] if result is None else care_plan_by_domain(result.care_plan)
    return CarePlanDocument(
        patient=patient,
        as_of=as_of,
        evaluation=evaluation,
        plan=plan,
        charts=charts,
        assessments=assessments,
        treatments=treatments,
        lab_tests=lab_tests,
    )
