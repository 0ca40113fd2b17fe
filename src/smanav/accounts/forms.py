from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _

from smanav.accounts.models import Clinic, StaffRole
from smanav.vocabulary import REGION_LABELS


class SignUpForm(forms.Form):
    """A family account: a parent or carer, or an adult with SMA."""

    username = forms.CharField(
        label=_("Username"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username"})
    )
    email = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        help_text=_("At least 10 characters; not only numbers, and not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken. Please choose another."))
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password = data.get("password")
        if password:
            probe = get_user_model()(username=data.get("username", ""), email=data.get("email", ""))
            try:
                password_validation.validate_password(password, probe)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("6-digit code from your authenticator app"),
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


class StaffForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(
        label=_("Email address (the set-password link goes there once another administrator confirms)")
    )
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
