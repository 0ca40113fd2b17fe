"""The members' forms. Error messages name the field as its label does."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from smanav.community.members_choices import Treatment
from smanav.community.models import AgeBand, Member, Relation, SmaType
from smanav.community.services.members import display_name_clean, display_name_taken

# Letters of any alphabet, digits, spaces and a few joining marks.
_NAME = re.compile(r"^[\w .'\-]+$")


def _empty_first(choices: list[tuple[str, Any]], empty: Any) -> list[tuple[str, Any]]:
    return [("", empty), *choices]


class DisplayNameField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            label=_("Display name"),
            min_length=2,
            max_length=50,
            help_text=_(
                "The name other members see. It need not be your real name. Letters, numbers, spaces, "
                "dots, dashes and apostrophes."
            ),
            error_messages={
                "required": _("Enter a display name."),
                "min_length": _("Use at least 2 characters."),
                "max_length": _("Use at most 50 characters."),
            },
            **kwargs,
        )

    def clean(self, value: Any) -> str:
        name = display_name_clean(str(super().clean(value)))
        if not _NAME.match(name) or name.replace("_", "") == "":
            raise forms.ValidationError(_("Use letters, numbers, spaces, dots, dashes and apostrophes only."))
        return name


class JoinForm(forms.Form):
    display_name = DisplayNameField()
    accept = forms.BooleanField(
        label=_("I have read the community guidelines and will follow them."),
        error_messages={"required": _("Read and accept the community guidelines to join.")},
    )

    def clean_display_name(self) -> str:
        name: str = self.cleaned_data["display_name"]
        if display_name_taken(name):
            raise forms.ValidationError(_("Another member has this name. Choose another one."))
        return name


class GuidelinesForm(forms.Form):
    accept = forms.BooleanField(
        label=_("I have read the community guidelines and will follow them."),
        error_messages={"required": _("Tick the box to accept the guidelines.")},
    )


_SHOW = _("Show this on my profile")


class ProfileForm(forms.Form):
    display_name = DisplayNameField()
    about = forms.CharField(
        label=_("About me"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Optional. What you would like other members to know. Up to 2,000 characters."),
        error_messages={"max_length": _("Use at most 2,000 characters.")},
    )
    relation = forms.ChoiceField(
        label=_("My relation to SMA"),
        required=False,
        choices=_empty_first(Relation.choices, _("I prefer not to say")),
    )
    show_relation = forms.BooleanField(label=_SHOW, required=False)
    sma_type = forms.ChoiceField(
        label=_("SMA type"),
        required=False,
        choices=_empty_first(SmaType.choices, _("I prefer not to say")),
        help_text=_("Mine, or that of the person I care for."),
    )
    show_sma_type = forms.BooleanField(label=_SHOW, required=False)
    age_band = forms.ChoiceField(
        label=_("Age"),
        required=False,
        choices=_empty_first(AgeBand.choices, _("I prefer not to say")),
        help_text=_("Mine, or that of the person I care for."),
    )
    show_age_band = forms.BooleanField(label=_SHOW, required=False)
    treatments = forms.MultipleChoiceField(
        label=_("Treatments"),
        required=False,
        choices=Treatment.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Optional. Tick any that apply."),
    )
    show_treatments = forms.BooleanField(label=_SHOW, required=False)

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member
        if not self.is_bound:
            for name in self.fields:
                self.initial[name] = getattr(member, name)

    def clean_display_name(self) -> str:
        name: str = self.cleaned_data["display_name"]
        if display_name_taken(name, other_than=self.member):
            raise forms.ValidationError(_("Another member has this name. Choose another one."))
        return name


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        help_text=_("A JPEG, PNG or WebP picture. We remove the camera details and location from it."),
        error_messages={"required": _("Choose a photo."), "empty": _("The photo file is empty.")},
    )
    description = forms.CharField(
        label=_("What the photo shows"),
        max_length=500,
        help_text=_("For members who cannot see it, for example “me at the seaside in my power chair”."),
        error_messages={
            "required": _("Describe the photo for members who cannot see it."),
            "max_length": _("Use at most 500 characters."),
        },
    )


class SettingsForm(forms.Form):
    matching_opt_in = forms.BooleanField(
        label=_("Suggest members like me, and suggest me to them"),
        required=False,
        help_text=_("Matched only on the details you chose to show on your profile."),
    )
    is_welcomer = forms.BooleanField(label=_("I volunteer for the welcoming committee"), required=False)
    remove_posts_on_leaving = forms.TypedChoiceField(
        label=_("If I leave the community or delete my account"),
        choices=[
            ("keep", _("Keep my posts and replies, without my name")),
            ("remove", _("Remove my posts and replies")),
        ],
        coerce=lambda value: value == "remove",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what happens to your posts.")},
    )

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial = {
                "matching_opt_in": member.matching_opt_in,
                "is_welcomer": member.is_welcomer,
                "remove_posts_on_leaving": "remove" if member.remove_posts_on_leaving else "keep",
            }


class LeaveForm(forms.Form):
    posts = forms.ChoiceField(
        label=_("What happens to your posts and replies"),
        choices=[
            ("keep", _("Keep them, without my name")),
            ("remove", _("Remove them")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what happens to your posts and replies.")},
    )
    confirm = forms.BooleanField(
        label=_("I understand that leaving cannot be undone."),
        error_messages={"required": _("Tick the box to confirm that you want to leave.")},
    )


class WelcomeForm(forms.Form):
    message = forms.CharField(
        label=_("Your welcome"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        initial=_("Welcome to the community! Glad you are here."),
        error_messages={
            "required": _("Write a few words of welcome."),
            "max_length": _("Use at most 300 characters."),
        },
    )
