"""The families' trial-finder form: a few questions turned into the contract's patient record."""

from __future__ import annotations

from typing import Any

from django import forms

from smanav_core.codes import FunctionalGroup, Sex, TreatmentTherapy, Ventilation

YES_NO_UNKNOWN = [("", "Not known"), ("yes", "Yes"), ("no", "No")]
THERAPY_LABELS = {
    TreatmentTherapy.NUSINERSEN: "Nusinersen",
    TreatmentTherapy.RISDIPLAM: "Risdiplam",
    TreatmentTherapy.ONASEMNOGENE_IV: "Onasemnogene abeparvovec, into a vein (gene therapy)",
    TreatmentTherapy.ONASEMNOGENE_IT: "Onasemnogene abeparvovec, into the spinal fluid (gene therapy)",
    TreatmentTherapy.OTHER: "Another SMA treatment",
}
MOTOR_LABELS = {
    FunctionalGroup.NON_SITTER: "Cannot sit without support",
    FunctionalGroup.SITTER: "Can sit without support but cannot walk",
    FunctionalGroup.WALKER: "Can walk",
}
VENTILATION_LABELS = {
    Ventilation.NONE: "No breathing support",
    Ventilation.NIV_SLEEP_ONLY: "Mask ventilation (non-invasive) during sleep only",
    Ventilation.NIV_UNDER_16H: "Mask ventilation for less than 16 hours a day",
    Ventilation.NIV_16H_OR_MORE: "Mask ventilation for 16 hours or more a day",
    Ventilation.TRACHEOSTOMY: "Ventilation through a tracheostomy",
}


class TrialFinderForm(forms.Form):
    birth_date = forms.DateField(label="Date of birth", help_text="YYYY-MM-DD", input_formats=["%Y-%m-%d"])
    sex = forms.ChoiceField(
        label="Sex",
        required=False,
        widget=forms.RadioSelect,
        choices=[("", "Not given"), (Sex.FEMALE.value, "Female"), (Sex.MALE.value, "Male")],
    )
    smn1_copies = forms.IntegerField(
        label="SMN1 copies (from the genetic report)", required=False, min_value=0, max_value=8
    )
    smn2_copies = forms.IntegerField(
        label="SMN2 copies (from the genetic report)", required=False, min_value=0, max_value=8
    )
    symptomatic = forms.ChoiceField(
        label="Are there symptoms of SMA?", choices=YES_NO_UNKNOWN, required=False, widget=forms.RadioSelect
    )
    motor = forms.ChoiceField(
        label="What can the person do now?",
        required=False,
        widget=forms.RadioSelect,
        choices=[("", "Not given"), *((k.value, v) for k, v in MOTOR_LABELS.items())],
    )
    ventilation = forms.ChoiceField(
        label="Breathing support",
        required=False,
        widget=forms.RadioSelect,
        choices=[("", "Not given"), *((k.value, v) for k, v in VENTILATION_LABELS.items())],
    )
    weight_kg = forms.FloatField(label="Weight in kg", required=False, min_value=0.1, max_value=299)
    treatments = forms.MultipleChoiceField(
        label="Treatments ever received",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(k.value, v) for k, v in THERAPY_LABELS.items()],
    )
    near = forms.CharField(
        label="Town or postal code (to show the nearest sites)", required=False, max_length=200
    )
    country = forms.CharField(label="Country code (optional)", required=False, max_length=2)

    def record(self) -> dict[str, Any]:
        """The contract's patient record from the answers; an unanswered question stays absent (unknown)."""
        data = self.cleaned_data
        record: dict[str, Any] = {"birth_date": data["birth_date"].isoformat()}
        if data.get("sex"):
            record["sex"] = data["sex"]
        if data.get("weight_kg") is not None:
            record["weight_kg"] = data["weight_kg"]
        genetics = {k: data[k] for k in ("smn1_copies", "smn2_copies") if data.get(k) is not None}
        if genetics:
            record["genetics"] = genetics
        clinical: dict[str, Any] = {}
        if data.get("symptomatic"):
            clinical["symptomatic"] = data["symptomatic"] == "yes"
        if data.get("motor"):
            clinical["current_motor_function"] = data["motor"]
        if data.get("ventilation"):
            clinical["ventilation"] = data["ventilation"]
        if clinical:
            record["clinical"] = clinical
        # The form does not ask when a treatment started; the birth date stands in, which only says "given".
        record["treatments"] = [
            {"therapy": therapy, "start_date": record["birth_date"], "end_date": record["birth_date"]}
            for therapy in data.get("treatments") or []
        ]
        return record
