"""The registry's forms: the consent page's buttons (the purpose, and for giving, the text version
read), the reports of registry items, and a clinician's decision on a disagreement."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from smanav.registry.models import ConflictDecision, ConsentPurpose, ReportedItem
from smanav.vocabulary import FEEDING_LABELS, MILESTONE_LABELS, THERAPY_LABELS
from smanav_core.codes import MotorMilestone

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as StrOrPromise


class ConsentDecisionForm(forms.Form):
    purpose = forms.ChoiceField(
        label=_("What the consent is for"),
        choices=ConsentPurpose.choices,
        error_messages={
            "required": _("Choose what the consent is for."),
            "invalid_choice": _("Choose what the consent is for."),
        },
    )
    text_version = forms.IntegerField(
        label=_("Version of the text"),
        required=False,
        min_value=1,
        error_messages={
            "invalid": _("The version of the text is not a number. Reload the page and read it again.")
        },
    )


def _date_field(label: str | StrOrPromise) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("not a date: write it as year-month-day, for example 2026-03-31.")},
    )


def _number_field(label: str | StrOrPromise) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={"invalid": _("not a number: write digits only, for example 8 or 7.5.")},
    )


def _choice_field(label: str | StrOrPromise, choices: list[tuple[str, Any]]) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=[("", _("Choose…")), *choices],
        error_messages={"invalid_choice": _("choose one from the list.")},
    )


MILESTONE_CHANGES = [("achieved", _("Reached")), ("lost", _("Lost"))]
HOSPITAL_REASON_CHOICES = [
    ("breathing", _("Breathing problems or a chest infection")),
    ("surgery", _("An operation")),
    ("treatment", _("To have a treatment")),
    ("other", _("Something else")),
]
ITEM_CHOICES = [
    (ReportedItem.SYMPTOM_ONSET.value, ReportedItem.SYMPTOM_ONSET.label),
    ("milestone", _("Movement milestone")),
    (ReportedItem.VENTILATION_HOURS.value, ReportedItem.VENTILATION_HOURS.label),
    (ReportedItem.FEEDING.value, ReportedItem.FEEDING.label),
    (ReportedItem.HOSPITAL_STAY.value, ReportedItem.HOSPITAL_STAY.label),
    (ReportedItem.ADVERSE_EVENT.value, ReportedItem.ADVERSE_EVENT.label),
]


class ReportForm(forms.Form):
    """Every registry item's inputs; each section of the page sends `item` and its own inputs. What an
    item requires is the service's to say (`registry.reporting`), in these fields' names."""

    item = forms.ChoiceField(
        label=_("What you are telling us about"),
        choices=ITEM_CHOICES,
        error_messages={
            "required": _("choose what you are telling us about."),
            "invalid_choice": _("choose what you are telling us about."),
        },
    )
    onset_months = _number_field(_("Age at the first signs, in months"))
    milestone = _choice_field(
        _("Movement milestone"),
        [(m.value, label) for m, label in MILESTONE_LABELS.items() if m is not MotorMilestone.NONE],
    )
    milestone_change = _choice_field(_("Reached or lost"), MILESTONE_CHANGES)
    milestone_on = _date_field(_("When"))
    ventilation_hours = _number_field(_("Hours a day on the breathing machine"))
    ventilation_from = _date_field(_("Using it like this since"))
    feeding = _choice_field(_("How they eat"), [(f.value, label) for f, label in FEEDING_LABELS.items()])
    feeding_from = _date_field(_("Eating like this since"))
    admitted_on = _date_field(_("Went into hospital on"))
    discharged_on = _date_field(_("Came home on (leave empty while still there)"))
    stay_reason = _choice_field(_("Why"), HOSPITAL_REASON_CHOICES)
    event_on = _date_field(_("When it happened"))
    event_treatment = _choice_field(
        _("Which treatment (if you know)"), [(t.value, label) for t, label in THERAPY_LABELS.items()]
    )
    event_what = forms.CharField(
        label=_("What happened"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("keep it under 1,000 characters.")},
    )

    def report(self) -> dict[str, Any]:
        """The cleaned inputs as the service's keyword arguments (`reported_value_add`)."""
        data = self.cleaned_data
        item = data["item"]
        if item == ReportedItem.SYMPTOM_ONSET:
            return {"item": item, "number": data["onset_months"]}
        if item == "milestone":
            lost = data["milestone_change"] == "lost"
            return {
                "item": ReportedItem.MILESTONE_LOST if lost else ReportedItem.MILESTONE_ACHIEVED,
                "code": data["milestone"],
                "date": data["milestone_on"],
            }
        if item == ReportedItem.VENTILATION_HOURS:
            return {"item": item, "number": data["ventilation_hours"], "date": data["ventilation_from"]}
        if item == ReportedItem.FEEDING:
            return {"item": item, "code": data["feeding"], "date": data["feeding_from"]}
        if item == ReportedItem.HOSPITAL_STAY:
            return {
                "item": item,
                "date": data["admitted_on"],
                "end_date": data["discharged_on"],
                "code": data["stay_reason"],
            }
        return {
            "item": item,
            "date": data["event_on"],
            "code": data["event_treatment"],
            "note": data["event_what"],
        }

    def clean_milestone_change(self) -> str:
        value: str = self.cleaned_data.get("milestone_change") or ""
        if self.data.get("item") == "milestone" and not value:
            raise forms.ValidationError(_("say whether it was reached or lost."))
        return value


class ConflictForm(forms.Form):
    key = forms.CharField(max_length=80, widget=forms.HiddenInput)
    family_value = forms.CharField(max_length=200, required=False, widget=forms.HiddenInput)
    clinic_value = forms.CharField(max_length=200, required=False, widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=ConflictDecision.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("choose one of the answers."),
            "invalid_choice": _("choose one of the answers."),
        },
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("keep it under 1,000 characters.")},
    )
