"""The notification preferences form: for each kind, on the site, by e-mail at once, in the weekly
e-mail; and the weekly digest itself."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from smanav.community.models import NotificationKind
from smanav.community.notices.delivery import ALWAYS_ON_SITE, Choice

KINDS = [kind for kind in NotificationKind if kind != NotificationKind.DIGEST]
WAYS = {
    "on_site": _("Show it on the site"),
    "email": _("E-mail me at once"),
    "digest": _("Put it in my weekly e-mail"),
}


class PreferencesForm(forms.Form):
    digest = forms.BooleanField(
        label=_("Send me a weekly e-mail of new posts in the topics I follow and of replies to my posts"),
        required=False,
    )

    def __init__(self, *args: Any, choices: dict[str, Choice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["digest"].initial = choices[NotificationKind.DIGEST].email
        for kind in KINDS:
            for way, label in WAYS.items():
                field = forms.BooleanField(label=label, required=False)
                field.initial = getattr(choices[kind], way)
                if way == "on_site" and kind in ALWAYS_ON_SITE:
                    field.disabled = True
                    field.initial = True
                    field.help_text = _("Always shown: the moderators' messages must reach you.")
                self.fields[f"{kind}_{way}"] = field

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """Each kind's label and its three boxes, for a fieldset per kind."""
        return [(str(kind.label), [self[f"{kind}_{way}"] for way in WAYS]) for kind in KINDS]

    def chosen(self) -> dict[str, Choice]:
        data = self.cleaned_data
        chosen = {
            kind.value: Choice(
                on_site=bool(data[f"{kind}_on_site"]),
                email=bool(data[f"{kind}_email"]),
                digest=bool(data[f"{kind}_digest"]),
            )
            for kind in KINDS
        }
        chosen[NotificationKind.DIGEST] = Choice(on_site=False, email=bool(data["digest"]), digest=False)
        return chosen
