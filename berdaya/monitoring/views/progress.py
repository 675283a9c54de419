"""The group's Perkembangan tab (level, reasons, scorecard, trends, warnings, monev), its manual level, and the
monitoring roll-ups of the user's scope."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from berdaya.groups.models import Kube
from berdaya.lib.actions import act
from berdaya.lib.confirm import Confirmation
from berdaya.lib.http import AuthedRequest
from berdaya.lib.scoping import can_see_region
from berdaya.monitoring import levels
from berdaya.monitoring.models import Bina, Level, ManualLevel
from berdaya.monitoring.progress import (
    BY_CYCLE,
    BY_REGION,
    SCORE_KEYS,
    kube_progress,
    monitoring_overview,
    parse_month,
)
from berdaya.regions.models import Region

VIEW = "monitoring.view_levelsnapshot"
SET_LEVEL = "monitoring.set_level"


class ManualLevelForm(forms.Form):
    level = forms.TypedChoiceField(label=gettext_lazy("Level"), choices=Level.choices, coerce=int)
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Why the computed level does not fit: kept in the group's history."),
    )


class EndManualLevelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


def _kube(request: AuthedRequest, pk: int) -> Kube:
    return get_object_or_404(
        Kube.objects.visible_to(request.user).select_related("cycle", "village__parent", "facilitator"), pk=pk
    )


def _tab(kube: Kube) -> str:
    return reverse("monitoring:kube-progress", args=[kube.pk])


@permission_required(VIEW, raise_exception=True)
def kube_progress_page(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    progress = kube_progress(kube=kube, user=request.user, month=parse_month(request.GET.get("month")))
    can_set = progress.is_current and request.user.has_perm(SET_LEVEL)
    context = {
        "kube": kube,
        "p": progress,
        "efforts": [(Bina(key).label, key) for key in Bina.values],
        "level_choices": Level.choices,
        "level_form": ManualLevelForm(initial={"level": progress.computed_level}) if can_set else None,
        "end_form": EndManualLevelForm() if can_set and progress.manual else None,
    }
    return render(request, "monitoring/progress.html", context)


@require_POST
@permission_required(SET_LEVEL, raise_exception=True)
def kube_level(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    form = ManualLevelForm(request.POST)
    return act(
        request,
        levels.set_manual_level,
        back=_tab(kube),
        form=form,
        confirm=lambda: _set_confirmation(kube, form),
        success=_("The level was set by hand."),
        kube=kube,
    )


def _set_confirmation(kube: Kube, form: ManualLevelForm) -> Confirmation | None:
    reason = form.cleaned_data["reason"].strip()
    if not reason:
        return None  # the service says a reason is needed
    level = Level(form.cleaned_data["level"])
    return Confirmation(
        title=_("Set the level of %(kube)s by hand?") % {"kube": kube.name},
        effects=[
            _(
                "%(kube)s will be shown at level %(level)s from today, whatever the indicators say, until the level is "
                "returned to the computed one."
            )
            % {"kube": kube.name, "level": level.label},
            _("The computed level stays visible beside it, and the monthly snapshots record both."),
        ],
        quote=reason,
        quote_label=_("Reason"),
        final=_("The manual level, its reason and who set it are kept in the group's history."),
        button=_("Set the level"),
    )


@require_POST
@permission_required(SET_LEVEL, raise_exception=True)
def kube_level_end(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    form = EndManualLevelForm(request.POST)
    return act(
        request,
        levels.end_manual_level,
        back=_tab(kube),
        form=form,
        confirm=lambda: _end_confirmation(kube, form),
        success=_("The group is back at its computed level."),
        kube=kube,
    )


def _end_confirmation(kube: Kube, form: EndManualLevelForm) -> Confirmation | None:
    manual = ManualLevel.objects.filter(kube=kube, ended_on__isnull=True).first()
    if manual is None or not form.cleaned_data["reason"].strip():
        return None  # nothing to end, or no reason: the service says so
    return Confirmation(
        title=_("Return %(kube)s to its computed level?") % {"kube": kube.name},
        effects=[
            _("The level %(level)s set by hand ends today; the group is shown at the level its indicators give.")
            % {"level": Level(manual.level).label}
        ],
        quote=form.cleaned_data["reason"],
        quote_label=_("Reason"),
        final=_("The manual level stays in the group's history."),
        button=_("Return to the computed level"),
    )


@permission_required(VIEW, raise_exception=True)
def overview(request: AuthedRequest) -> HttpResponse:
    code = request.GET.get("region") or ""
    root = None
    if code:
        if not can_see_region(request.user, code):
            raise Http404
        root = get_object_or_404(Region.objects.visible_to(request.user), code=code)
    by = BY_CYCLE if request.GET.get("by") == BY_CYCLE else BY_REGION
    data = monitoring_overview(user=request.user, root=root, month=parse_month(request.GET.get("month")), by=by)
    context = {
        "o": data,
        "level_labels": Level.labels,
        "score_labels": [Bina(key).label if key in Bina.values else _("Total") for key in SCORE_KEYS],
    }
    return render(request, "monitoring/overview.html", context)
