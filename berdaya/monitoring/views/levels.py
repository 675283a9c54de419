"""Setting a group's level by hand, with the reason, and ending it (the Perkembangan tab holds the form)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from berdaya.groups.models import Kube
from berdaya.lib.actions import act
from berdaya.lib.http import AuthedRequest
from berdaya.monitoring.levels import end_manual_level, set_manual_level
from berdaya.monitoring.models import Level


class LevelForm(forms.Form):
    level = forms.TypedChoiceField(label=_("level"), choices=Level.choices, coerce=int)
    # Not required here: the service refuses a blank reason and says why, one message for every way in.
    reason = forms.CharField(label=_("reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class EndLevelForm(forms.Form):
    reason = forms.CharField(label=_("reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


@require_POST
@permission_required("monitoring.set_level", raise_exception=True)
def level_set(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = get_object_or_404(Kube.objects.visible_to(request.user), pk=pk)
    return act(
        request,
        set_manual_level,
        back=kube,
        form=LevelForm(request.POST),
        success=_("The level is set by hand; the computed level stays beside it."),
        kube=kube,
    )


@require_POST
@permission_required("monitoring.set_level", raise_exception=True)
def level_end(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = get_object_or_404(Kube.objects.visible_to(request.user), pk=pk)
    return act(
        request,
        end_manual_level,
        back=kube,
        form=EndLevelForm(request.POST),
        success=_("The level set by hand has ended; the computed level applies again."),
        kube=kube,
    )
