"""The closed sets of the directory: disciplines a site offers, ages it serves, kinds of organisation.

A site's disciplines and ages are stored as bit masks so a radius search with a discipline filter reads
one indexed table. The bit of a discipline is its position in `Discipline`: append new members at the
end and never reorder or remove one, or stored masks would change meaning.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models


class Discipline(models.TextChoices):
    NEUROLOGY = "neurology", "Neurology"
    NEUROMUSCULAR = "neuromuscular", "Neuromuscular medicine"
    RESPIRATORY = "respiratory", "Respiratory care and pulmonology"
    PHYSIOTHERAPY = "physiotherapy", "Physiotherapy"
    OCCUPATIONAL_THERAPY = "occupational_therapy", "Occupational therapy"
    SPEECH_SWALLOWING = "speech_swallowing", "Speech and swallowing"
    NUTRITION = "nutrition", "Nutrition"
    GENETIC_COUNSELLING = "genetic_counselling", "Genetic counselling and clinical genetics"
    ORTHOPAEDICS = "orthopaedics", "Orthopaedics"
    PALLIATIVE_CARE = "palliative_care", "Palliative care"
    GENE_THERAPY_INFUSION = "gene_therapy_infusion", "Gene-therapy infusion"
    INTRATHECAL_TREATMENT = "intrathecal_treatment", "Intrathecal treatment (lumbar puncture)"
    SLEEP_STUDIES = "sleep_studies", "Sleep studies"


class AgeGroup(models.TextChoices):
    CHILDREN = "children", "Children"
    ADULTS = "adults", "Adults"


class OrganisationKind(models.TextChoices):
    NEUROMUSCULAR_CENTRE = "neuromuscular_centre", "Neuromuscular centre"
    CLINIC = "clinic", "Clinic"
    HOSPITAL = "hospital", "Hospital"
    PRACTITIONER = "practitioner", "Individual practitioner"
    ADVOCACY = "advocacy", "Advocacy organisation"
    REGISTRY = "registry", "Patient registry"


# Kinds that can be "a centre" in "the nearest centre with all of these disciplines".
CENTRE_KINDS = (OrganisationKind.NEUROMUSCULAR_CENTRE, OrganisationKind.CLINIC, OrganisationKind.HOSPITAL)

DISCIPLINE_BITS: dict[str, int] = {member.value: 1 << index for index, member in enumerate(Discipline)}
AGE_BITS: dict[str, int] = {member.value: 1 << index for index, member in enumerate(AgeGroup)}


def discipline_mask(codes: Iterable[str]) -> int:
    mask = 0
    for code in codes:
        mask |= DISCIPLINE_BITS[code]
    return mask


def disciplines_of(mask: int) -> list[str]:
    return [code for code, bit in DISCIPLINE_BITS.items() if mask & bit]


def ages_of(mask: int) -> list[str]:
    return [code for code, bit in AGE_BITS.items() if mask & bit]


def discipline_label(code: str) -> str:
    return str(Discipline(code).label)


def age_label(code: str) -> str:
    return str(AgeGroup(code).label)
