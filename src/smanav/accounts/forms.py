from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _

from smanav.accounts.models import Clinic, StaffRole
from smanav.vocabulary import REGION_LABELS


class SignUpForm(forms.Form):
    """The first step of a family account (a parent or carer, or an adult with SMA): an address to
    confirm, and the privacy notice and terms accepted."""

    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("We send a link there to finish making your account."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    accept = forms.BooleanField(
        label=_("I have read and accept the privacy notice and the terms of use"),
        error_messages={"required": _("Tick the box to accept the privacy notice and the terms of use.")},
    )


class _PasswordChecked(forms.Form):
    def check_password(self, field: str, username: str, email: str) -> None:
        password = self.cleaned_data.get(field)
        if password:
            probe = get_user_model()(username=username, email=email)
            try:
                password_validation.validate_password(password, probe)
            except forms.ValidationError as error:
                self.add_error(field, error)


class AccountDetailsForm(_PasswordChecked):
    """The second step, after the emailed link: a user name and a password."""

    username = forms.CharField(
        label=_("User name"),
        help_text=_("You log in with it. Letters, numbers and @ . + - _ only."),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        help_text=_("At least 10 characters; not only numbers, and not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"].strip()
        field = get_user_model()._meta.get_field("username")
        try:
            for validator in field.validators:
                validator(username)
        except forms.ValidationError as error:
            raise forms.ValidationError(
                _("User name can only have letters, numbers and @ . + - _ (no spaces).")
            ) from error
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This user name is taken. Please choose another."))
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.check_password("password", data.get("username", ""), self.email)
        return data


class EmailChangeForm(forms.Form):
    new_email = forms.EmailField(
        label=_("New email address"),
        help_text=_("We send a link there; the address changes when you open it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Your password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Your password is not right. Enter the password you log in with."))
        return password

    def clean_new_email(self) -> str:
        email: str = self.cleaned_data["new_email"].strip()
        if email.lower() == (self.user.email or "").lower():
            raise forms.ValidationError(_("This is the address you have now. Enter a different one."))
        return email


def days_before_field() -> forms.IntegerField:
    """The reminders' "How many days before" field (1 to 60), in the same words on every page that asks
    it (the reminders page here, the notices page in `web.forms`)."""
    return forms.IntegerField(
        label=_("How many days before"),
        help_text=_("Between 1 and 60. Overdue items are in every reminder until they are recorded."),
        min_value=1,
        max_value=60,
        error_messages={
            "min_value": _("How many days before must be at least 1."),
            "max_value": _("How many days before must be 60 or fewer."),
            "invalid": _("How many days before must be a whole number, like 7."),
            "required": _("Enter how many days before, like 7."),
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )


class ReminderForm(forms.Form):
    enabled = forms.BooleanField(label=_("Email me when something is due"), required=False)
    news_by_email = forms.BooleanField(
        label=_("Email me when smanav's answer for a record changes"),
        help_text=_(
            "For example when a treatment is approved where you live, or a check's interval changes. "
            "The email only says that something changed and asks you to log in."
        ),
        required=False,
    )
    days_before = days_before_field()


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        help_text=_("Phone lost? Enter one of your recovery codes instead."),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("What the token is for"), max_length=100)


class ClinicForm(forms.Form):
    name = forms.CharField(label=_("Clinic name"), max_length=200)
    slug = forms.SlugField(label=_("Short name (letters, numbers and hyphens)"), max_length=80)
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", _("Not set")), *REGION_LABELS.items()]
    )

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"]
        if Clinic.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("A clinic with this short name exists already."))
        return slug


class _NewAccountForm(forms.Form):
    """A user name and an address for an account an administrator asks for (staff, researcher)."""

    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(
        label=_("Email address (the set-password link goes there once another administrator confirms)")
    )

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken. Please choose another."))
        return username

    def clean_email(self) -> str:
        # One account per address: a reset asked for that address must reach one person's one account.
        email: str = self.cleaned_data["email"]
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("Another account uses this email address."))
        return email


class StaffForm(_NewAccountForm):
    clinic = forms.ModelChoiceField(queryset=Clinic.objects.none(), label=_("Clinic"), empty_label=None)
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        clinic = self.fields["clinic"]
        assert isinstance(clinic, forms.ModelChoiceField)
        clinic.queryset = Clinic.objects.order_by("name")
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = StaffRole.choices


class ResearcherForm(_NewAccountForm):
    """A new researcher account (no clinic)."""


class ResearcherPromoteForm(forms.Form):
    """An existing account to make a researcher's."""

    username = forms.CharField(
        label=_("Username of the existing account"),
        max_length=150,
        help_text=_("An account that is not clinic staff or an administrator."),
    )

    def clean_username(self) -> Any:
        username: str = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username__iexact=username).first()
        if user is None:
            raise forms.ValidationError(_("No account has this username."))
        return user
