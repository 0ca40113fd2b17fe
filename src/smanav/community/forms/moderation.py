"""The forms of moderation: a member's report, a moderator's decision on a post or reply, an action on a
member, the audit's filters, watched words, "what the sources say", and the composer's hidden field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smanav.community.models import FlagReason, Guideline, Member, TrustLevel, WatchedWordAction
from smanav.community.screening import HONEYPOT_FIELD
from smanav.community.services.moderation import Decision, MemberAction
from smanav.community.support_lines import support_lines


class HoneypotMixin(forms.Form):
    """Add to a composer's form: a field hidden from people (`visually-hidden`, out of the tab order)
    that robots fill; a filled one makes the form invalid with a plain message and nothing is saved."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[HONEYPOT_FIELD] = forms.CharField(
            label=_("Leave this empty"),
            required=False,
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if str(cleaned.get(HONEYPOT_FIELD) or "").strip():
            raise forms.ValidationError(
                _("This form could not be sent. Please reload the page and try again.")
            )
        return cleaned


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong?"), choices=FlagReason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Anything the moderators should know (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Decision.APPROVE.value, _("Approve")),
            (Decision.HIDE.value, _("Hide")),
            (Decision.RESTORE.value, _("Restore")),
        ],
    )
    reason = forms.CharField(
        label=_("Reason (the member is told it)"),
        max_length=500,
        required=False,
    )
    guideline = forms.ChoiceField(
        label=_("The guideline it was judged against (the member is told it; needed to hide)"),
        choices=[("", _("Choose a guideline")), *Guideline.choices],
        required=False,
    )


class TrustLevelForm(forms.Form):
    """A moderator sets a member's trust level by hand, with a reason kept in the audit."""

    trust_level = forms.TypedChoiceField(
        label=_("Trust level"), choices=TrustLevel.choices, coerce=int, widget=forms.RadioSelect
    )
    reason = forms.CharField(label=_("Reason (kept in the moderators' audit)"), max_length=500)


class MemberActionForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            (MemberAction.WARN.value, _("Warn (a message only)")),
            (MemberAction.SILENCE.value, _("Silence (can read, cannot write)")),
            (MemberAction.SUSPEND.value, _("Suspend (cannot use the community)")),
            (MemberAction.LIFT.value, _("Lift a silence or suspension")),
        ],
        widget=forms.RadioSelect,
    )
    until = forms.DateField(
        label=_("Until (for silence and suspension)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(label=_("Reason (the member is told it)"), max_length=500)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        action = cleaned.get("action")
        until = cleaned.get("until")
        if action in (MemberAction.SILENCE.value, MemberAction.SUSPEND.value):
            if until is None:
                self.add_error("until", _("Enter the date until which it lasts."))
            elif until <= timezone.localdate():
                self.add_error("until", _("Enter a date after today."))
        return cleaned

    def until_datetime(self) -> dt.datetime | None:
        until: dt.date | None = self.cleaned_data.get("until")
        if until is None:
            return None
        return dt.datetime.combine(until, dt.time.min, tzinfo=timezone.get_current_timezone())


class AuditFilterForm(forms.Form):
    moderator = forms.ModelChoiceField(
        label=_("Moderator"), queryset=Member.objects.none(), required=False, empty_label=_("Any moderator")
    )
    member = forms.CharField(label=_("Member's display name"), max_length=50, required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, moderators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["moderator"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = moderators

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("“To” is before “From”."))
        return cleaned


class WatchedWordForm(forms.Form):
    word = forms.CharField(label=_("Word or phrase"), max_length=100)
    action = forms.ChoiceField(label=_("What happens"), choices=WatchedWordAction.choices)
    reason = forms.CharField(label=_("Why (kept in the audit)"), max_length=300, required=False)


class SourcesLinkForm(forms.Form):
    path = forms.CharField(
        label=_("Address of the cited page (a library article)"),
        max_length=300,
        required=False,
        help_text=_("For example /library/ followed by the article's name. Leave empty to remove the link."),
    )


class RegionForm(forms.Form):
    region = forms.ChoiceField(label=_("Where are you?"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["region"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Somewhere else"))] + [
            (line.region, line.region_name)
            for line in sorted(support_lines().lines, key=lambda x: x.region_name)
        ]
