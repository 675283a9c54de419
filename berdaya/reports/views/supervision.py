"""Facilitator supervision: the table of facilitators (lagging first) with its CSV, and one facilitator's page."""

from __future__ import annotations

import datetime as dt
import io

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from berdaya.lib.exports import csv_response
from berdaya.lib.http import AuthedRequest
from berdaya.regions.models import Region

from .. import supervision as sv

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _month(value: str | None) -> dt.date | None:
    """A "YYYY-MM" from a month input, or None when it is not one."""
    try:
        return dt.datetime.strptime(value or "", "%Y-%m").date()  # noqa: DTZ007 (a month, no time of day)
    except ValueError:
        return None


def _filters(request: AuthedRequest) -> tuple[sv.Months, Region | None, list[Region]]:
    if not sv.may_supervise(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    period = sv.Months.of(_month(request.GET.get("from")), _month(request.GET.get("to")), today)
    options = list(Region.objects.visible_to(request.user).filter(level=Region.Level.KECAMATAN).order_by("name"))
    chosen = next((r for r in options if r.code == request.GET.get("kecamatan", "")), None)
    return period, chosen, options


@permission_required("groups.view_kube", raise_exception=True)
def supervision_list(request: AuthedRequest) -> HttpResponse | StreamingHttpResponse:
    """Every facilitator in scope for the period: visits against the target, reports, problems, warnings."""
    period, chosen, options = _filters(request)
    result = sv.supervision(user=request.user, period=period, kecamatan=chosen.code if chosen else "")
    if request.GET.get("format") == "csv":
        name = f"supervisi-{period.first:%Y-%m}-{period.last:%Y-%m}.csv"
        return csv_response(name, sv.export_header(), (sv.export_row(row) for row in result.rows))
    if request.GET.get("format") == "xlsx":
        stream = io.BytesIO()
        sv.write_xlsx(result, stream)
        response = HttpResponse(stream.getvalue(), content_type=XLSX)
        response["Content-Disposition"] = (
            f'attachment; filename="supervisi-{period.first:%Y-%m}-{period.last:%Y-%m}.xlsx"'
        )
        return response
    context = {
        "result": result,
        "period": period,
        "kecamatan_options": options if not request.user.is_facilitator else [],
        "kecamatan": chosen.code if chosen else "",
        "lagging": sum(1 for row in result.rows if row.lagging),
    }
    return render(request, "reports/supervision.html", context)


@permission_required("groups.view_kube", raise_exception=True)
def supervision_facilitator(request: AuthedRequest, pk: int) -> HttpResponse:
    """One facilitator: visits per group per month against the target, reports by month, problems, warnings."""
    period, _chosen, _options = _filters(request)
    facilitator = get_object_or_404(sv.supervisable(request.user), pk=pk)
    result = sv.supervision(user=request.user, period=period, facilitator=facilitator)
    context = {
        "result": result,
        "period": period,
        "row": result.rows[0],
        "facilitator": facilitator,
        "groups": result.groups.get(facilitator.pk, []),
        "visits": result.visits.get(facilitator.pk, []),
    }
    return render(request, "reports/supervision_facilitator.html", context)
