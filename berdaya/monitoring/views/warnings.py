"""Early warnings: the list of open warnings in the user's scope, one warning with its evidence, marking it handled."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from berdaya.groups.models import Kube
from berdaya.groups.selectors import kecamatan_for
from berdaya.lib.actions import act
from berdaya.lib.history import record_history
from berdaya.lib.http import AuthedRequest, query_id
from berdaya.monitoring.models import EarlyWarning
from berdaya.monitoring.warnings import WarningFilter, handle_warning, open_warnings

PER_PAGE = 50


class HandleForm(forms.Form):
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


def _flag(request: AuthedRequest, name: str) -> bool:
    return request.GET.get(name, "") not in ("", "0")


@permission_required("monitoring.view_earlywarning", raise_exception=True)
def warning_list(request: AuthedRequest) -> HttpResponse:
    filters = WarningFilter(
        kind=request.GET.get("kind", ""),
        kecamatan=request.GET.get("kecamatan", ""),
        kube=query_id(request, "kube"),
        mine=_flag(request, "mine"),
        unassigned=_flag(request, "unassigned"),
        escalated=_flag(request, "escalated"),
    )
    warnings = open_warnings(user=request.user, filters=filters)
    page = Paginator(warnings, PER_PAGE).get_page(request.GET.get("page"))
    kube = Kube.objects.visible_to(request.user).filter(pk=filters.kube).first() if filters.kube else None
    context = {
        "page": page,
        "warnings": page.object_list,
        "filters": filters,
        "kinds": EarlyWarning.Kind.choices,
        "kecamatan_options": [] if request.user.is_facilitator else kecamatan_for(user=request.user),
        "kube": kube,
        "today": timezone.localdate(),
    }
    return render(request, "monitoring/warning_list.html", context)


def _warning(request: AuthedRequest, pk: int) -> EarlyWarning:
    warnings = EarlyWarning.objects.visible_to(request.user).select_related(
        "kube__village", "responsible", "handled_by"
    )
    return get_object_or_404(warnings, pk=pk)


@permission_required("monitoring.view_earlywarning", raise_exception=True)
def warning_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    warning = _warning(request, pk)
    earlier = (
        EarlyWarning.objects.visible_to(request.user)
        .filter(kube_id=warning.kube_id, kind=warning.kind)
        .exclude(pk=warning.pk)
        .select_related("handled_by")
        .order_by("-raised_on", "-pk")[:20]
    )
    can_handle = warning.is_open and request.user.has_perm("monitoring.change_earlywarning")
    context: dict[str, Any] = {
        "warning": warning,
        "kube": warning.kube,
        "earlier": earlier,
        "handle_form": HandleForm() if can_handle else None,
        "history": record_history(warning) if request.user.has_perm("accounts.view_history") else None,
    }
    return render(request, "monitoring/warning_detail.html", context)


@require_POST
@permission_required("monitoring.change_earlywarning", raise_exception=True)
def warning_handle(request: AuthedRequest, pk: int) -> HttpResponse:
    warning = _warning(request, pk)
    return act(
        request,
        handle_warning,
        form=HandleForm(request.POST),
        back=warning,
        success=_("Warning marked handled."),
        warning=warning,
    )
