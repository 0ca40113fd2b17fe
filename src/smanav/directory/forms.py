from __future__ import annotations

from django import forms

from smanav.directory.disciplines import AgeGroup, Discipline

RADIUS_CHOICES = [
    ("25", "25 km"),
    ("50", "50 km"),
    ("100", "100 km"),
    ("250", "250 km"),
    ("500", "500 km"),
    ("1000", "1,000 km"),
    ("5000", "5,000 km"),
]


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
    radius_km = forms.TypedChoiceField(
        label="How far",
        choices=RADIUS_CHOICES,
        coerce=float,
        initial="100",
        required=False,
        empty_value=None,
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
