from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from berdaya.lib.text import NameField
from berdaya.regions.models import Region

from .models import User


class RegionChoiceField(forms.ModelChoiceField[Region]):
    def label_from_instance(self, obj: Region) -> str:
        indent = "\u00a0\u00a0" * (obj.level - 1)
        return f"{indent}{obj.kind_label} {obj.name} ({obj.code})"


class UserForm(forms.ModelForm[User]):
    """Account details; the region choices are the regions the acting admin may see."""

    region = RegionChoiceField(queryset=Region.objects.none(), label=_("Region scope"))

    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "email",
            "phone",
            "role",
            "region",
            "is_service_account",
            "is_active",
        ]
        field_classes = {"first_name": NameField, "last_name": NameField}
        labels = {"is_active": _("Active (may log in)")}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Villages are many; the levels a user can have are a handful of kecamatan and ~150 villages per regency.
        self.fields["region"].queryset = Region.objects.visible_to(user).filter(level__gte=1)  # type: ignore[attr-defined]
        self.fields["first_name"].required = True


class UserCreateForm(UserForm):
    password1 = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Password again"), strip=False, widget=forms.PasswordInput)

    class Meta(UserForm.Meta):
        fields = ["username", "first_name", "last_name", "email", "phone", "role", "region", "is_service_account"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            candidate = User(username=cleaned.get("username", ""), first_name=cleaned.get("first_name", ""))
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class AdminSetPasswordForm(SetPasswordForm):  # type: ignore[type-arg]
    pass


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Wrong username or password. Check both; capital letters matter."),
        "inactive": _("This account is disabled. Ask your Admin Dinas."),
        "service_account": _("This is a service account: it calls the API with tokens and cannot log in."),
    }

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if user.is_service_account:
            raise forms.ValidationError(self.error_messages["service_account"], code="service_account")


def _in_ninety_days() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=90)


class TokenForm(forms.Form):
    """A new personal access token: what it is for, until when, and whether it may only read."""

    name = forms.CharField(
        label=_("What is it for?"), max_length=100, help_text=_("e.g. the province's dashboard tool")
    )
    expires_on = forms.DateField(
        label=_("Valid until"), initial=_in_ninety_days, widget=forms.DateInput(attrs={"type": "date"})
    )
    read_only = forms.BooleanField(label=_("Read only (cannot change anything)"), required=False, initial=True)
