"""Closed sets of the contract (`shared/contracts/evaluate.md`, version 1) as enums.

The string values are binding: other tools read them. Add members only by publishing a new contract version.
"""

from __future__ import annotations

from enum import StrEnum


class Region(StrEnum):
    US = "US"
    EU = "EU"
    UK = "UK"
    CA = "CA"
    JP = "JP"
    AU = "AU"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class GeneticMethod(StrEnum):
    NEWBORN_SCREENING = "newborn_screening"
    MLPA = "mlpa"
    QPCR = "qpcr"
    DDPCR = "ddpcr"
    NGS = "ngs"
    OTHER = "other"


class MotorMilestone(StrEnum):
    """Highest motor milestone ever achieved, in increasing order."""

    NONE = "none"
    HEAD_CONTROL = "head_control"
    SITS_INDEPENDENTLY = "sits_independently"
    STANDS_WITH_SUPPORT = "stands_with_support"
    WALKS_INDEPENDENTLY = "walks_independently"


class FunctionalGroup(StrEnum):
    """Current function, as used by the standards of care (not the historical type)."""

    NON_SITTER = "non_sitter"
    SITTER = "sitter"
    WALKER = "walker"


class Ventilation(StrEnum):
    NONE = "none"
    NIV_SLEEP_ONLY = "niv_sleep_only"
    NIV_UNDER_16H = "niv_under_16h"
    NIV_16H_OR_MORE = "niv_16h_or_more"
    TRACHEOSTOMY = "tracheostomy"


class Feeding(StrEnum):
    ORAL = "oral"
    ORAL_WITH_SUPPLEMENT = "oral_with_supplement"
    NASOGASTRIC_TUBE = "nasogastric_tube"
    GASTROSTOMY = "gastrostomy"


class TherapyId(StrEnum):
    """Disease-modifying therapies with a regional label; the order is the output order."""

    NUSINERSEN = "nusinersen"
    RISDIPLAM = "risdiplam"
    ONASEMNOGENE_IV = "onasemnogene_abeparvovec_iv"
    ONASEMNOGENE_IT = "onasemnogene_abeparvovec_it"


class TreatmentTherapy(StrEnum):
    """What a recorded treatment may name: a therapy id, or `other`."""

    NUSINERSEN = "nusinersen"
    RISDIPLAM = "risdiplam"
    ONASEMNOGENE_IV = "onasemnogene_abeparvovec_iv"
    ONASEMNOGENE_IT = "onasemnogene_abeparvovec_it"
    OTHER = "other"


class Regimen(StrEnum):
    """A labelled dosing regimen of a therapy that has more than one (recorded on a treatment course)."""

    NUSINERSEN_12MG = "nusinersen_12mg"
    NUSINERSEN_HIGH_DOSE = "nusinersen_high_dose"

    @property
    def therapy(self) -> TreatmentTherapy:
        """The therapy this is a regimen of (its id begins with the therapy's id)."""
        return next(therapy for therapy in TreatmentTherapy if self.value.startswith(f"{therapy.value}_"))


class MonitoringTest(StrEnum):
    """A safety test that a therapy's label asks for (recorded as `lab_tests[]`, by date)."""

    PLATELET_COUNT = "platelet_count"
    COAGULATION = "coagulation"
    URINE_PROTEIN = "urine_protein"
    LIVER_FUNCTION = "liver_function"
    TROPONIN_I = "troponin_i"


class DueStatus(StrEnum):
    """When a dated care-plan item or alert falls due, seen from the evaluation date."""

    OVERDUE = "overdue"  # the due date has passed and nothing later is recorded
    DUE_SOON = "due_soon"  # due within the knowledge base's due-soon window
    SCHEDULED = "scheduled"  # due later than that
    DONE = "done"  # what the schedule asks for is recorded for the coming date


class Instrument(StrEnum):
    CHOP_INTEND = "CHOP_INTEND"
    HINE2 = "HINE2"
    HFMSE = "HFMSE"
    RULM = "RULM"
    MFM32_PERCENT = "MFM32_PERCENT"
    SIX_MWT_M = "6MWT_M"
    FVC_PERCENT_PREDICTED = "FVC_PERCENT_PREDICTED"
    PEAK_COUGH_FLOW_L_MIN = "PEAK_COUGH_FLOW_L_MIN"
    WEIGHT_KG = "WEIGHT_KG"
    HEIGHT_CM = "HEIGHT_CM"
    COBB_DEG = "COBB_DEG"


class DiagnosisStatus(StrEnum):
    CONFIRMED_5Q_SMA = "confirmed_5q_sma"
    INCONCLUSIVE = "inconclusive"
    CARRIER = "carrier"
    SMA_UNLIKELY = "5q_sma_unlikely"
    NOT_TESTED = "not_tested"


class SmaType(StrEnum):
    TYPE_0 = "0"
    TYPE_1 = "1"
    TYPE_2 = "2"
    TYPE_3 = "3"
    TYPE_4 = "4"
    PRESYMPTOMATIC = "presymptomatic"


class UrgencyLevel(StrEnum):
    URGENT = "urgent"
    PROMPT = "prompt"
    ROUTINE = "routine"


class TherapyStatus(StrEnum):
    """Ordered from least to most restrictive; the worst finding decides."""

    ELIGIBLE = "eligible"
    ELIGIBLE_WITH_CAUTIONS = "eligible_with_cautions"
    NEEDS_INFORMATION = "needs_information"
    NOT_ELIGIBLE = "not_eligible"
    NOT_APPROVED_IN_REGION = "not_approved_in_region"


class CareDomain(StrEnum):
    COORDINATION = "coordination"
    GENETICS = "genetics"
    NEUROMUSCULAR = "neuromuscular"
    REHABILITATION = "rehabilitation"
    ORTHOPAEDIC = "orthopaedic"
    RESPIRATORY = "respiratory"
    NUTRITION = "nutrition"
    BONE_HEALTH = "bone_health"
    IMMUNISATION = "immunisation"
    ACUTE_CARE = "acute_care"
    ANAESTHESIA = "anaesthesia"
    TREATMENT_MONITORING = "treatment_monitoring"
    PALLIATIVE = "palliative"
    PSYCHOSOCIAL = "psychosocial"


class AlertCode(StrEnum):
    MOTOR_DECLINE = "motor_decline"
    ASSESSMENT_OVERDUE = "assessment_overdue"
    ASSESSMENT_MISSING = "assessment_missing"
    TREATMENT_MONITORING_DUE = "treatment_monitoring_due"
    # A measure fell at each of its last three values, and no cited threshold says whether that matters.
    MEASURE_TREND = "measure_trend"


class DeclineReference(StrEnum):
    """What the latest value of a measure was compared with when a fall was called meaningful."""

    BEST_IN_WINDOW = "best_in_window"  # the best earlier value within the rule's look-back window
    BEFORE_WINDOW = "before_window"  # the last value taken before the look-back window opened
    COURSE_START = "course_start"  # the last value before the current treatment course began
    FIRST_OF_THREE = "first_of_three"  # a trend notice: the first of three values that each fell


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Evidence(StrEnum):
    """Evidence grade of a knowledge entry."""

    LABEL = "label"  # regulator-approved label / SmPC / regulator page
    HTA = "hta"  # health-technology assessment or payer rule
    GUIDELINE = "guideline"  # published guideline or consensus statement
    TRIAL = "trial"  # clinical-trial result or trial definition
    COHORT = "cohort"  # observational / natural-history study
    EXPERT_CONSENSUS = "expert_consensus"
    SECONDARY = "secondary"  # a secondary summary of one of the above
    # A setting of smanav itself, not a clinical fact (how many days ahead counts as "due soon"); its
    # source is the project's decision record that explains it.
    PROJECT_DECISION = "project_decision"


# --- triage ---------------------------------------------------------------------------------------


class TriageHistory(StrEnum):
    SPINAL_SURGERY = "spinal_surgery"
    BACK_INJURY = "back_injury"
    BRACING_OR_IMMOBILISATION = "bracing_or_immobilisation"
    DEGENERATIVE_SPINE_DISEASE = "degenerative_spine_disease"
    FAMILY_HISTORY_NEUROMUSCULAR = "family_history_neuromuscular"
    CHILDHOOD_MOTOR_DELAY = "childhood_motor_delay"


class TriageSymptom(StrEnum):
    LOW_BACK_PAIN = "low_back_pain"
    EXCESS_LUMBAR_CURVE = "excess_lumbar_curve"
    ROUNDED_UPPER_BACK = "rounded_upper_back"
    BALANCE_PROBLEMS = "balance_problems"
    TRUNK_WEAKNESS = "trunk_weakness"
    PROXIMAL_LEG_WEAKNESS = "proximal_leg_weakness"
    PROXIMAL_ARM_WEAKNESS = "proximal_arm_weakness"
    DISTAL_WEAKNESS = "distal_weakness"
    ASYMMETRIC_WEAKNESS = "asymmetric_weakness"
    DIFFICULTY_RISING_OR_CLIMBING = "difficulty_rising_or_climbing"
    FREQUENT_FALLS = "frequent_falls"
    FASCICULATIONS = "fasciculations"
    MUSCLE_CRAMPS = "muscle_cramps"
    TREMOR = "tremor"
    BRISK_REFLEXES_OR_STIFFNESS = "brisk_reflexes_or_stiffness"
    NUMBNESS_OR_TINGLING = "numbness_or_tingling"
    SPEECH_OR_SWALLOWING_DIFFICULTY = "speech_or_swallowing_difficulty"
    BREATHING_DIFFICULTY = "breathing_difficulty"
    BREAST_ENLARGEMENT_IN_MALE = "breast_enlargement_in_male"
    BLADDER_OR_BOWEL_DYSFUNCTION = "bladder_or_bowel_dysfunction"
    SADDLE_NUMBNESS = "saddle_numbness"
    FEVER_OR_WEIGHT_LOSS = "fever_or_weight_loss"
    NIGHT_PAIN = "night_pain"


class TriageOnset(StrEnum):
    SUDDEN = "sudden"
    DAYS = "days"
    WEEKS = "weeks"
    MONTHS = "months"
    YEARS = "years"
    SINCE_CHILDHOOD = "since_childhood"


class TriageCourse(StrEnum):
    IMPROVING = "improving"
    STABLE = "stable"
    PROGRESSIVE = "progressive"


class TriagePattern(StrEnum):
    EMERGENCY_RED_FLAGS = "emergency_red_flags"
    SUGGESTS_NEUROMUSCULAR_DISEASE = "suggests_neuromuscular_disease"
    CONSISTENT_WITH_PARASPINAL_MUSCLE_ATROPHY = "consistent_with_paraspinal_muscle_atrophy"
    NONSPECIFIC = "nonspecific"


class TriageRecommendation(StrEnum):
    SEEK_EMERGENCY_CARE = "seek_emergency_care"
    SEE_NEUROLOGIST = "see_neurologist"
    SEE_PRIMARY_CARE_OR_SPINE_SPECIALIST = "see_primary_care_or_spine_specialist"


class TriageUrgency(StrEnum):
    EMERGENCY = "emergency"
    URGENT = "urgent"
    ROUTINE = "routine"
