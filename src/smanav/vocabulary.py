"""The shell's shared vocabulary: plain-language names for the contract's codes, translated. Pages show
these, never the raw codes. A leaf module (it imports only the core and Django's translation), so every
app can use it.

Also the web's one place for two things every page says alike: a therapy status (the core's wording in
`smanav_core.status_words`, translated) and an age in years, months and days (the core's calendar
arithmetic in `smanav_core.ages`, put into translated words).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from smanav_core import Evaluation
from smanav_core.ages import CalendarAge, calendar_age
from smanav_core.codes import (
    AlertCode,
    CareDomain,
    DiagnosisStatus,
    DueStatus,
    Feeding,
    FunctionalGroup,
    GeneticMethod,
    Instrument,
    MonitoringTest,
    MotorMilestone,
    Regimen,
    Region,
    Sex,
    TherapyStatus,
    TreatmentTherapy,
    UrgencyLevel,
    Ventilation,
)
from smanav_core.knowledge.loader import load_knowledge
from smanav_core.knowledge.schema.therapies import product_names
from smanav_core.report import REGION_NAMES
from smanav_core.status_words import THERAPY_STATUS_WORDS, UNNAMED_REGION

REGION_LABELS: dict[Region, Promise] = {
    Region.US: _("United States"),
    Region.EU: _("European Union"),
    Region.UK: _("United Kingdom"),
    Region.CA: _("Canada"),
    Region.JP: _("Japan"),
    Region.AU: _("Australia"),
}
SEX_LABELS = {Sex.FEMALE: _("Female"), Sex.MALE: _("Male"), Sex.OTHER: _("Other"), Sex.UNKNOWN: _("Unknown")}
METHOD_LABELS = {
    GeneticMethod.NEWBORN_SCREENING: _("Newborn screening"),
    GeneticMethod.MLPA: _("MLPA"),
    GeneticMethod.QPCR: _("qPCR"),
    GeneticMethod.DDPCR: _("Digital droplet PCR"),
    GeneticMethod.NGS: _("Sequencing (NGS)"),
    GeneticMethod.OTHER: _("Other"),
}
MILESTONE_LABELS = {
    MotorMilestone.NONE: _("None yet"),
    MotorMilestone.HEAD_CONTROL: _("Head control"),
    MotorMilestone.SITS_INDEPENDENTLY: _("Sits without support"),
    MotorMilestone.STANDS_WITH_SUPPORT: _("Stands with support"),
    MotorMilestone.WALKS_INDEPENDENTLY: _("Walks without help"),
}
FUNCTIONAL_GROUP_LABELS = {
    FunctionalGroup.NON_SITTER: _("Does not sit without support"),
    FunctionalGroup.SITTER: _("Sits but does not walk"),
    FunctionalGroup.WALKER: _("Walks"),
}
VENTILATION_LABELS = {
    Ventilation.NONE: _("None"),
    Ventilation.NIV_SLEEP_ONLY: _("Mask ventilation during sleep only"),
    Ventilation.NIV_UNDER_16H: _("Mask ventilation under 16 hours a day"),
    Ventilation.NIV_16H_OR_MORE: _("Mask ventilation 16 hours a day or more"),
    Ventilation.TRACHEOSTOMY: _("Tracheostomy"),
}
FEEDING_LABELS = {
    Feeding.ORAL: _("By mouth"),
    Feeding.ORAL_WITH_SUPPLEMENT: _("By mouth with supplements"),
    Feeding.NASOGASTRIC_TUBE: _("Nasogastric tube"),
    Feeding.GASTROSTOMY: _("Gastrostomy"),
}
INSTRUMENT_LABELS = {
    Instrument.CHOP_INTEND: _("CHOP INTEND (0–64)"),
    Instrument.HINE2: _("HINE-2 (0–26)"),
    Instrument.HFMSE: _("HFMSE (0–66)"),
    Instrument.RULM: _("RULM (0–37)"),
    Instrument.MFM32_PERCENT: _("MFM-32 (%)"),
    Instrument.SIX_MWT_M: _("6-minute walk (metres)"),
    Instrument.FVC_PERCENT_PREDICTED: _("FVC (% predicted)"),
    Instrument.PEAK_COUGH_FLOW_L_MIN: _("Peak cough flow (L/min)"),
    Instrument.WEIGHT_KG: _("Weight (kg)"),
    Instrument.HEIGHT_CM: _("Height or length (cm)"),
    Instrument.COBB_DEG: _("Cobb angle (degrees)"),
}
# Product names come from the knowledge base's catalogue (`Therapy.product`), never from here.
_PRODUCTS = product_names(load_knowledge().therapies.therapy)
THERAPY_LABELS: dict[TreatmentTherapy, Promise | str] = {
    TreatmentTherapy.NUSINERSEN: format_lazy(_("Nusinersen ({product})"), product=_PRODUCTS["nusinersen"]),
    TreatmentTherapy.RISDIPLAM: format_lazy(_("Risdiplam ({product})"), product=_PRODUCTS["risdiplam"]),
    TreatmentTherapy.ONASEMNOGENE_IV: format_lazy(
        _("Onasemnogene abeparvovec, into a vein ({product})"),
        product=_PRODUCTS["onasemnogene_abeparvovec_iv"],
    ),
    TreatmentTherapy.ONASEMNOGENE_IT: _("Onasemnogene abeparvovec, into the spinal fluid"),
    TreatmentTherapy.OTHER: _("Other"),
}
REGIMEN_LABELS = {
    Regimen.NUSINERSEN_12MG: _("12 mg regimen"),
    Regimen.NUSINERSEN_HIGH_DOSE: _("High-dose regimen (50 mg loading, 28 mg maintenance)"),
}
LAB_TEST_LABELS = {
    MonitoringTest.PLATELET_COUNT: _("Platelet count"),
    MonitoringTest.COAGULATION: _("Clotting tests (PT and aPTT)"),
    MonitoringTest.URINE_PROTEIN: _("Urine protein"),
    MonitoringTest.LIVER_FUNCTION: _("Liver tests (ALT, AST, bilirubin)"),
    MonitoringTest.TROPONIN_I: _("Troponin-I (heart muscle)"),
}
# How a dated item stands today. "Overdue" and "due soon" are different things and never share a word.
DUE_STATUS_LABELS = {
    DueStatus.OVERDUE: _("Overdue"),
    DueStatus.DUE_SOON: _("Due soon"),
    DueStatus.SCHEDULED: _("Scheduled"),
    DueStatus.DONE: _("Done for the coming date"),
}
DIAGNOSIS_LABELS = {
    DiagnosisStatus.CONFIRMED_5Q_SMA: _("5q SMA confirmed by the genetic result"),
    DiagnosisStatus.INCONCLUSIVE: _("Genetic result inconclusive"),
    DiagnosisStatus.CARRIER: _("Carrier"),
    DiagnosisStatus.SMA_UNLIKELY: _("5q SMA unlikely"),
    DiagnosisStatus.NOT_TESTED: _("No genetic result recorded"),
}
URGENCY_LABELS = {
    UrgencyLevel.URGENT: _("Urgent: act within days"),
    UrgencyLevel.PROMPT: _("Prompt: act within weeks"),
    UrgencyLevel.ROUTINE: _("Routine"),
}
DOMAIN_LABELS = {
    CareDomain.COORDINATION: _("Coordination of care"),
    CareDomain.GENETICS: _("Genetics"),
    CareDomain.NEUROMUSCULAR: _("Neuromuscular follow-up"),
    CareDomain.REHABILITATION: _("Physiotherapy and rehabilitation"),
    CareDomain.ORTHOPAEDIC: _("Spine, hips and joints"),
    CareDomain.RESPIRATORY: _("Breathing"),
    CareDomain.NUTRITION: _("Nutrition and swallowing"),
    CareDomain.BONE_HEALTH: _("Bone health"),
    CareDomain.IMMUNISATION: _("Immunisations"),
    CareDomain.ACUTE_CARE: _("When ill"),
    CareDomain.ANAESTHESIA: _("Anaesthesia and surgery"),
    CareDomain.TREATMENT_MONITORING: _("Treatment monitoring"),
    CareDomain.PALLIATIVE: _("Palliative care"),
    CareDomain.PSYCHOSOCIAL: _("Emotional and social support"),
}
ALERT_LABELS = {
    AlertCode.MOTOR_DECLINE: _("Motor decline"),
    AlertCode.ASSESSMENT_OVERDUE: _("Assessment overdue"),
    AlertCode.ASSESSMENT_MISSING: _("Assessment missing"),
    AlertCode.TREATMENT_MONITORING_DUE: _("Treatment monitoring due"),
    AlertCode.MEASURE_TREND: _("Falling measurement"),
}
SMA_TYPE_LABELS = {
    "0": _("Type 0"),
    "1": _("Type 1"),
    "2": _("Type 2"),
    "3": _("Type 3"),
    "4": _("Type 4"),
    "presymptomatic": _("Presymptomatic (no symptoms yet)"),
}


def label(table: Mapping[Any, Any], code: object) -> str:
    """The label of a code, or the code itself for codes newer than this table (never hide an answer)."""
    if code is None or code == "":
        return str(_("Not known"))
    for key, text in table.items():
        if str(getattr(key, "value", key)) == str(code):
            return str(text)
    return str(code)


def therapy_status_label(status: object, region: object = None) -> str:
    """The words for a therapy status on every page ("Fits the approved use"), in the reader's language.

    The English comes from `smanav_core.status_words`, the same words as the CLI's text report;
    `not_approved_in_region` names the region when the page knows it.
    """
    code = str(getattr(status, "value", status) or "")
    words = THERAPY_STATUS_WORDS.get(code)
    if words is None:
        return label({}, status)
    if code == TherapyStatus.NOT_APPROVED_IN_REGION.value:
        region_code = str(getattr(region, "value", region) or "")
        place = REGION_NAMES.get(region_code) or UNNAMED_REGION
        return capfirst(gettext(words).format(region=gettext(place)))
    return capfirst(gettext(words))


def age_label(birth: dt.date | None, on: dt.date | None) -> str:
    """An age as pages write it: "16 days", "5 months", "1 year 3 months" (see `smanav_core.ages`)."""
    if birth is None or on is None or on < birth:
        return str(_("Not known"))
    return age_words(calendar_age(birth, on))


def age_words(age: CalendarAge) -> str:
    """The translated words for a calendar age: days in the first month, months in the first year."""
    if age.total_months == 0:
        return ngettext("%(count)d day", "%(count)d days", age.days) % {"count": age.days}
    months = ngettext("%(count)d month", "%(count)d months", age.months) % {"count": age.months}
    if age.years == 0:
        return months
    years = ngettext("%(count)d year", "%(count)d years", age.years) % {"count": age.years}
    if not age.months:
        return years
    return gettext("%(years)s %(months)s") % {"years": years, "months": months}


def evaluation_age_label(result: Evaluation) -> str:
    """The age of the person on an evaluation's date, from the evaluation alone (its `age_days`)."""
    return age_label(result.as_of - dt.timedelta(days=result.age_days), result.as_of)


# "Schroth MK et al. Title…" and "Prior TW, Leach ME, Finanger E. Title…": a surname, initials, and then
# either more authors or the end of the author list.
_AUTHOR_LEAD = re.compile(
    r"^(?P<surname>[^\W\d_][\w'\-]*(?: [a-z]+ [A-Z][\w'\-]*)?) [A-Z]{1,3}(?P<more>,| et al\.|\.)"
)


def source_citation(key: str) -> str:
    """A source as people cite it, never its key: "Schroth et al., 2025" for a paper, the organisation
    and year for a label or a guideline without named authors ("Cure SMA, 2020"), and otherwise the
    start of its title. An unknown key reads "a source" rather than the key itself."""
    source = load_knowledge().sources.get(key)
    if source is None:
        return gettext("a source")
    year = f", {source.year}" if source.year else ""
    lead = _AUTHOR_LEAD.match(source.authors or source.title)
    if lead is not None:
        more = " et al." if lead.group("more") != "." else ""
        return f"{lead.group('surname')}{more}{year}"
    if source.publisher and len(source.publisher) <= 40 and not any(ch.isdigit() for ch in source.publisher):
        return f"{source.publisher}{year}"
    words = source.title.split()
    title = " ".join(words[:6]) + ("…" if len(words) > 6 else "")
    return f"{title}{year}"
