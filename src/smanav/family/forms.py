"""The guided "add my child / add myself" form: the questions a family can answer from a lab report
and from what they see, in plain words, each with an "I don't know" that leaves the fact unknown (never
"normal"). Nothing here asks for a laboratory ratio: the full record form is for clinicians."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smanav.patients.models import GuardianRelation
from smanav.vocabulary import FUNCTIONAL_GROUP_LABELS, MILESTONE_LABELS, REGION_LABELS

DONT_KNOW = ("", _("I don't know"))
YES_NO = [("yes", _("Yes")), ("no", _("No")), DONT_KNOW]

SMN1_CHOICES = [
    ("0", _("No working SMN1 (0 copies)")),
    ("1", _("1 copy")),
    ("2", _("2 copies")),
    ("3", _("3 or more copies")),
    DONT_KNOW,
]
SMN2_CHOICES = [
    ("1", _("1 copy")),
    ("2", _("2 copies")),
    ("3", _("3 copies")),
    ("4", _("4 copies")),
    ("4+", _("4 or more copies (the report says “4 or more” or “≥ 4”)")),
    ("5", _("5 copies")),
    ("6", _("6 copies")),
    DONT_KNOW,
]


class DateParts(forms.MultiWidget):
    """Day, month and year as three short boxes (as GOV.UK's date input): a date typed from memory or a
    document, without a picker, in any language's order of habit."""

    template_name = "family/date_parts.html"

    def __init__(self) -> None:
        def box(size: str, autocomplete: str) -> forms.TextInput:
            return forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "class": f"date-part date-part--{size}",
                    "autocomplete": autocomplete,
                }
            )

        super().__init__([box("2", "bday-day"), box("2", "bday-month"), box("4", "bday-year")])

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class DateOfBirthField(forms.MultiValueField):
    widget = DateParts

    def __init__(self, **kwargs: Any) -> None:
        part = forms.CharField(required=False)
        super().__init__(fields=(part, part, part), require_all_fields=False, **kwargs)

    def compress(self, data_list: list[str]) -> dt.date | None:
        parts = [(text or "").strip() for text in (data_list or ["", "", ""])]
        if not any(parts):
            raise forms.ValidationError(self.error_messages["required"], code="required")
        missing = [
            name for name, text in zip((_("day"), _("month"), _("year")), parts, strict=True) if not text
        ]
        if missing:
            raise forms.ValidationError(
                _("Date of birth must include a %(part)s.") % {"part": missing[0]}, code="incomplete"
            )
        if not all(text.isdigit() for text in parts) or len(parts[2]) != 4:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            return dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError as error:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from error


class GuidedRecordForm(forms.Form):
    form_key = forms.CharField(widget=forms.HiddenInput, required=False)
    relation = forms.ChoiceField(
        label=_("Whose record is this?"),
        choices=[
            (GuardianRelation.PARENT.value, _("My child's (I am a parent or carer)")),
            (GuardianRelation.SELF.value, _("My own")),
        ],
        widget=forms.RadioSelect,
        initial=GuardianRelation.PARENT.value,
        error_messages={"required": _("Choose whose record this is.")},
    )
    display_name = forms.CharField(
        label=_("Name or nickname"),
        help_text=_("As you would like to see it on the page. It does not have to be the full name."),
        max_length=120,
        error_messages={"required": _("Enter a name or nickname.")},
    )
    birth_date = DateOfBirthField(
        label=_("Date of birth"),
        help_text=_("Day, month and year, for example 27 3 2024."),
        error_messages={
            "required": _("Enter the date of birth."),
            "invalid": _("Date of birth must be a real date, for example 27 3 2024."),
        },
    )
    region = forms.ChoiceField(
        label=_("Where do you live?"),
        help_text=_(
            "Which treatments are approved, and how, depends on where you live. "
            "Choose “somewhere else” if your country is not listed."
        ),
        choices=[*((r.value, label) for r, label in REGION_LABELS.items()), ("", _("Somewhere else"))],
        required=False,
    )
    smn1_copies = forms.ChoiceField(
        label=_("SMN1 result"),
        help_text=_(
            "On the genetic test report, the number of copies of the SMN1 gene (exon 7). "
            "A report that says “no copies” or a “homozygous deletion” of SMN1 means no working SMN1."
        ),
        choices=SMN1_CHOICES,
        widget=forms.RadioSelect,
        required=False,
    )
    smn2_copies = forms.ChoiceField(
        label=_("SMN2 copies"),
        help_text=_("On the same report, the number of copies of the SMN2 gene."),
        choices=SMN2_CHOICES,
        widget=forms.RadioSelect,
        required=False,
    )
    newborn_screening = forms.ChoiceField(
        label=_("Was it found by newborn screening (the heel-prick blood test)?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )
    symptomatic = forms.ChoiceField(
        label=_("Are there signs of SMA now, such as weakness or floppiness?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )
    max_motor_milestone = forms.ChoiceField(
        label=_("The most they have ever been able to do"),
        choices=[*((m.value, label) for m, label in MILESTONE_LABELS.items()), DONT_KNOW],
        required=False,
    )
    current_motor_function = forms.ChoiceField(
        label=_("What they can do now"),
        choices=[*((g.value, label) for g, label in FUNCTIONAL_GROUP_LABELS.items()), DONT_KNOW],
        required=False,
    )

    def clean_birth_date(self) -> dt.date:
        born: dt.date = self.cleaned_data["birth_date"]
        if born > timezone.localdate():
            raise forms.ValidationError(_("Date of birth must be today or in the past."))
        if born.year < 1900:
            raise forms.ValidationError(_("Date of birth must be after 1900."))
        return born

    def document(self) -> dict[str, Any]:
        """The contract's record document. An "I don't know" leaves the fact out: not known."""
        data = self.cleaned_data
        document: dict[str, Any] = {"birth_date": data["birth_date"].isoformat()}
        if data.get("region"):
            document["region"] = data["region"]
        genetics: dict[str, Any] = {}
        if data.get("smn1_copies"):
            genetics["smn1_copies"] = int(data["smn1_copies"])
        smn2 = data.get("smn2_copies") or ""
        if smn2 == "4+":
            genetics["smn2_copies"] = 4
            genetics["smn2_copies_is_minimum"] = True
        elif smn2:
            genetics["smn2_copies"] = int(smn2)
        if data.get("newborn_screening") == "yes":
            genetics["method"] = "newborn_screening"
        if genetics:
            document["genetics"] = genetics
        clinical: dict[str, Any] = {}
        if data.get("symptomatic") in ("yes", "no"):
            clinical["symptomatic"] = data["symptomatic"] == "yes"
        for name in ("max_motor_milestone", "current_motor_function"):
            if data.get(name):
                clinical[name] = data[name]
        if clinical:
            document["clinical"] = clinical
        return document


class CarerInviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Their email address"),
        help_text=_(
            "They get a link; they see the record once they accept it with an account at this address."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        help_text=_("To be sure it is you."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password to delete your account.")},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Your password is not right. Nothing was deleted."))
        return password
