"""The composer's and the reply box's forms. Fields are labelled as the member reads them; the
services check the rest and their refusals are shown against the field they name."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from smanav.community.forms.moderation import HoneypotMixin
from smanav.community.models import PostKind, ReactionKind, Topic
from smanav.community.pictures import MAX_ALT_TEXT
from smanav.community.services.posts import MAX_BODY, MAX_TITLE

BIG_TEXT = {"rows": 12, "autocomplete": "off", "spellcheck": "true"}


class PostForm(HoneypotMixin):
    topic = forms.ModelChoiceField(
        label=_("Topic"), queryset=Topic.objects.all(), empty_label=_("Choose a topic"), required=False
    )
    kind = forms.ChoiceField(
        label=_("What are you writing?"),
        choices=[(PostKind.DISCUSSION, _("A post")), (PostKind.QUESTION, _("A question"))],
        widget=forms.RadioSelect,
        initial=PostKind.DISCUSSION,
        required=False,
    )
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE, required=False)
    body = forms.CharField(
        label=_("Text"),
        help_text=_(
            "You can use Markdown: **bold**, *italic*, lists with -, links. Your draft is saved as you type."
        ),
        max_length=MAX_BODY,
        required=False,
        widget=forms.Textarea(attrs=BIG_TEXT),
    )
    picture = forms.FileField(
        label=_("Picture (optional)"),
        help_text=_("A JPEG, PNG or WebP photo. Its location and camera details are removed."),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    alt_text = forms.CharField(
        label=_("Describe the picture"),
        help_text=_("For members who cannot see it, for example: my son in his new power chair at the park."),
        max_length=MAX_ALT_TEXT,
        required=False,
    )
    remove_picture = forms.BooleanField(label=_("Remove the picture"), required=False)
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or PostKind.DISCUSSION


class ReplyForm(HoneypotMixin):
    body = forms.CharField(
        label=_("Your reply"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5, "autocomplete": "off"}),
    )
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False)
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)


class ReactionForm(forms.Form):
    kind = forms.ChoiceField(choices=ReactionKind.choices)
    comment = forms.IntegerField(required=False)


class DraftForm(forms.Form):
    """What the composer's script sends every few seconds: the text fields only."""

    place = forms.CharField(max_length=60)
    topic = forms.ModelChoiceField(queryset=Topic.objects.all(), required=False)
    kind = forms.CharField(max_length=12, required=False)
    title = forms.CharField(max_length=MAX_TITLE, required=False, strip=False)
    body = forms.CharField(max_length=MAX_BODY, required=False, strip=False)
    # With a picture (a new post's draft): its description, required by the picture's checks.
    alt_text = forms.CharField(max_length=MAX_ALT_TEXT, required=False)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search posts, questions and replies"), max_length=200, required=False)


class EditPostForm(HoneypotMixin):
    """The author's change of their post: its title and text (the picture stays as it is)."""

    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE, required=False)
    body = forms.CharField(
        label=_("Text"),
        help_text=_(
            "You can use Markdown: **bold**, *italic*, lists with -, links. Your change is saved as you type."
        ),
        max_length=MAX_BODY,
        required=False,
        widget=forms.Textarea(attrs=BIG_TEXT),
    )


class EditReplyForm(HoneypotMixin):
    body = forms.CharField(
        label=_("Your reply"),
        help_text=_("Your change is saved as you type."),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "autocomplete": "off"}),
    )
