"""Input shapes of the targeting pages; the programme's rules live in services.py."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from berdaya.lib.text import NameField
from berdaya.regions.models import Region
from berdaya.registry.models import Person

from .models import (
    DEFAULT_CONSIDERATIONS,
    DEFAULT_LEGAL_BASIS,
    Cycle,
    Letterhead,
    Nominee,
    Verval,
    validate_number_format,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CycleForm(forms.ModelForm[Cycle]):
    class Meta:
        model = Cycle
        fields = [
            "name",
            "year",
            "funding_source",
            "budget",
            "aid_per_member",
            "group_min",
            "group_max",
            "age_min",
            "age_max",
            "decile_max",
            "nomination_deadline",
            "endorsement_deadline",
            "verval_deadline",
            "decision_deadline",
        ]
        widgets = {
            "nomination_deadline": DATE,
            "endorsement_deadline": DATE,
            "verval_deadline": DATE,
            "decision_deadline": DATE,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.is_frozen:
            for name in Cycle.RULE_FIELDS:
                self.fields[name].disabled = True


class KecamatanField(forms.ModelChoiceField[Region]):
    """A kecamatan picked by name from the ones offered (no empty choice)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Region.objects.none(), empty_label=None, **kwargs)

    def label_from_instance(self, obj: Region) -> str:
        return obj.name


class QuotaForm(forms.Form):
    kecamatan = KecamatanField(label=_("Kecamatan"))
    households = forms.IntegerField(label=_("Quota (households)"), min_value=1, max_value=2_147_483_647)

    def __init__(self, *args: Any, kecamatan: QuerySet[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kecamatan"].queryset = kecamatan  # type: ignore[attr-defined]


class RelayForm(forms.Form):
    kecamatan = KecamatanField(label=_("Kecamatan"))
    note = forms.CharField(label=_("Note to the villages"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, kecamatan: QuerySet[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kecamatan"].queryset = kecamatan  # type: ignore[attr-defined]


class PickPersonForm(forms.Form):
    person = forms.ModelChoiceField(queryset=Person.objects.none(), label=_("Person"))
    reason = forms.ChoiceField(label=_("Reason"), choices=Nominee.Reason.choices)
    reason_note = forms.CharField(label=_("Reason in the village's words"), required=False, max_length=255)

    def __init__(self, *args: Any, persons: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = persons  # type: ignore[attr-defined]


class NewNomineeForm(forms.Form):
    nik = forms.CharField(label=_("NIK"), max_length=30)
    name = NameField(label=_("Name"), max_length=150)
    kk_number = forms.CharField(label=_("KK number"), max_length=30)
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DATE)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Person.Sex.choices], required=False)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    reason = forms.ChoiceField(label=_("Reason"), choices=Nominee.Reason.choices)
    reason_note = forms.CharField(label=_("Reason in the village's words"), required=False, max_length=255)


class MinutesForm(forms.Form):
    file = forms.FileField(label=_("Minutes of the village meeting (PDF, JPG or PNG, at most 10 MB)"))
    meeting_date = forms.DateField(label=_("Meeting date"), required=False, widget=DATE)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class EndorseForm(ReasonForm):
    """The kecamatan's note on endorsing: the reason field of the review form, whose other button returns the list."""

    def clean(self) -> dict[str, Any]:
        super().clean()
        return {"note": self.cleaned_data.get("reason", "")}  # named as endorse_list takes it


class JustifyForm(ReasonForm):
    """The village's written reason for keeping a flagged nominee."""

    def clean(self) -> dict[str, Any]:
        super().clean()
        return {"justification": self.cleaned_data.get("reason", "")}  # named as override_flags takes it


class VervalForm(forms.Form):
    visit_date = forms.DateField(label=_("Visit date"), widget=DATE)
    photo = forms.ImageField(label=_("Photo"), required=False)
    latitude = forms.DecimalField(label=_("Latitude"), required=False, max_digits=9, decimal_places=6)
    longitude = forms.DecimalField(label=_("Longitude"), required=False, max_digits=9, decimal_places=6)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in Verval.CHECKLIST.items():
            self.fields[f"check_{key}"] = forms.BooleanField(label=label, required=False)

    def clean(self) -> dict[str, Any]:
        """The visit as verify_nominee takes it: the ticked boxes gathered into one checklist."""
        super().clean()
        data = dict(self.cleaned_data)
        checklist = {key: bool(data.pop(f"check_{key}", False)) for key in Verval.CHECKLIST}
        return {**data, "checklist": checklist}


class LetterheadForm(forms.ModelForm[Letterhead]):
    class Meta:
        model = Letterhead
        fields = [
            "government_name",
            "office_name",
            "address",
            "logo",
            "place",
            "signatory_name",
            "signatory_title",
            "signatory_nip",
            "number_format",
            "considerations",
            "legal_basis",
        ]
        widgets = {
            "considerations": forms.Textarea(attrs={"rows": 6}),
            "legal_basis": forms.Textarea(attrs={"rows": 6}),
        }

    # An empty box restores the template: a decree always has its considerations and legal basis.
    TEMPLATES: ClassVar[dict[str, str]] = {
        "considerations": DEFAULT_CONSIDERATIONS,
        "legal_basis": DEFAULT_LEGAL_BASIS,
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["number_format"].validators.append(validate_number_format)
        for name in self.TEMPLATES:
            self.fields[name].required = False

    def clean(self) -> dict[str, Any]:
        super().clean()
        if self.cleaned_data.get("logo") is None:
            self.cleaned_data.pop("logo", None)  # no new logo: keep the one there is
        for name, template in self.TEMPLATES.items():
            if not (self.cleaned_data.get(name) or "").strip():
                self.cleaned_data[name] = template
        return self.cleaned_data
