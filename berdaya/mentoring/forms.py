"""Input shapes of the mentoring pages, kept short for a phone; the rules live in services.py."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from berdaya.groups.models import Kube, Membership

from .models import FacilitatorProfile, MonthlyReport, Problem

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MemberCheckboxes(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.person.name)


def _members(kube: Kube) -> Any:
    return kube.memberships.current().select_related("person").order_by("person__name")


MAX_PHOTOS_PER_VISIT = 5


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos from one file input (Django's documented pattern for multiple uploads)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultiplePhotoInput(attrs={"accept": "image/*", "capture": "environment", "multiple": True})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = [file for file in (data if isinstance(data, list | tuple) else [data]) if file]
        if len(files) > MAX_PHOTOS_PER_VISIT:
            raise forms.ValidationError(
                _("At most %(count)d photos per visit.") % {"count": MAX_PHOTOS_PER_VISIT}, code="too_many"
            )
        return [super(PhotosField, self).clean(file, initial) for file in files]


class SentOnceForm(forms.Form):
    """A form filled in the field: its key, new each time the form is shown (and each time the phone starts a report
    without signal), makes a report sent twice be stored once."""

    client_key = forms.UUIDField(required=False, widget=forms.HiddenInput, initial=uuid.uuid4)


class VisitForm(SentOnceForm):
    visited_on = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    topics = forms.CharField(label=_("Topics discussed"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    attendees = MemberCheckboxes(
        label=_("Members present"),
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photo = PhotosField(label=_("Photos"), required=False)
    follow_up = forms.CharField(label=_("Follow-up action"), max_length=255, required=False)
    follow_up_due = forms.DateField(label=_("Follow-up due on"), widget=DATE, required=False)
    latitude = forms.DecimalField(
        label=_("Latitude"),
        max_digits=9,
        decimal_places=6,
        required=False,
        widget=forms.NumberInput(attrs={"data-position": "latitude", "step": "any"}),
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        max_digits=9,
        decimal_places=6,
        required=False,
        widget=forms.NumberInput(attrs={"data-position": "longitude", "step": "any"}),
    )

    def __init__(self, *args: Any, kube: Kube, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = _members(kube)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        """The service's arguments (services.record_visit): the photos, and the follow-up as a list of actions."""
        data = super().clean() or {}
        if data.get("follow_up") and not data.get("follow_up_due"):
            self.add_error("follow_up_due", _("When is the follow-up due?"))
        action, due_on = data.pop("follow_up", ""), data.pop("follow_up_due", None)
        data["follow_ups"] = [(action, due_on)] if action else []
        data["photos"] = data.pop("photo", [])
        data["attendees"] = list(data.get("attendees", []))
        return data


class MeetingForm(SentOnceForm):
    held_on = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    agenda = forms.CharField(label=_("Agenda"), max_length=255)
    attendees = MemberCheckboxes(
        label=_("Members present"),
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    decisions = forms.CharField(label=_("Decisions"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    minutes = forms.CharField(label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, kube: Kube, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = _members(kube)  # type: ignore[attr-defined]


class ProblemForm(SentOnceForm):
    reported_on = forms.DateField(label=_("Noticed on"), widget=DATE, initial=timezone.localdate)
    origin = forms.ChoiceField(label=_("Internal or external"), choices=Problem.Origin.choices)
    category = forms.ChoiceField(label=_("Category"), choices=Problem.Category.choices)
    severity = forms.TypedChoiceField(
        label=_("Severity"), choices=Problem.Severity.choices, coerce=int, initial=Problem.Severity.MEDIUM
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))
    handler = forms.CharField(label=_("Handled by"), max_length=150, required=False)


class ProblemUpdateForm(forms.Form):
    handler = forms.CharField(label=_("Handled by"), max_length=150, required=False)
    severity = forms.TypedChoiceField(label=_("Severity"), choices=Problem.Severity.choices, coerce=int)
    steps = forms.CharField(label=_("Steps taken"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ResolveForm(forms.Form):
    resolved_on = forms.DateField(label=_("Resolved on"), widget=DATE, initial=timezone.localdate)
    steps = forms.CharField(label=_("How it was solved"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class EscalateForm(forms.Form):
    note = forms.CharField(label=_("What help is needed from the Dinas"), widget=forms.Textarea(attrs={"rows": 2}))


class ReportTextForm(forms.ModelForm[MonthlyReport]):
    class Meta:
        model = MonthlyReport
        fields = ["narrative", "next_plan"]
        widgets = {"narrative": forms.Textarea(attrs={"rows": 6}), "next_plan": forms.Textarea(attrs={"rows": 4})}


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("Note to the facilitator"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MonthForm(forms.Form):
    month = forms.DateField(label=_("Month"), widget=forms.DateInput(attrs={"type": "month"}), input_formats=["%Y-%m"])


class ProfileForm(forms.ModelForm[FacilitatorProfile]):
    class Meta:
        model = FacilitatorProfile
        fields = ["education", "started_on", "areas", "notes"]
        widgets = {"started_on": DATE, "notes": forms.Textarea(attrs={"rows": 3})}
