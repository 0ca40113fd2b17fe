"""The consent page's forms: each button sends the purpose (and for giving, the text version read)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from smanav.registry.models import ConsentPurpose


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
