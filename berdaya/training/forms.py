"""Input shapes of the training pages; the rules live in services.py."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from berdaya.groups.models import Kube
from berdaya.lib.fields import RecordsChoiceField
from berdaya.regions.models import Region

from .models import Participant, Training

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
    kubes = RecordsChoiceField(label=_("Groups"), queryset=Kube.objects.none(), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, kubes: QuerySet[Kube], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kubes"].queryset = kubes  # type: ignore[attr-defined]


class AttendanceForm(forms.Form):
    """Who came and the skills each gained: a checkbox and a skills field per participant (the page's table).

    Its cleaned data are services.record_attendance's arguments; a skills field left out keeps what was recorded.
    """

    def __init__(self, *args: Any, participants: Sequence[Participant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.participants = participants
        self.fields["attended"] = forms.TypedMultipleChoiceField(
            choices=[(p.membership_id, str(p.membership_id)) for p in participants], coerce=int, required=False
        )
        for participant in participants:
            self.fields[self.skills_name(participant)] = forms.CharField(
                label=_("Skills gained"), max_length=255, required=False
            )

    @staticmethod
    def skills_name(participant: Participant) -> str:
        return f"skills-{participant.membership_id}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        present = set(data.get("attended", []))
        return {
            "attended": [p.membership for p in self.participants if p.membership_id in present],
            "skills": {
                p.membership_id: data[self.skills_name(p)]
                for p in self.participants
                if self.skills_name(p) in self.data and self.skills_name(p) in data
            },
        }
