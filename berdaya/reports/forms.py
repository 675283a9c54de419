"""Input shapes of the reports app's pages (the programme's rules live in the services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from berdaya.regions.models import Region

from .models import Assessment, AwardRound


class AwardRoundForm(forms.ModelForm[AwardRound]):
    """A new award round: its regency, year, kind, the shortlist's thresholds, the weights and the committee."""

    class Meta:
        model = AwardRound
        fields = [
            "region",
            "name",
            "year",
            "kind",
            "min_score",
            "min_level",
            "months_of_data",
            "max_shortlist",
            "weight_institution",
            "weight_social",
            "weight_economic",
            "committee",
        ]
        widgets = {"committee": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, regencies: QuerySet[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        region.queryset = regencies  # type: ignore[attr-defined]
        if regencies.count() == 1:
            region.initial = regencies.first()


class AssessmentForm(forms.ModelForm[Assessment]):
    """One committee member's marks for one entry; a change to marks already given needs a reason."""

    reason = forms.CharField(label=_("Why the marks change"), max_length=200, required=False)

    class Meta:
        model = Assessment
        fields = ["institution", "institution_note", "social", "social_note", "economic", "economic_note"]
        widgets = {
            "institution": forms.NumberInput(attrs={"min": 0, "max": 100}),
            "social": forms.NumberInput(attrs={"min": 0, "max": 100}),
            "economic": forms.NumberInput(attrs={"min": 0, "max": 100}),
            "institution_note": forms.Textarea(attrs={"rows": 2}),
            "social_note": forms.Textarea(attrs={"rows": 2}),
            "economic_note": forms.Textarea(attrs={"rows": 2}),
        }
