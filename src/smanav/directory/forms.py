from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from smanav.directory.disciplines import AgeGroup, Discipline
from smanav.user_locale import DistanceUnit

# The same numbers in either unit, so switching the unit keeps the chosen distance valid.
RADIUS_VALUES = ("10", "25", "50", "100", "250", "500", "1000", "3000")
DEFAULT_RADIUS = "100"
UNIT_CHOICES = [(DistanceUnit.KM.value, _("Kilometres (km)")), (DistanceUnit.MI.value, _("Miles"))]


def radius_choices(unit: str) -> list[tuple[str, str]]:
    word = _("miles") if unit == DistanceUnit.MI else _("km")
    return [(value, f"{int(value):,} {word}") for value in RADIUS_VALUES]


class ServicesSearchForm(forms.Form):
    near = forms.CharField(
        label="Town, city or postal code",
        max_length=200,
        help_text='For example "Boston", "Springfield, IL", "Lyon, FR" or "80331".',
    )
    country = forms.CharField(
        label="Country code (optional)",
        max_length=2,
        required=False,
        help_text="Two letters, such as US, GB, DE or FR. Helps when a name exists in several countries.",
    )
    radius = forms.TypedChoiceField(
        label="How far",
        choices=radius_choices(DistanceUnit.KM),
        coerce=float,
        initial=DEFAULT_RADIUS,
        required=False,
        empty_value=None,
    )
    unit = forms.ChoiceField(
        label=_("Distances in"), choices=UNIT_CHOICES, required=False, widget=forms.RadioSelect
    )
    discipline = forms.MultipleChoiceField(
        label="Services needed (a place must offer all you tick)",
        choices=Discipline.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    age_group = forms.ChoiceField(
        label="For",
        choices=[("", "Any age"), *AgeGroup.choices],
        required=False,
        widget=forms.RadioSelect,
        initial="",
    )

    def __init__(self, *args: Any, unit: DistanceUnit = DistanceUnit.KM, **kwargs: Any) -> None:
        """`unit` is the reader's (`smanav.user_locale`), preselected and used until they choose."""
        super().__init__(*args, **kwargs)
        self.fields["unit"].initial = unit.value
        asked = self.data.get("unit") if self.is_bound else None
        self.chosen_unit = DistanceUnit(asked) if asked in {u.value for u in DistanceUnit} else unit
        self.fields["radius"].choices = radius_choices(self.chosen_unit)  # type: ignore[attr-defined]

    def clean_unit(self) -> DistanceUnit:
        return self.chosen_unit
