"""Input shapes of the mentoring pages, kept short for a phone; the rules live in services.py."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from berdaya.groups.models import Kube, Membership
from berdaya.lib import formats
from berdaya.lib.fields import RecordsChoiceField

from .models import EnvironmentPractice, FacilitatorProfile, MonthlyReport, Problem
from .selectors import cash_book_wages

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MemberCheckboxes(RecordsChoiceField):
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


def _amount(label: StrOrPromise, help_text: StrOrPromise = "", *, most: int = 10**12 - 1) -> forms.IntegerField:
    """A count or a Rupiah amount: left blank, it is 0 (and the section may still be blank as a whole). `most` keeps
    it inside its column (a larger number would overflow it: a 500, not a message)."""
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        min_value=0,
        max_value=most,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "0"}),
    )


class EnvironmentForm(forms.Form):
    """Bina lingkungan: the practice checklist, neighbours employed, contributions and complaints.

    A section of the visit form (and of the Dinas's monev form), with the prefix "env". Every active practice of the
    checklist is asked: a box left unticked is stored as not followed. A section left blank is not a record
    (`has_data`); the cleaned data are record_environment's arguments but the group, the date and the user.
    """

    PRACTICE = "practice_"
    FIGURES = ("neighbours_employed", "neighbour_days", "neighbour_wages", "community_contribution")
    TEXTS = ("social_activities", "complaints", "notes")
    # Fields of a form built on this one that are not part of the section (its date, its key).
    OUTSIDE: frozenset[str] = frozenset()

    neighbours_employed = _amount(_("Neighbours employed (people, not members)"), most=32_767)
    neighbour_days = _amount(_("Days of work for neighbours, in all"), most=2_147_483_647)
    neighbour_wages = _amount(_("Wages paid to neighbours (Rp)"))
    social_activities = forms.CharField(
        label=_("Social activities and gotong royong"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    community_contribution = _amount(
        _("Contributions to the community (Rp)"), _("IKS money or goods given to non-members, donations.")
    )
    complaints = forms.CharField(
        label=_("Complaints from neighbours"),
        required=False,
        help_text=_("The Dinas is told of every complaint."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, data: Any = None, *, prefix: str | None = "env", kube: Kube, **kwargs: Any) -> None:
        super().__init__(data, prefix=prefix, **kwargs)
        self.kube = kube
        self.practices = list(EnvironmentPractice.objects.filter(active=True))
        checklist = {
            f"{self.PRACTICE}{practice.code}": forms.BooleanField(label=practice.text, required=False)
            for practice in self.practices
        }
        # The checklist first, then the figures, as the form is read on a phone.
        self.fields = {**checklist, **self.fields}
        wages = cash_book_wages(kube=kube, until=timezone.localdate())
        since = formats.day(wages.after) if wages.after else None
        self.fields["neighbour_wages"].help_text = (
            _("The cash book holds %(amount)s of wages (members' too) since the last record of %(day)s.")
            % {"amount": formats.rupiah(wages.amount), "day": since}
            if since
            else _("The cash book holds %(amount)s of wages (members' too) in all.")
            % {"amount": formats.rupiah(wages.amount)}
        )

    def practice_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(self.PRACTICE)]

    def other_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in self.fields if not n.startswith(self.PRACTICE) and n not in self.OUTSIDE]

    def has_data(self) -> bool:
        """Whether anything was entered in the section: a ticked practice, a figure or a text (read from the posted
        data, so that it can be asked before the form is checked)."""
        if not self.is_bound:
            return False
        for name, field in self.fields.items():
            if name in self.OUTSIDE:
                continue
            value = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            if value is True or (isinstance(value, str) and value.strip()):
                return True
        return False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        cleaned: dict[str, Any] = {
            "practices": {
                name.removeprefix(self.PRACTICE): bool(data.get(name))
                for name in self.fields
                if name.startswith(self.PRACTICE)
            }
        }
        cleaned |= {name: data.get(name) or 0 for name in self.FIGURES}
        cleaned |= {name: data.get(name, "") for name in self.TEXTS}
        cleaned |= {name: data.get(name) for name in self.OUTSIDE}
        return cleaned


class EnvironmentRecordForm(EnvironmentForm):
    """A bina lingkungan record written without a visit: the section, its date and its key (see SentOnceForm)."""

    OUTSIDE = frozenset({"recorded_on", "client_key"})

    recorded_on = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    client_key = forms.UUIDField(required=False, widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, data: Any = None, *, kube: Kube, **kwargs: Any) -> None:
        super().__init__(data, prefix=None, kube=kube, **kwargs)

    def clean(self) -> dict[str, Any]:
        if not self.has_data():
            raise forms.ValidationError(_("Nothing to record: answer the checklist or fill in a figure."))
        return super().clean()


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
        # The bina lingkungan section, posted with the visit (and by the phone's outbox, in the same form data).
        self.environment = EnvironmentForm(self.data if self.is_bound else None, prefix="env", kube=kube)

    def clean(self) -> dict[str, Any]:
        """The service's arguments (services.record_visit): the photos, the follow-up as a list of actions, and the
        bina lingkungan section when anything was entered in it."""
        data = super().clean() or {}
        data["environment"] = None
        if self.environment.has_data():
            if self.environment.is_valid():
                data["environment"] = self.environment.cleaned_data
            else:
                self.add_error(None, _("Check the bina lingkungan section."))
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
