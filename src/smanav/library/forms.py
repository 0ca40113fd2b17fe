"""The library's forms: searching and filtering the index, and a reviewer's sign-off."""

from __future__ import annotations

from django import forms

from smanav.library.content import AUDIENCE_LABELS, TOPIC_LABELS
from smanav.library.models import DigestFrequency
from smanav.library.services import NOTE_MAX_LENGTH


class LibrarySearchForm(forms.Form):
    q = forms.CharField(
        label="Search the articles",
        max_length=200,
        required=False,
        help_text="Words from the title or the text, for example “breathing” or “carrier”.",
    )
    audience = forms.ChoiceField(
        label="Written for",
        required=False,
        choices=[("", "Everyone"), *((audience.value, label) for audience, label in AUDIENCE_LABELS.items())],
    )
    topic = forms.ChoiceField(
        label="Topic",
        required=False,
        choices=[("", "Every topic"), *((topic.value, label) for topic, label in TOPIC_LABELS.items())],
    )


class SignOffForm(forms.Form):
    version = forms.CharField(widget=forms.HiddenInput, max_length=64)
    note = forms.CharField(
        label="Your review note",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What you checked, and anything the authors should change at the next version.",
    )
    confirm = forms.BooleanField(
        label="I have read this version of the article and checked its facts against their sources.",
        error_messages={"required": "Tick the box to confirm that you read this version."},
    )


class NewsletterForm(forms.Form):
    """Subscribing to the library's digest: an address, what it is about, how often."""

    email = forms.EmailField(
        label="Your e-mail address",
        max_length=254,
        error_messages={
            "required": "Enter your e-mail address, like name@example.org.",
            "invalid": "Enter an e-mail address, like name@example.org.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    topics = forms.MultipleChoiceField(
        label="Topics",
        required=False,
        help_text="Choose none for every topic.",
        choices=[(topic.value, label) for topic, label in TOPIC_LABELS.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    audiences = forms.MultipleChoiceField(
        label="Written for",
        required=False,
        help_text="Choose none for every article.",
        choices=[(audience.value, label) for audience, label in AUDIENCE_LABELS.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    frequency = forms.ChoiceField(
        label="How often",
        choices=DigestFrequency.choices,
        initial=DigestFrequency.MONTHLY,
        error_messages={"invalid_choice": "Choose every week or every month."},
    )
