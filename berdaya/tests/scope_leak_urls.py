"""A URLconf for the tests that prove the scope matrix catches a leak: Berdaya's URLs plus unscoped pages."""

from __future__ import annotations

import io

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import include, path
from openpyxl import Workbook

from berdaya.business.models import MarketEvent
from berdaya.groups.models import Kube


def unscoped_kube(request: HttpRequest, pk: int) -> HttpResponse:
    """The mistake the matrix exists for: a record found without `visible_to`."""
    return HttpResponse(get_object_or_404(Kube.objects.all(), pk=pk).name)


def unscoped_kube_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse(", ".join(Kube.objects.values_list("name", flat=True)))


def unscoped_kube_xlsx(request: HttpRequest) -> HttpResponse:
    """An export whose names are only readable once the workbook is opened."""
    workbook = Workbook()
    for name in Kube.objects.values_list("name", flat=True):
        workbook.active.append([name])
    out = io.BytesIO()
    workbook.save(out)
    return HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def unscoped_event_stands(request: HttpRequest, pk: int) -> HttpResponse:
    """The market-events leak: a shared record found in scope, whose rows are then listed without it."""
    event = get_object_or_404(MarketEvent.objects.visible_to(request.user), pk=pk)
    return HttpResponse(", ".join(stand.kube.name for stand in event.participations.all()))


urlpatterns = [
    path("", include("berdaya.urls")),
    path("leak/<int:pk>/", unscoped_kube, name="leak-kube"),
    path("leak/", unscoped_kube_list, name="leak-kube-list"),
    path("leak/kube.xlsx", unscoped_kube_xlsx, name="leak-kube-xlsx"),
    path("leak/event/<int:pk>/", unscoped_event_stands, name="leak-event-stands"),
]
