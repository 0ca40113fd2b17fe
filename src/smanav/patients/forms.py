"""HTML forms for patient records.

The forms only collect what was typed and shape it into the contract's record document; judging it is
the clinical core's job, so a form shows the core's problems next to the fields they name, said in
the form's own words (`problem_words`). Numbers and dates that do not parse are passed on as typed for
that reason.
Field names are the contract's paths with dots replaced by "__" (`genetics.smn2_copies` ->
`genetics__smn2_copies`).
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from smanav.accounts.models import Clinic
from smanav.patients import problem_words
from smanav.vocabulary import (
    FEEDING_LABELS,
    FUNCTIONAL_GROUP_LABELS,
    INSTRUMENT_LABELS,
    LAB_TEST_LABELS,
    METHOD_LABELS,
    MILESTONE_LABELS,
    REGIMEN_LABELS,
    REGION_LABELS,
    SEX_LABELS,
    THERAPY_LABELS,
    VENTILATION_LABELS,
)
from smanav_core.codes import Instrument, MonitoringTest, Regimen, TreatmentTherapy

NOT_KNOWN = ("", _("Not known"))
_INDEXED = re.compile(r"^((assessments|treatments|lab_tests)\[\d+\]\.)(doses\[\d+\]\.)?")


def new_form_key() -> str:
    return secrets.token_urlsafe(24)


class LooseNumberField(forms.CharField):
    """A number as typed: an int or float when it parses, otherwise the text (the core names the problem)."""

    def __init__(self, *, whole: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric" if whole else "decimal"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        text = (super().to_python(value) or "").strip()
        if not text:
            return None
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            return text
        if number.is_integer() and not any(mark in text for mark in ".,eE"):
            return int(number)
        return number


class LooseDateField(forms.CharField):
    """A date as typed (YYYY-MM-DD); the core says whether it is a real date and not in the future."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        text = (super().to_python(value) or "").strip()
        return text or None


def _choices(labels: dict[Any, Any]) -> list[tuple[str, Any]]:
    return [NOT_KNOWN, *((key.value, label) for key, label in labels.items())]


class TriStateField(forms.TypedChoiceField):
    """Yes / no / not known: a missing answer stays unknown, never "no"."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            choices=[NOT_KNOWN, ("true", _("Yes")), ("false", _("No"))],
            coerce=lambda v: v == "true",
            empty_value=None,
            required=False,
            **kwargs,
        )


class ContractForm(forms.Form):
    """Shared: show the core's problems next to the fields they name, in the form's own words (the field
    as it is labelled, what to do; never the contract's path: `patients.problem_words`)."""

    def add_core_problems(self, problems: list[tuple[str, str]], *, index_prefix: str | None = None) -> None:
        for path, message in problems:
            name = _INDEXED.sub("", path) if index_prefix and path.startswith(index_prefix) else path
            name = name.replace(".", "__")
            if name in self.fields:
                subject = problem_words.subject_of_label(self.fields[name].label)
                self.add_error(name, problem_words.plain_problem(message, subject=subject))
            else:
                subject = problem_words.record_subject(path)
                self.add_error(None, problem_words.plain_problem(message, subject=subject))


class PatientForm(ContractForm):
    """Every field of the contract's patient record except the treatment and assessment lists."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    form_key = forms.CharField(widget=forms.HiddenInput, required=False)
    display_name = forms.CharField(label=_("Name or nickname"), max_length=120)
    birth_date = LooseDateField(label=_("Date of birth"))
    region = forms.ChoiceField(
        label=_("Region (for treatment approvals)"), choices=_choices(REGION_LABELS), required=False
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=_choices(SEX_LABELS), required=False)
    gestational_age_weeks = LooseNumberField(label=_("Weeks of pregnancy at birth"))
    weight_kg = LooseNumberField(label=_("Current weight (kg)"))
    pregnant = TriStateField(label=_("Pregnant now"))

    genetics__smn1_copies = LooseNumberField(whole=True, label=_("SMN1 copies"))
    genetics__smn1_intragenic_variant = forms.CharField(
        label=_("SMN1 variant on the remaining copy (HGVS, e.g. c.815A>G)"), required=False, max_length=300
    )
    genetics__smn2_copies = LooseNumberField(whole=True, label=_("SMN2 copies"))
    genetics__smn2_copies_is_minimum = forms.BooleanField(
        label=_("The test reported this many SMN2 copies or more"), required=False
    )
    genetics__smn2_modifiers = forms.CharField(
        label=_("SMN2 modifier variants (separate with commas, e.g. c.859G>C)"),
        required=False,
        max_length=2000,
    )
    genetics__method = forms.ChoiceField(
        label=_("Test method"), choices=_choices(METHOD_LABELS), required=False
    )

    clinical__symptomatic = TriStateField(label=_("Has symptoms of SMA"))
    clinical__symptom_onset_age_months = LooseNumberField(label=_("Age when symptoms began (months)"))
    clinical__max_motor_milestone = forms.ChoiceField(
        label=_("Highest motor milestone ever reached"), choices=_choices(MILESTONE_LABELS), required=False
    )
    clinical__current_motor_function = forms.ChoiceField(
        label=_("What the person can do now"), choices=_choices(FUNCTIONAL_GROUP_LABELS), required=False
    )
    clinical__ventilation = forms.ChoiceField(
        label=_("Breathing support"), choices=_choices(VENTILATION_LABELS), required=False
    )
    clinical__feeding = forms.ChoiceField(
        label=_("Feeding"), choices=_choices(FEEDING_LABELS), required=False
    )
    clinical__active_infection = TriStateField(label=_("Has an infection now"))
    clinical__scoliosis_cobb_deg = LooseNumberField(label=_("Latest Cobb angle (degrees)"))

    labs__anti_aav9_titer = LooseNumberField(
        label=_("Anti-AAV9 antibody titre (25 means 1:25; 0 means negative)")
    )
    labs__alt_uln_ratio = LooseNumberField(label=_("ALT ÷ upper limit of normal"))
    labs__ast_uln_ratio = LooseNumberField(label=_("AST ÷ upper limit of normal"))
    labs__total_bilirubin_uln_ratio = LooseNumberField(label=_("Total bilirubin ÷ upper limit of normal"))
    labs__platelets_10e9_per_l = LooseNumberField(label=_("Platelets (10⁹ per litre)"))
    labs__date = LooseDateField(label=_("Date of these blood tests"))

    SECTIONS = ("genetics", "clinical", "labs")
    TOP_LEVEL = ("birth_date", "region", "sex", "gestational_age_weeks", "weight_kg", "pregnant")

    def fieldsets(self) -> list[tuple[Any, list[Any]]]:
        groups: list[tuple[Any, str]] = [
            (_("The person"), ""),
            (_("Genetic test results"), "genetics__"),
            (_("Clinical status"), "clinical__"),
            (_("Blood tests"), "labs__"),
        ]
        hidden = {"version", "form_key"}
        result = []
        for title, prefix in groups:
            names = [
                n
                for n in self.fields
                if n not in hidden and (n.startswith(prefix) if prefix else "__" not in n)
            ]
            result.append((title, [self[n] for n in names]))
        return result

    def document(self) -> dict[str, Any]:
        """The contract's record document (without treatments and assessments) from the cleaned data.

        A section where nothing was filled in is left out: not known, never "normal".
        """
        data = self.cleaned_data
        document: dict[str, Any] = {}
        for name in self.TOP_LEVEL:
            value = data.get(name)
            if value not in (None, ""):
                document[name] = value
        for section in self.SECTIONS:
            values: dict[str, Any] = {}
            for name, value in data.items():
                if not name.startswith(section + "__"):
                    continue
                key = name.split("__", 1)[1]
                if key == "smn2_modifiers":
                    value = [part.strip() for part in (value or "").split(",") if part.strip()]
                if key == "smn2_copies_is_minimum" and not value:
                    continue
                if value in (None, "", []):
                    continue
                values[key] = value
            if values:
                document[section] = values
        return document

    @staticmethod
    def initial_from(patient: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "version": patient.version,
            "form_key": new_form_key(),
            "display_name": patient.display_name,
            "birth_date": patient.birth_date.isoformat(),
            "region": patient.region,
            "sex": patient.sex,
            "gestational_age_weeks": patient.gestational_age_weeks,
            "weight_kg": patient.weight_kg,
            "pregnant": "" if patient.pregnant is None else str(patient.pregnant).lower(),
        }
        for section in PatientForm.SECTIONS:
            for key, value in (getattr(patient, section) or {}).items():
                if isinstance(value, bool):
                    value = str(value).lower()
                if isinstance(value, list):
                    value = ", ".join(value)
                if key == "smn2_copies_is_minimum":
                    value = value == "true"
                initial[f"{section}__{key}"] = value
        return initial


class AssessmentForm(ContractForm):
    form_key = forms.CharField(widget=forms.HiddenInput, required=False)
    date = LooseDateField(label=_("Date of the measurement"))
    instrument = forms.ChoiceField(
        label=_("Measure"), choices=[(i.value, INSTRUMENT_LABELS[i]) for i in Instrument]
    )
    value = LooseNumberField(label=_("Value"))


class TreatmentForm(ContractForm):
    form_key = forms.CharField(widget=forms.HiddenInput, required=False)
    therapy = forms.ChoiceField(
        label=_("Treatment"), choices=[(t.value, THERAPY_LABELS[t]) for t in TreatmentTherapy]
    )
    start_date = LooseDateField(label=_("Start date"))
    end_date = LooseDateField(label=_("End date (leave empty if ongoing)"))
    regimen = forms.ChoiceField(
        label=_("Regimen (for nusinersen: 12 mg or high dose)"),
        choices=_choices(REGIMEN_LABELS),
        required=False,
        help_text=_("The dose dates depend on it. Leave as not known for other treatments."),
    )


class TreatmentEndForm(ContractForm):
    form_key = forms.CharField(widget=forms.HiddenInput, required=False)
    end_date = LooseDateField(label=_("End date"))


class RegimenForm(ContractForm):
    form_key = forms.CharField(widget=forms.HiddenInput, required=False)
    regimen = forms.ChoiceField(label=_("Regimen"), choices=[(r.value, REGIMEN_LABELS[r]) for r in Regimen])


class DoseForm(ContractForm):
    form_key = forms.CharField(widget=forms.HiddenInput, required=False)
    date = LooseDateField(label=_("Date the dose was given"))
    amount_mg = LooseNumberField(label=_("Dose in mg (optional)"))
    given_by = forms.CharField(
        label=_("Given by (optional)"),
        required=False,
        max_length=200,
        help_text=_("For example the clinician or the clinic."),
    )


class LabTestsForm(ContractForm):
    form_key = forms.CharField(widget=forms.HiddenInput, required=False)
    date = LooseDateField(label=_("Date of the tests"))
    tests = forms.MultipleChoiceField(
        label=_("Tests done that day"),
        choices=[(t.value, LAB_TEST_LABELS[t]) for t in MonitoringTest],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one test.")},
    )


class ShareForm(forms.Form):
    clinic = forms.ModelChoiceField(queryset=Clinic.objects.none(), label=_("Clinic"), empty_label=None)

    def __init__(self, *args: Any, clinics: QuerySet[Clinic], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["clinic"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = clinics


class AcknowledgementForm(forms.Form):
    """A clinician's note on an alert they have seen (optional: the acknowledgement itself is the point)."""

    note = forms.CharField(
        label=_("Note (optional)"),
        help_text=_("For example what was decided, or who will follow it up. The family can read it."),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
