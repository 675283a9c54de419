"""Input shapes of the group pages; the programme's rules live in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from berdaya.accounts.models import User
from berdaya.lib.fields import RecordsChoiceField
from berdaya.lib.text import NameField
from berdaya.regions.models import Region
from berdaya.targeting.models import Nominee

from .models import Kube, Membership

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NomineeChoiceField(RecordsChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.nomination_list.village.name}"


class KubeCreateForm(forms.Form):
    name = NameField(label=_("Group name"), max_length=100)
    sector = forms.ChoiceField(label=_("Business sector"), choices=Kube.Sector.choices)
    business_type = forms.CharField(label=_("Business type"), max_length=100, required=False)
    village = forms.ModelChoiceField(label=_("Village"), queryset=Region.objects.none())
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    facilitator = forms.ModelChoiceField(label=_("Facilitator"), queryset=User.objects.none(), required=False)
    nominees = NomineeChoiceField(
        label=_("Members (approved nominees)"), queryset=Nominee.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self,
        *args: Any,
        villages: QuerySet[Region],
        nominees: QuerySet[Nominee],
        facilitators: QuerySet[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages  # type: ignore[attr-defined]
        self.fields["nominees"].queryset = nominees  # type: ignore[attr-defined]
        self.fields["facilitator"].queryset = facilitators  # type: ignore[attr-defined]


class KubeProfileForm(forms.ModelForm[Kube]):
    signboard = forms.FileField(label=_("Signboard photo"), required=False)

    class Meta:
        model = Kube
        fields = [
            "name",
            "sector",
            "business_type",
            "address",
            "formed_on",
            "formation_minutes",
            "bank_name",
            "bank_account_number",
            "bank_account_holder",
            "has_stamp",
        ]
        widgets = {"formed_on": DATE, "formation_minutes": forms.Textarea(attrs={"rows": 4})}
        field_classes = {"name": NameField, "bank_account_holder": NameField}


class KubeRulesForm(forms.ModelForm[Kube]):
    class Meta:
        model = Kube
        fields = ["rules_text", "share_capital", "share_members", "share_iks"]
        widgets = {"rules_text": forms.Textarea(attrs={"rows": 8})}


class MembershipChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.person.name)


class OfficersForm(forms.Form):
    chair = MembershipChoiceField(label=_("Ketua"), queryset=Membership.objects.none())
    secretary = MembershipChoiceField(label=_("Sekretaris"), queryset=Membership.objects.none())
    treasurer = MembershipChoiceField(label=_("Bendahara"), queryset=Membership.objects.none())

    def __init__(self, *args: Any, kube: Kube, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The form accepts any member of the cycle's groups; the service says whether it is one of this group's.
        members = Membership.objects.filter(kube__cycle=kube.cycle).select_related("person")
        current = {m.role: m.pk for m in kube.memberships.current() if m.is_officer}
        for name, role in (("chair", "chair"), ("secretary", "secretary"), ("treasurer", "treasurer")):
            field = self.fields[name]
            field.queryset = members  # type: ignore[attr-defined]
            field.widget.choices = [
                ("", "---------"),
                *[(m.pk, m.person.name) for m in kube.memberships.current().select_related("person")],
            ]
            field.initial = current.get(role)


class MemberAddForm(forms.Form):
    nominee = forms.ModelChoiceField(label=_("Approved nominee"), queryset=Nominee.objects.none())

    def __init__(self, *args: Any, nominees: QuerySet[Nominee], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nominee"].queryset = nominees  # type: ignore[attr-defined]


class LeaveForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason"), max_length=255)


class ReplaceForm(LeaveForm):
    nominee = forms.ModelChoiceField(label=_("Replacement (approved nominee)"), queryset=Nominee.objects.none())

    def __init__(self, *args: Any, nominees: QuerySet[Nominee], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nominee"].queryset = nominees  # type: ignore[attr-defined]


class StatusForm(forms.Form):
    to = forms.ChoiceField(label=_("New status"))
    on = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, allowed: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(s, Kube.Status(s).label) for s in allowed]  # type: ignore[attr-defined]


class AssignForm(forms.Form):
    facilitator = forms.ModelChoiceField(label=_("Facilitator"), queryset=User.objects.none())
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args: Any, facilitators: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = facilitators  # type: ignore[attr-defined]
