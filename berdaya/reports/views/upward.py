"""Reports upward: choose a report, region, period and date; the request's page (progress while the task worker
makes a large one) and the download. docs/reports.md "Reports upward"."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from berdaya.accounts.models import User
from berdaya.lib.files import protected_file_response
from berdaya.lib.http import AuthedRequest
from berdaya.regions.models import Region

from .. import upward
from ..forms import UpwardForm
from ..models import ReportRequest


def _allowed(request: AuthedRequest) -> None:
    if not upward.may_report(request.user):
        raise PermissionDenied


def _regions(user: User) -> list[Region]:
    """The regions a report may cover: the user's own and those below it, down to the kecamatan."""
    return list(Region.objects.visible_to(user).filter(level__lte=Region.Level.KECAMATAN).order_by("level", "code"))


def upward_list(request: AuthedRequest) -> HttpResponse:
    """The form, and the user's requests (an Admin Dinas: those of its region)."""
    _allowed(request)
    form = UpwardForm(request.POST or None, regions=_regions(request.user), today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            wanted = upward.request_report(
                by=request.user,
                kind=data["kind"],
                region=data["region"],
                period=data["period"],
                as_of=data["as_of"],
                fmt=data["fmt"],
            )
        except upward.ReportError as error:
            form.add_error(None, error.message)
        else:
            return redirect(wanted)
    requests = ReportRequest.objects.seen_by(request.user).select_related("region", "requested_by")[:50]
    return render(request, "reports/upward.html", {"form": form, "requests": requests})


def _request(request: AuthedRequest, pk: int) -> ReportRequest:
    _allowed(request)
    return get_object_or_404(ReportRequest.objects.seen_by(request.user).select_related("region"), pk=pk)


def upward_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    wanted = _request(request, pk)
    return render(request, "reports/upward_detail.html", {"wanted": wanted})


def upward_progress(request: AuthedRequest, pk: int) -> HttpResponse:
    """The fragment the request's page polls every second while the report is being made."""
    wanted = _request(request, pk)
    response = render(request, "reports/_upward_progress.html", {"wanted": wanted})
    if not wanted.is_running and request.htmx:
        response["HX-Refresh"] = "true"  # finished: reload the page once, to show the download
    return response


def upward_download(request: AuthedRequest, pk: int) -> HttpResponseBase:
    wanted = _request(request, pk)
    if not wanted.is_done:
        return HttpResponse(status=404)
    return protected_file_response(wanted.file, filename=upward.file_name(wanted), as_attachment=True)
