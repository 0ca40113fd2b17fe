"""The closed lists a member chooses from on their profile, and the version of the community guidelines.

Treatments are a short list the member picks from (never read from a clinical record): the three
approved SMA treatments by their common names, a trial, or none.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# The version of the community guidelines (community/members/guidelines.html). Raise it when the text
# changes in a way members must read again: members who accepted an older version are asked to accept
# the new one before they go on.
GUIDELINES_VERSION = "2026-12-07"


class Treatment(models.TextChoices):
    NUSINERSEN = "nusinersen", _("Nusinersen (Spinraza)")
    RISDIPLAM = "risdiplam", _("Risdiplam (Evrysdi)")
    ONASEMNOGENE = "onasemnogene", _("Onasemnogene abeparvovec (Zolgensma)")
    TRIAL = "trial", _("A treatment in a clinical trial")
    NONE = "none", _("No SMA treatment")


def treatment_labels(keys: list[str]) -> list[str]:
    """The names of the treatments a member chose, in the list's order; unknown keys are left out."""
    chosen = set(keys)
    return [str(label) for value, label in Treatment.choices if value in chosen]
