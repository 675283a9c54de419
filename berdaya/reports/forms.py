"""Input shapes of the reports app's pages (the programme's rules live in the services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from berdaya.lib.months import month_end
from berdaya.regions.models import Region

from .figures import Period
from .models import Assessment, AwardRound, ReportRequest


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


class UpwardForm(forms.Form):
    """Which report upward, for which region, period ("quarter", "year" or two dates) and date, in which format."""

    SPANS = [("quarter", _("Quarter")), ("year", _("Year")), ("range", _("From – to"))]

    kind = forms.ChoiceField(label=_("Report"), choices=ReportRequest.Kind.choices)
    region = forms.ChoiceField(label=_("Region"))
    span = forms.ChoiceField(label=_("Period"), choices=SPANS, initial="year")
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        choices=[(n, roman) for n, roman in enumerate(("I", "II", "III", "IV"), 1)],
        coerce=int,
        required=False,
    )
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    as_of = forms.DateField(
        label=_("As of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: the period's last day, or today if that is later."),
    )
    fmt = forms.ChoiceField(label=_("Format"), choices=ReportRequest.Format.choices, initial="pdf")

    def __init__(self, *args: Any, regions: list[Region], today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.regions = {region.code: region for region in regions}
        self.today = today
        self.fields["region"].choices = [(r.code, f"{r.name} ({r.code})") for r in regions]  # type: ignore[attr-defined]
        if regions:
            self.fields["region"].initial = regions[0].code
        self.fields["year"].initial = today.year
        self.fields["quarter"].initial = (today.month - 1) // 3 + 1

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        span, year, quarter = cleaned.get("span"), cleaned.get("year"), cleaned.get("quarter")
        start, end = cleaned.get("start"), cleaned.get("end")
        if span in ("quarter", "year") and not year:
            self.add_error("year", _("Give the year."))
        elif span == "quarter" and not quarter:
            self.add_error("quarter", _("Choose the quarter."))
        elif span == "quarter" and year and quarter:
            start = dt.date(year, 3 * quarter - 2, 1)
            end = month_end(dt.date(year, 3 * quarter, 1))
        elif span == "year" and year:
            start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        elif span == "range" and not (start and end):
            self.add_error("start" if not start else "end", _("Give both dates of the period."))
        if start and end and start > end:
            self.add_error("end", _("The period must start before it ends."))
        as_of = cleaned.get("as_of")
        if start and end and not self.errors:
            as_of = as_of or min(end, self.today)
            if as_of < start:
                self.add_error("as_of", _("The date of the figures cannot come before the period starts."))
            cleaned["period"] = Period(start, end)
            cleaned["as_of"] = as_of
        if cleaned.get("region"):
            cleaned["region"] = self.regions[cleaned["region"]]
        return cleaned
