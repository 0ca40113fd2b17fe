"""The codes the FHIR export writes, and nothing it was not able to check.

Every code here was looked up in a published source before it was written down; docs/exports.md lists
each one with where it was read. Where no standard code was found (the SMA motor scales, peak cough flow,
the Cobb angle, SMN copy number as a LOINC term), the export writes the concept as text only rather than
guess a code: a receiving system can still show it, and nobody is misled by a wrong code.
"""

from __future__ import annotations

from dataclasses import dataclass

from smanav_core.codes import Instrument, MonitoringTest, SmaType, TreatmentTherapy

# Code systems, as FHIR names them.
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10_CM = "http://hl7.org/fhir/sid/icd-10-cm"
UCUM = "http://unitsofmeasure.org"
ATC = "http://www.whocc.no/atc"
HGNC = "http://www.genenames.org"
SEQUENCE_ONTOLOGY = "http://sequenceontology.org"
HGVS = "http://varnomen.hgvs.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
DIAGNOSTIC_SERVICE = "http://terminology.hl7.org/CodeSystem/v2-0074"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"

# smanav's own identifiers and code systems (the .invalid domain says they resolve nowhere).
PATIENT_ID_SYSTEM = "https://smanav.invalid/fhir/patient-record"
CARE_PLAN_ITEM_SYSTEM = "https://smanav.invalid/fhir/CodeSystem/care-plan-item"
CARE_DOMAIN_SYSTEM = "https://smanav.invalid/fhir/CodeSystem/care-domain"
# smanav's own codes of what the contract names (the instrument, the therapy, the genetic method, a field
# of the record, a consent's purpose, who a related person is), so that an import reads back exactly what
# an export wrote, beside the standard code where there is one.
INSTRUMENT_SYSTEM = "https://smanav.invalid/fhir/CodeSystem/instrument"
THERAPY_SYSTEM = "https://smanav.invalid/fhir/CodeSystem/therapy"
GENETIC_METHOD_SYSTEM = "https://smanav.invalid/fhir/CodeSystem/genetic-method"
RECORD_FIELD_SYSTEM = "https://smanav.invalid/fhir/CodeSystem/record-field"
CONSENT_PURPOSE_SYSTEM = "https://smanav.invalid/fhir/CodeSystem/consent-purpose"
GUARDIAN_RELATION_SYSTEM = "https://smanav.invalid/fhir/CodeSystem/guardian-relation"
# A consent text of smanav, as `Consent.policy.uri`: this, then `PURPOSE/VERSION`.
CONSENT_TEXT_URI = "https://smanav.invalid/fhir/consent-text/"
# Extensions: the region whose treatment approvals apply (US, EU, UK, CA, JP, AU), and the labelled
# regimen of a treatment course.
REGION_EXTENSION = "https://smanav.invalid/fhir/StructureDefinition/approval-region"
REGIMEN_EXTENSION = "https://smanav.invalid/fhir/StructureDefinition/regimen"
# A patient's identifier that no other installation makes: `urn:uuid:` of the record's export id.
URI_IDENTIFIER_SYSTEM = "urn:ietf:rfc:3986"


@dataclass(frozen=True)
class Coding:
    system: str
    code: str
    display: str | None = None

    def as_fhir(self) -> dict[str, str]:
        coding = {"system": self.system, "code": self.code}
        if self.display:
            coding["display"] = self.display
        return coding


def instrument_coding(instrument: str) -> Coding:
    return Coding(INSTRUMENT_SYSTEM, instrument)


def therapy_coding(therapy: str) -> Coding:
    return Coding(THERAPY_SYSTEM, therapy)


@dataclass(frozen=True)
class Measure:
    """How one instrument of the contract is written as an Observation."""

    text: str  # the concept in words, always written
    unit_code: str  # UCUM
    unit: str  # the unit as people write it
    category: str  # an observation-category code
    loinc: Coding | None = None  # only where a LOINC term was found for exactly this measure


MEASURES: dict[Instrument, Measure] = {
    Instrument.CHOP_INTEND: Measure(
        "Children's Hospital of Philadelphia Infant Test of Neuromuscular Disorders (CHOP INTEND) "
        "total score",
        "{score}",
        "points",
        "exam",
    ),
    Instrument.HINE2: Measure(
        "Hammersmith Infant Neurological Examination, section 2 (HINE-2) motor milestone score",
        "{score}",
        "points",
        "exam",
    ),
    Instrument.HFMSE: Measure(
        "Hammersmith Functional Motor Scale Expanded (HFMSE) total score", "{score}", "points", "exam"
    ),
    Instrument.RULM: Measure("Revised Upper Limb Module (RULM) total score", "{score}", "points", "exam"),
    Instrument.MFM32_PERCENT: Measure(
        "Motor Function Measure, 32 items (MFM-32) total score as a percentage of the maximum",
        "%",
        "%",
        "exam",
    ),
    Instrument.SIX_MWT_M: Measure(
        "Distance walked in 6 minutes (6-minute walk test)",
        "m",
        "m",
        "exam",
        Coding(LOINC, "64098-7"),
    ),
    Instrument.FVC_PERCENT_PREDICTED: Measure(
        "Forced vital capacity, percent of predicted",
        "%",
        "%",
        "procedure",
        Coding(LOINC, "19872-1", "FVC measured/predicted"),
    ),
    Instrument.PEAK_COUGH_FLOW_L_MIN: Measure("Peak cough flow", "L/min", "L/min", "procedure"),
    Instrument.WEIGHT_KG: Measure(
        "Body weight", "kg", "kg", "vital-signs", Coding(LOINC, "29463-7", "Body weight")
    ),
    Instrument.HEIGHT_CM: Measure(
        "Body height or length", "cm", "cm", "vital-signs", Coding(LOINC, "8302-2", "Body height")
    ),
    Instrument.COBB_DEG: Measure("Cobb angle of the spine (scoliosis)", "deg", "degrees", "imaging"),
}

# The disorder, and the disorder by SMA type where a type-specific concept was found. Types 0 and 4 and
# "presymptomatic" have none: they are written with the general concept and the type in words.
SMA_SNOMED = Coding(SNOMED, "5262007", "Spinal muscular atrophy")
SMA_TYPE_SNOMED: dict[SmaType | None, Coding] = {
    SmaType.TYPE_1: Coding(SNOMED, "64383006", "Werdnig-Hoffmann disease"),
    SmaType.TYPE_2: Coding(SNOMED, "128212001", "Spinal muscular atrophy, type II"),
    SmaType.TYPE_3: Coding(SNOMED, "54280009", "Kugelberg-Welander disease"),
}
# ICD-10-CM: G12.0 is type 1 (Werdnig-Hoffmann); G12.1 holds the other inherited forms (the childhood
# type 2, the juvenile type 3 and the adult form); G12.9 is SMA of no stated type. Type 0 has no code
# that could be confirmed, so it gets none.
SMA_TYPE_ICD10: dict[SmaType | None, Coding] = {
    SmaType.TYPE_1: Coding(ICD10_CM, "G12.0"),
    SmaType.TYPE_2: Coding(ICD10_CM, "G12.1", "Other inherited spinal muscular atrophy"),
    SmaType.TYPE_3: Coding(ICD10_CM, "G12.1", "Other inherited spinal muscular atrophy"),
    SmaType.TYPE_4: Coding(ICD10_CM, "G12.1", "Other inherited spinal muscular atrophy"),
    SmaType.PRESYMPTOMATIC: Coding(ICD10_CM, "G12.9", "Spinal muscular atrophy, unspecified"),
    None: Coding(ICD10_CM, "G12.9", "Spinal muscular atrophy, unspecified"),
}

# WHO ATC codes of the disease-modifying medicines (both routes of onasemnogene share one substance code).
THERAPY_ATC: dict[TreatmentTherapy, Coding] = {
    TreatmentTherapy.NUSINERSEN: Coding(ATC, "M09AX07", "nusinersen"),
    TreatmentTherapy.ONASEMNOGENE_IV: Coding(ATC, "M09AX09", "onasemnogene abeparvovec"),
    TreatmentTherapy.ONASEMNOGENE_IT: Coding(ATC, "M09AX09", "onasemnogene abeparvovec"),
    TreatmentTherapy.RISDIPLAM: Coding(ATC, "M09AX10", "risdiplam"),
}
THERAPY_TEXT: dict[TreatmentTherapy, str] = {
    TreatmentTherapy.NUSINERSEN: "Nusinersen (Spinraza), into the spinal fluid",
    TreatmentTherapy.RISDIPLAM: "Risdiplam (Evrysdi), by mouth",
    TreatmentTherapy.ONASEMNOGENE_IV: "Onasemnogene abeparvovec (Zolgensma), into a vein",
    TreatmentTherapy.ONASEMNOGENE_IT: "Onasemnogene abeparvovec, into the spinal fluid",
    TreatmentTherapy.OTHER: "Another treatment (not named in the record)",
}

SAFETY_TEST_TEXT: dict[MonitoringTest, str] = {
    MonitoringTest.PLATELET_COUNT: "Platelet count",
    MonitoringTest.COAGULATION: "Clotting tests (prothrombin time and activated partial thromboplastin time)",
    MonitoringTest.URINE_PROTEIN: "Urine protein",
    MonitoringTest.LIVER_FUNCTION: "Liver tests (ALT, AST, bilirubin)",
    MonitoringTest.TROPONIN_I: "Troponin I",
}

# The HL7 Genomics Reporting implementation guide's Variant pattern (its SMN1/SMN2 copy-number example):
# a "genetic variant assessment" whose components name the gene, the kind of change, the genomic source
# and the copy number.
VARIANT_ASSESSMENT = Coding(LOINC, "69548-6")
GENE_STUDIED = Coding(LOINC, "48018-6")
CODING_CHANGE_TYPE = Coding(LOINC, "48019-4")
GENOMIC_SOURCE_CLASS = Coding(LOINC, "48002-0")
COPY_NUMBER = Coding(LOINC, "82155-3")
CODING_HGVS = Coding(LOINC, "48004-6")
VARIANT_PRESENT = Coding(LOINC, "LA9633-4", "Present")
GERMLINE = Coding(LOINC, "LA6683-2", "Germline")
COPY_NUMBER_VARIATION = Coding(SEQUENCE_ONTOLOGY, "SO:0001019", "copy_number_variation")
GENETICS_SERVICE = Coding(DIAGNOSTIC_SERVICE, "GE")
GENES = {
    "SMN1": Coding(HGNC, "HGNC:11117", "SMN1"),
    "SMN2": Coding(HGNC, "HGNC:11118", "SMN2"),
}
