"""A URLconf for the test that proves the scope matrix catches a leak: Berdaya's URLs plus two unscoped pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import include, path

from berdaya.groups.models import Kube


def unscoped_kube(request: HttpRequest, pk: int) -> HttpResponse:
    """The mistake the matrix exists for: a record found without `visible_to`."""
    return HttpResponse(get_object_or_404(Kube.objects.all(), pk=pk).name)


def unscoped_kube_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse(", ".join(Kube.objects.values_list("name", flat=True)))


urlpatterns = [
    path("", include("berdaya.urls")),
    path("leak/<int:pk>/", unscoped_kube, name="leak-kube"),
    path("leak/", unscoped_kube_list, name="leak-kube-list"),
]
