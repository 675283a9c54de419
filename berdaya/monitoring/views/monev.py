"""Pages of the Dinas's monev visits: the due list, the form, a visit and its photos, a group's monev history."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from berdaya.groups.models import Kube
from berdaya.lib.actions import perform
from berdaya.lib.files import protected_file_response
from berdaya.lib.history import record_history
from berdaya.lib.http import AuthedRequest
from berdaya.lib.middleware import allows_devices
from berdaya.mentoring.forms import EnvironmentForm
from berdaya.monitoring import monev
from berdaya.monitoring.forms import MonevForm
from berdaya.monitoring.models import MonevPhoto, MonevVisit
from berdaya.regions.models import Region

PAGE_SIZE = 50


@permission_required("monitoring.add_monevvisit", raise_exception=True)
def monev_due(request: AuthedRequest) -> HttpResponse:
    """The running groups in scope and their next monev, overdue first; filter by kecamatan."""
    today = timezone.localdate()
    kecamatan_options = Region.objects.visible_to(request.user).filter(level=Region.Level.KECAMATAN).order_by("name")
    chosen = kecamatan_options.filter(code=request.GET.get("kecamatan", "")).first()
    rows = monev.monev_due(user=request.user, today=today, kecamatan=chosen.code if chosen else "")
    context = {
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "today": today,
        "kecamatan_options": kecamatan_options,
        "kecamatan": chosen.code if chosen else "",
        "holding": sum(1 for row in rows if row.due.holds_stage is not None),
        "overdue": sum(1 for row in rows if row.due.is_due(today)),
    }
    return render(request, "monitoring/monev_due.html", context)


@permission_required("monitoring.add_monevvisit", raise_exception=True)
@allows_devices("camera", "geolocation")  # photos of the visit, and where it took place
def monev_create(request: AuthedRequest, pk: int) -> HttpResponse:
    """The monev form: checklist by effort, findings, verdict, photos and GPS, and the bina lingkungan section.
    Like a facilitator's visit, it may be filled without signal: the phone's outbox posts it to the API later."""
    kube = get_object_or_404(Kube.objects.visible_to(request.user).select_related("village__parent"), pk=pk)
    due = monev.due_for(kube)
    questions = monev.checklist()
    form = MonevForm(request.POST or None, request.FILES or None, questions=questions, initial={"kind": due.kind})
    # The bina lingkungan section, the same as in the facilitator's visit form; left blank, it records nothing.
    environment = EnvironmentForm(request.POST or None, prefix="env", kube=kube)
    if request.method == "POST":
        with_environment = environment.has_data()
        if form.is_valid() and (not with_environment or environment.is_valid()):
            data = {**form.cleaned_data, "environment": environment.cleaned_data if with_environment else None}
            if recorded := perform(request, monev.record_monev, form=form, data=data, kube=kube):
                messages.success(request, _("Monev recorded."))
                return redirect(recorded.value)
    context = {"kube": kube, "form": form, "environment": environment, "due": due}
    return render(request, "monitoring/monev_form.html", context)


@permission_required("monitoring.view_monevvisit", raise_exception=True)
def monev_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    visit = get_object_or_404(
        MonevVisit.objects.visible_to(request.user).select_related("kube__village__parent", "by", "environment"),
        pk=pk,
    )
    context: dict[str, Any] = {
        "monev": visit,
        "kube": visit.kube,
        "sections": monev.answered(visit),
        "photos": visit.photos.all(),
        "environment": visit.environment,
        "history": record_history(visit) if request.user.has_perm("accounts.view_history") else None,
    }
    return render(request, "monitoring/monev_detail.html", context)


@permission_required("monitoring.view_monevvisit", raise_exception=True)
def monev_photo(request: AuthedRequest, pk: int) -> HttpResponseBase:
    stored = get_object_or_404(MonevPhoto.objects.visible_to(request.user), pk=pk)
    return protected_file_response(stored.image)


@permission_required("monitoring.view_monevvisit", raise_exception=True)
def monev_list(request: AuthedRequest, pk: int) -> HttpResponse:
    """A group's monev history, newest first."""
    kube = get_object_or_404(Kube.objects.visible_to(request.user).select_related("village__parent"), pk=pk)
    monevs = MonevVisit.objects.visible_to(request.user).filter(kube=kube).select_related("by")
    context = {"kube": kube, "monevs": monevs, "due": monev.due_for(kube)}
    return render(request, "monitoring/monev_list.html", context)
