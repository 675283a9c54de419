"""Input shapes of the monev and settings pages; the rules live in monev.py and configuration.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from berdaya.mentoring.forms import DATE, PhotosField, SentOnceForm

from .models import Bina, MonevQuestion, MonevVisit
from .rules import SETTINGS, Rules

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _position(label: Any, name: str) -> forms.DecimalField:
    # data-position: filled from the phone by mentoring/position.js, as on the facilitator's visit form.
    return forms.DecimalField(
        label=label,
        max_digits=9,
        decimal_places=6,
        required=False,
        widget=forms.NumberInput(attrs={"data-position": name, "step": "any"}),
    )


class MonevForm(SentOnceForm):
    """The monev visit: kind, date, the checklist by effort (one yes/no per question in use), findings, verdict,
    photos and the GPS position. `clean` gives the arguments of monev.record_monev."""

    kind = forms.ChoiceField(label=_("Kind of monev"), choices=MonevVisit.Kind.choices)
    visited_on = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 4}))
    recommendation = forms.CharField(
        label=_("Recommendation"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    verdict = forms.ChoiceField(label=_("Verdict"), choices=MonevVisit.Verdict.choices, widget=forms.RadioSelect)
    photo = PhotosField(label=_("Photos"), required=False)
    latitude = _position(_("Latitude"), "latitude")
    longitude = _position(_("Longitude"), "longitude")

    def __init__(self, *args: Any, questions: dict[str, list[MonevQuestion]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for items in questions.values():
            for question in items:
                self.fields[self.field_name(question)] = forms.ChoiceField(
                    label=question.text, choices=YES_NO, required=False, widget=forms.RadioSelect
                )

    @staticmethod
    def field_name(question: MonevQuestion) -> str:
        return f"q_{question.code}"

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The checklist's fields by effort, for the template."""
        labels = dict(Bina.choices)
        return [
            (str(labels[bina]), [self[self.field_name(question)] for question in items])
            for bina, items in self.questions.items()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        answers = {}
        for items in self.questions.values():
            for question in items:
                value = data.pop(self.field_name(question), "")
                if value:  # an item left unanswered is not stored
                    answers[question.code] = value == "yes"
        data["answers"] = answers
        data["photos"] = data.pop("photo", [])
        return data


class RuleSetForm(forms.Form):
    """A new version of the regency's rules: one number per setting of rules.SETTINGS, its date and why."""

    effective_from = forms.DateField(label=_("In force from"), widget=DATE)
    note = forms.CharField(label=_("What changed and why"), max_length=255)

    def __init__(self, *args: Any, rules: Rules, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for setting in SETTINGS:
            self.fields[setting.key] = forms.IntegerField(
                label=str(setting.label),
                min_value=setting.minimum,
                max_value=setting.maximum,
                initial=rules[setting.key],
                help_text=str(setting.unit),
            )
        # The first day of next month: a new version usually starts a month.
        self.fields["effective_from"].initial = (timezone.localdate().replace(day=1) + dt.timedelta(days=32)).replace(
            day=1
        )

    def clean(self) -> dict[str, Any]:
        """The arguments of configuration.add_rule_set: the values apart from the date and the note."""
        data = super().clean() or {}
        data["values"] = {setting.key: data.pop(setting.key) for setting in SETTINGS if setting.key in data}
        return data


class ChecklistItemForm(forms.Form):
    """A monev question or an environmental practice: its text and place in the list."""

    text = forms.CharField(label=_("Text"), max_length=255)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767, initial=0)


class QuestionAddForm(ChecklistItemForm):
    bina = forms.ChoiceField(label=_("Effort"), choices=Bina.choices)
