"""What every business page shares: the group got through visible_to, a record of that group, the group pages."""

from __future__ import annotations

from typing import TypeVar

from django.contrib.auth.decorators import permission_required
from django.db.models import Model
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from berdaya.groups.models import Kube
from berdaya.lib.http import AuthedRequest

from .. import selectors

VIEW = "business.view_cashentry"
_M = TypeVar("_M", bound=Model)


def group(request: AuthedRequest, pk: int) -> Kube:
    return get_object_or_404(
        Kube.objects.visible_to(request.user).select_related("cycle", "village", "facilitator"), pk=pk
    )


def child(request: AuthedRequest, model: type[_M], kube: Kube, pk: int) -> _M:
    """A record of the group, itself got through visible_to (a record of another group is a 404)."""
    return get_object_or_404(model._default_manager.visible_to(request.user).filter(kube=kube), pk=pk)  # type: ignore[attr-defined,no-any-return]  # every business model has a ScopedQuerySet manager


@permission_required(VIEW, raise_exception=True)
def kube_list(request: AuthedRequest) -> HttpResponse:
    return render(request, "business/kube_list.html", {"kubes": selectors.kubes_for_business(user=request.user)})


@permission_required(VIEW, raise_exception=True)
def kube_home(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = group(request, pk)
    context = {
        "kube": kube,
        "tab": "home",
        "plan": selectors.business_plan(kube=kube),
        "aid": selectors.aid_overview(kube=kube),
        "balance": selectors.cash_balance(kube=kube),
        "iks_balance": selectors.iks_balance(kube=kube),
    }
    return render(request, "business/kube_home.html", context)


@permission_required(VIEW, raise_exception=True)
def dashboard(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = group(request, pk)
    return render(
        request,
        "business/dashboard.html",
        {"kube": kube, "tab": "dashboard", "d": selectors.business_dashboard(kube=kube)},
    )
