from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from berdaya.accounts.models import User
from berdaya.lib.text import NameField
from berdaya.lib.uploads import FileRefused, Limits, check_uploaded_file
from berdaya.regions.models import Region

from .importing import FIELDS
from .models import Disclosure, Household, ImportJob, Person


class PersonForm(forms.ModelForm[Person]):
    class Meta:
        model = Person
        fields = [
            "name",
            "relation",
            "sex",
            "birth_place",
            "birth_date",
            "marital_status",
            "education",
            "occupation",
            "disability",
        ]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        field_classes = {"name": NameField}


class HouseholdForm(forms.ModelForm[Household]):
    class Meta:
        model = Household
        fields = ["address", "village", "decile", "register_id", "register_verified_on"]
        widgets = {"register_verified_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only villages inside the user's scope can be chosen.
        self.fields["village"].queryset = Region.objects.visible_to(user).villages()  # type: ignore[attr-defined]
        self.fields["decile"].widget = forms.NumberInput(attrs={"min": 1, "max": 10})


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportJob.Kind.choices)
    file = forms.FileField(label=_("File (CSV or XLSX)"))

    def clean_file(self) -> Any:
        file = self.cleaned_data["file"]
        try:
            check_uploaded_file(file, Limits.of("registry"))
        except FileRefused as error:
            raise forms.ValidationError(error.message) from error
        return file


class ImportMappingForm(forms.Form):
    """One choice per header Berdaya does not know: which field the column holds, or ignore it."""

    def __init__(self, *args: Any, headers: list[str], kind: str, initial_mapping: dict[str, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = [("", _("(ignore this column)"))] + [(name, label) for name, label in FIELDS[kind].items()]
        self.headers = headers
        for index, header in enumerate(headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header, choices=choices, required=False, initial=initial_mapping.get(header, "")
            )

    def clean(self) -> dict[str, Any]:
        """The choices as one mapping, header -> field name (what the service takes)."""
        cleaned = super().clean() or {}
        return {
            "mapping": {
                header: cleaned[f"col_{index}"]
                for index, header in enumerate(self.headers)
                if cleaned.get(f"col_{index}")
            }
        }


class _DayInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class DisclosureFilterForm(forms.Form):
    """The access-log page's filters; a value that is not valid is reported beside its field and ignored."""

    by = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label=_("Seen by"))
    q = forms.CharField(required=False, max_length=100, label=_("Person: name or NIK"))
    kind = forms.ChoiceField(required=False, label=_("Kind"))
    since = forms.DateField(required=False, label=_("From"), widget=_DayInput())
    until = forms.DateField(required=False, label=_("Until"), widget=_DayInput())

    def __init__(self, data: Any, *, user: User) -> None:
        super().__init__(data)
        by = self.fields["by"]
        assert isinstance(by, forms.ModelChoiceField)
        by.queryset = User.objects.visible_to(user).order_by("first_name", "username")
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [("", _("All kinds")), *Disclosure.Kind.choices]

    def filters(self) -> dict[str, Any]:
        """The valid filters, by the selector's argument names (an invalid one is left out)."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {name: cleaned.get(name) for name in ("by", "q", "kind", "since", "until") if cleaned.get(name)}
