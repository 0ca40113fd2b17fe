"""NUCC provider taxonomy codes (as used in NPPES) that map to the disciplines of an SMA care team.

Codes and their display names are NUCC's; a code says what a provider is licensed as, not what they
actually do, so NPPES entries are individual specialists near a family, never "an SMA centre". A code
maps to children only where its NUCC display names a paediatric speciality; otherwise ages stay unknown.
"""

from __future__ import annotations

from smanav.directory.disciplines import AGE_BITS, DISCIPLINE_BITS, AgeGroup, Discipline

CHILDREN = AGE_BITS[AgeGroup.CHILDREN]

# code -> (disciplines, age mask, NUCC display)
TAXONOMY: dict[str, tuple[tuple[Discipline, ...], int, str]] = {
    "2084N0400X": ((Discipline.NEUROLOGY,), 0, "Neurology"),
    "2084N0402X": (
        (Discipline.NEUROLOGY,),
        CHILDREN,
        "Neurology with Special Qualifications in Child Neurology",
    ),
    "2084N0008X": ((Discipline.NEUROMUSCULAR,), 0, "Neuromuscular Medicine (Psychiatry & Neurology)"),
    "2081N0008X": (
        (Discipline.NEUROMUSCULAR,),
        0,
        "Neuromuscular Medicine (Physical Medicine & Rehabilitation)",
    ),
    "207RP1001X": ((Discipline.RESPIRATORY,), 0, "Pulmonary Disease"),
    "2080P0214X": ((Discipline.RESPIRATORY,), CHILDREN, "Pediatric Pulmonology"),
    "227900000X": ((Discipline.RESPIRATORY,), 0, "Respiratory Therapist, Registered"),
    "227800000X": ((Discipline.RESPIRATORY,), 0, "Respiratory Therapist, Certified"),
    "2279P3900X": (
        (Discipline.RESPIRATORY,),
        CHILDREN,
        "Respiratory Therapist, Registered: Neonatal/Pediatrics",
    ),
    "2279H0200X": ((Discipline.RESPIRATORY,), 0, "Respiratory Therapist, Registered: Home Health"),
    "207RS0012X": ((Discipline.SLEEP_STUDIES,), 0, "Sleep Medicine (Internal Medicine)"),
    "2080S0012X": ((Discipline.SLEEP_STUDIES,), CHILDREN, "Pediatric Sleep Medicine"),
    "207XS0117X": ((Discipline.ORTHOPAEDICS,), 0, "Orthopaedic Surgery of the Spine"),
    "207XP3100X": ((Discipline.ORTHOPAEDICS,), CHILDREN, "Pediatric Orthopaedic Surgery"),
    "207SG0201X": ((Discipline.GENETIC_COUNSELLING,), 0, "Clinical Genetics (M.D.)"),
    "207SG0202X": ((Discipline.GENETIC_COUNSELLING,), 0, "Clinical Biochemical Genetics"),
    "207SG0203X": ((Discipline.GENETIC_COUNSELLING,), 0, "Clinical Cytogenetics"),
    "170300000X": ((Discipline.GENETIC_COUNSELLING,), 0, "Genetic Counselor, MS"),
    "225100000X": ((Discipline.PHYSIOTHERAPY,), 0, "Physical Therapist"),
    "2251P0200X": ((Discipline.PHYSIOTHERAPY,), CHILDREN, "Physical Therapist: Pediatrics"),
    "2251N0400X": ((Discipline.PHYSIOTHERAPY,), 0, "Physical Therapist: Neurology"),
    "225X00000X": ((Discipline.OCCUPATIONAL_THERAPY,), 0, "Occupational Therapist"),
    "225XP0200X": ((Discipline.OCCUPATIONAL_THERAPY,), CHILDREN, "Occupational Therapist: Pediatrics"),
    "225XN1300X": ((Discipline.OCCUPATIONAL_THERAPY,), 0, "Occupational Therapist: Neurorehabilitation"),
    "225XF0002X": (
        (Discipline.OCCUPATIONAL_THERAPY, Discipline.SPEECH_SWALLOWING),
        0,
        "Occupational Therapist: Feeding, Eating & Swallowing",
    ),
    "235Z00000X": ((Discipline.SPEECH_SWALLOWING,), 0, "Speech-Language Pathologist"),
    "133V00000X": ((Discipline.NUTRITION,), 0, "Dietitian, Registered"),
    "2080H0002X": ((Discipline.PALLIATIVE_CARE,), CHILDREN, "Pediatric Hospice and Palliative Medicine"),
    "2084H0002X": (
        (Discipline.PALLIATIVE_CARE,),
        0,
        "Hospice and Palliative Medicine (Psychiatry & Neurology)",
    ),
}


def services_for(codes: list[str]) -> tuple[int, int, list[str]]:
    """(discipline mask, age mask, matched codes) for a provider's taxonomy codes."""
    disciplines = ages = 0
    matched: list[str] = []
    for code in codes:
        entry = TAXONOMY.get(code)
        if entry is None:
            continue
        matched.append(code)
        for discipline in entry[0]:
            disciplines |= DISCIPLINE_BITS[discipline]
        ages |= entry[1]
    return disciplines, ages, matched
