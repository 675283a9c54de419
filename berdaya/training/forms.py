"""Input shapes of the training pages; the rules live in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from berdaya.groups.models import Kube
from berdaya.regions.models import Region

from .models import Training

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TrainingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=Training.Kind.choices)
    starts_on = forms.DateField(label=_("From"), widget=DATE)
    ends_on = forms.DateField(label=_("Until"), widget=DATE)
    trainer = forms.CharField(label=_("Trainer"), max_length=150)
    place = forms.CharField(label=_("Place"), max_length=200)
    region = forms.ModelChoiceField(label=_("For the groups of"), queryset=Region.objects.none())

    def __init__(self, *args: Any, regions: QuerySet[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]


class InviteForm(forms.Form):
    kubes = forms.ModelMultipleChoiceField(
        label=_("Groups"), queryset=Kube.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, kubes: QuerySet[Kube], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kubes"].queryset = kubes  # type: ignore[attr-defined]
