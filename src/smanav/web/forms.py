"""Forms of the public pages: evaluate a pasted or uploaded record, and the triage questionnaire.

Forms only collect and shape input; the clinical core validates the documents, so the page shows the
same problems (with the same field paths) as the CLI and the API.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from smanav.accounts.forms import days_before_field
from smanav.geo.selectors import Location, Unresolved, locate
from smanav.trials.services import TRIAL_NEWS_MAX_KM
from smanav_core.codes import Region, Sex, TriageCourse, TriageHistory, TriageOnset, TriageSymptom
from smanav_core.knowledge.loader import load_knowledge
from smanav_core.report import REGION_NAMES

# A full record with years of assessments is well under this; anything larger is a mistake.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


def region_choices() -> list[tuple[str, str]]:
    regions = [
        (region.value, f"{REGION_NAMES[region.value].removeprefix('the ')} ({region.value})")
        for region in Region
    ]
    return [("", str(_("The region written in the record"))), *regions]


class EvaluateForm(forms.Form):
    record = forms.CharField(
        label=_("Patient record (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false", "autocomplete": "off"}),
    )
    record_file = forms.FileField(label=_("…or upload a JSON file"), required=False)
    region = forms.ChoiceField(
        label=_("Region"),
        required=False,
        choices=region_choices,
        widget=forms.Select(attrs={"aria-describedby": "region-hint"}),
    )
    as_of = forms.DateField(
        label=_("Date of the evaluation"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date", "aria-describedby": "as-of-hint"}, format="%Y-%m-%d"),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("record_file")
        if upload is not None:
            if upload.size > MAX_UPLOAD_BYTES:
                self.add_error(
                    "record_file", _("The file is larger than 2 MB; is it really a patient record?")
                )
            else:
                cleaned["document"] = upload.read()
        elif (cleaned.get("record") or "").strip():
            cleaned["document"] = cleaned["record"]
        else:
            self.add_error("record", _("Paste a patient record, or choose a JSON file to upload."))
        return cleaned


def _answer_label(answer: str) -> str:
    """The knowledge base's words for a triage answer (so the page and the reasons name it alike)."""
    for feature in load_knowledge().triage.feature:
        if feature.answer == answer:
            return feature.label[:1].upper() + feature.label[1:]
    return answer.replace("_", " ").capitalize()


SEX_LABELS = {
    "female": _("Female"),
    "male": _("Male"),
    "other": _("Other"),
    "unknown": _("Prefer not to say"),
}
ONSET_LABELS = {
    "sudden": _("Suddenly (within hours)"),
    "days": _("Over days"),
    "weeks": _("Over weeks"),
    "months": _("Over months"),
    "years": _("Over years"),
    "since_childhood": _("Since childhood"),
}
# Where the person is, for the emergency number of a red-flag result. Not guessed from the browser: the
# site's languages do not name a country ("en" is also every reader without a preference), so the answer
# is the person's own, and without one the result lists every region's number.
WHERE_LABELS = {
    "US": _("United States"),
    "UK": _("United Kingdom"),
    "EU": _("A country of the European Union"),
    "CA": _("Canada"),
    "AU": _("Australia"),
    "JP": _("Japan"),
}
COURSE_LABELS = {
    "improving": _("Getting better"),
    "stable": _("Staying the same"),
    "progressive": _("Getting worse"),
}


class TriageForm(forms.Form):
    age_years = forms.DecimalField(
        label=_("Age in years"),
        min_value=0,
        max_value=120,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "1"}),
    )
    region = forms.ChoiceField(
        label=_("Where are you?"),
        required=False,
        widget=forms.RadioSelect,
        choices=[
            *((r.value, WHERE_LABELS[r.value]) for r in Region),
            ("", _("Not saying, or somewhere else")),
        ],
    )
    sex = forms.ChoiceField(
        label=_("Sex"),
        required=False,
        widget=forms.RadioSelect,
        choices=[(s.value, SEX_LABELS[s.value]) for s in Sex],
    )
    history = forms.MultipleChoiceField(
        label=_("Has any of this happened to you?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=lambda: [(h.value, _answer_label(h.value)) for h in TriageHistory],
    )
    symptoms = forms.MultipleChoiceField(
        label=_("Which of these do you have now?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=lambda: [(s.value, _answer_label(s.value)) for s in TriageSymptom],
    )
    onset = forms.ChoiceField(
        label=_("How did it start?"),
        required=False,
        widget=forms.RadioSelect,
        choices=[(o.value, ONSET_LABELS[o.value]) for o in TriageOnset],
    )
    course = forms.ChoiceField(
        label=_("Since then, is it…"),
        required=False,
        widget=forms.RadioSelect,
        choices=[(c.value, COURSE_LABELS[c.value]) for c in TriageCourse],
    )

    def answers(self) -> dict[str, Any]:
        """The contract's triage answers document; unanswered questions are left out ("not known")."""
        data = self.cleaned_data
        age = data["age_years"]
        document: dict[str, Any] = {"age_years": int(age) if age == int(age) else float(age)}
        for name in ("region", "sex", "onset", "course"):
            if data.get(name):
                document[name] = data[name]
        for name in ("history", "symptoms"):
            if data.get(name):
                document[name] = list(data[name])
        return document


TRIAL_FIELDS = ("trials_place", "trials_distance_km", "trials_email")


class NoticesForm(forms.Form):
    """Every notice smanav sends a signed-in person, except the community's (its own form, beside)."""

    due_email = forms.BooleanField(label=_("Email me when something is due"), required=False)
    days_before = days_before_field()
    news_on_site = forms.BooleanField(
        label=_("Show what changed at the top of the record's page"), required=False
    )
    news_email = forms.BooleanField(
        label=_("Email me when smanav's answer for a record changes"), required=False
    )
    news_weekly = forms.ChoiceField(
        label=_("How often"),
        choices=[("", _("On the day something changes")), ("weekly", _("Once a week"))],
        required=False,
    )
    news_details = forms.BooleanField(
        label=_("Say what changed in the body of the email"),
        help_text=_(
            "Off: the email only says that something changed and asks you to log in. On: it also says "
            "what changed, which anyone who sees your inbox could read. The subject never says it."
        ),
        required=False,
    )
    trials_place = forms.CharField(
        label=_("Town or postal code"),
        help_text=_(
            "Where you would travel from, like “Boston, US” or “02115”. Leave it empty for no news of trials."
        ),
        required=False,
        max_length=200,
        error_messages={"max_length": _("Town or postal code must be 200 characters or fewer.")},
    )
    trials_distance_km = forms.IntegerField(
        label=_("How far you would travel, in km"),
        help_text=_("Between 1 and %(most)d km.") % {"most": TRIAL_NEWS_MAX_KM},
        required=False,
        min_value=1,
        max_value=TRIAL_NEWS_MAX_KM,
        error_messages={
            "min_value": _("How far you would travel must be at least 1 km."),
            "max_value": _("How far you would travel must be %(most)d km or fewer.")
            % {"most": TRIAL_NEWS_MAX_KM},
            "invalid": _("How far you would travel must be a whole number of km, like 100."),
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    trials_email = forms.BooleanField(label=_("Email me about such a trial"), required=False)
    newsletter = forms.BooleanField(label=_("Email me new and revised library articles"), required=False)
    newsletter_frequency = forms.ChoiceField(
        label=_("How often the library email comes"),
        choices=[("weekly", _("Every week")), ("monthly", _("Every month"))],
        error_messages={"invalid_choice": _("Choose every week or every month.")},
    )

    def __init__(
        self, *args: Any, prefer_country: str | None = None, trials: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.prefer_country = prefer_country
        # The place the "Town or postal code" was found to be (None: no trial news).
        self.trials_location: Location | None = None
        # "Trials near me" is for accounts that look after a record (or chose a place before).
        self.trials = trials
        if not trials:
            for name in TRIAL_FIELDS:
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.trials:
            return data
        place = " ".join((data.get("trials_place") or "").split())
        distance = data.get("trials_distance_km")
        distance_given = distance is not None or "trials_distance_km" in self.errors
        if "trials_place" in self.errors:
            return data
        if not place:
            if distance is not None:
                self.add_error("trials_place", _("Enter a town or postal code, or leave both empty."))
            elif data.get("trials_email"):
                self.add_error("trials_place", _("Enter a town or postal code to be emailed about trials."))
            return data
        if not distance_given:
            self.add_error("trials_distance_km", _("Enter how far you would travel, in km, like 100."))
        found = locate(place, prefer=self.prefer_country)
        if isinstance(found, Unresolved):
            if found.ambiguous:
                message = _(
                    "“%(place)s” is the name of several places. Add the region or country, like: %(choices)s."
                )
            elif found.suggestions:
                message = _("We could not find “%(place)s”. Did you mean: %(choices)s?")
            else:
                message = _("We could not find “%(place)s”. Try a nearby town or a postal code.")
            self.add_error(
                "trials_place", message % {"place": place, "choices": "; ".join(found.suggestions[:5])}
            )
        elif distance is not None:
            self.trials_location = found
        return data
