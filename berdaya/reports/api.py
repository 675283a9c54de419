"""Reports upward over the API: the recap per kecamatan, the SPM indicator, the full group list and the programme
report of a region as JSON or CSV, for a province that pulls every regency's figures on a schedule.

Each is the very `Report` the reports page writes as XLSX or PDF (`upward.build`, over `figures.breakdown`), for the
same region, period and "as of" date and the same caller's scope: only its writing differs. docs/api.md "Bulk
exchange".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from berdaya.lib.api import CSV_ALSO, ApiError, ErrorOut, FormatParam, get_visible, wants_csv
from berdaya.lib.exports import csv_response
from berdaya.lib.http import AuthedRequest
from berdaya.regions.models import Region

from . import upward
from .forms import UpwardForm
from .models import ReportRequest

router = Router(tags=["reports"])

Cell = int | Decimal | str | dt.date | None


class ColumnOut(Schema):
    label: str
    # text, count, rupiah (whole Rupiah), percent, decimal, date, id, or mixed (the summary: each row's own unit)
    unit: str


class SectionOut(Schema):
    key: str
    title: str
    note: str
    columns: list[ColumnOut]
    rows: list[list[Cell]]
    total: list[Cell] | None
    row_units: list[str]


class ReportOut(Schema):
    kind: str
    title: str
    region: str
    region_name: str
    period_start: dt.date
    period_end: dt.date
    as_of: dt.date
    sections: list[SectionOut]


class PeriodIn(Schema):
    """The reports page's period: a year, a quarter of a year, or two dates; and the date of the figures."""

    span: Literal["year", "quarter", "range"] = "year"
    year: int | None = None
    quarter: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    as_of: dt.date | None = None
    section: str = ""


PeriodParams = Annotated[PeriodIn, Query()]

RESPONSES = {200: ReportOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
SECTION_HELP = (
    " Parameters as on the reports page: `span` (year, quarter or range) with `year`, `quarter` (1-4) or `start` and"
    " `end`; `as_of` (empty: the period's last day, or today if earlier). With `format=csv`, one section (`section`,"
    " by its key; the first by default) as a CSV table, its total last."
)


def _report(
    request: AuthedRequest, kind: str, code: str, params: PeriodIn, fmt: str | None
) -> ReportOut | HttpResponseBase:
    if not upward.may_report(request.user):  # the reports page's rule (it asks groups.view_kube too)
        raise ApiError(403, "forbidden", _("Your role may not do this."))
    region = get_visible(Region.objects.visible_to(request.user), code)
    year = params.year if params.year is not None or params.span == "range" else timezone.localdate().year
    data = {
        "kind": kind,
        "region": region.code,
        "span": params.span,
        "year": year,
        "quarter": params.quarter,
        "start": params.start,
        "end": params.end,
        "as_of": params.as_of,
        "fmt": ReportRequest.Format.XLSX,
    }
    form = UpwardForm(data, regions=[region], today=timezone.localdate())
    if not form.is_valid():
        fields = {name: [str(message) for message in messages] for name, messages in form.errors.items()}
        raise ApiError(422, "invalid", _("Some values are not valid: see the fields."), fields=fields)
    report = upward.build(
        kind=kind, user=request.user, root=region, period=form.cleaned_data["period"], as_of=form.cleaned_data["as_of"]
    )
    if wants_csv(request, fmt):
        return _csv(report, params.section)
    return ReportOut(
        kind=report.kind,
        title=report.title,
        region=region.code,
        region_name=region.name,
        period_start=report.period.start,
        period_end=report.period.end,
        as_of=report.as_of,
        sections=[
            SectionOut(
                key=section.key,
                title=section.title,
                note=section.note,
                columns=[ColumnOut(label=column.label, unit=column.unit) for column in section.columns],
                rows=section.rows,
                total=section.total,
                row_units=section.row_units,
            )
            for section in report.sections
        ],
    )


def _csv(report: upward.Report, key: str) -> HttpResponseBase:
    """One section of the report as a CSV table: its column labels, its rows and its total."""
    sections = {section.key: section for section in report.sections}
    section = sections.get(key) if key else report.sections[0]
    if section is None:
        message = _("This report has the sections: %(keys)s.") % {"keys": ", ".join(sections)}
        raise ApiError(422, "invalid", _("Some values are not valid: see the fields."), fields={"section": [message]})
    rows = [*section.rows, *([section.total] if section.total else [])]
    name = f"laporan-{report.kind}-{section.key}-{report.region.code}-{report.as_of:%Y%m%d}.csv"
    return csv_response(name, [column.label for column in section.columns], rows)


@router.get(
    "/regions/{code}/recap",
    response=RESPONSES,
    openapi_extra=CSV_ALSO,
    operation_id="reports_recap",
    summary="Recap per kecamatan (every dashboard indicator)",
    description="Every dashboard indicator of the region, one row per region below it and the total." + SECTION_HELP,
)
def recap(request: AuthedRequest, code: str, params: PeriodParams, fmt: FormatParam = None) -> object:
    return _report(request, ReportRequest.Kind.RECAP, code, params, fmt)


@router.get(
    "/regions/{code}/spm",
    response=RESPONSES,
    openapi_extra=CSV_ALSO,
    operation_id="reports_spm",
    summary="The SPM indicator: poor households empowered through KUBE",
    description="Per region below the region and in total: poor households and those in a KUBE." + SECTION_HELP,
)
def spm(request: AuthedRequest, code: str, params: PeriodParams, fmt: FormatParam = None) -> object:
    return _report(request, ReportRequest.Kind.SPM, code, params, fmt)


@router.get(
    "/regions/{code}/groups",
    response=RESPONSES,
    openapi_extra=CSV_ALSO,
    operation_id="reports_groups",
    summary="The full group list",
    description="Every KUBE of your scope in the region that existed on the date, with its figures." + SECTION_HELP,
)
def groups(request: AuthedRequest, code: str, params: PeriodParams, fmt: FormatParam = None) -> object:
    return _report(request, ReportRequest.Kind.GROUPS, code, params, fmt)


@router.get(
    "/regions/{code}/programme",
    response=RESPONSES,
    openapi_extra=CSV_ALSO,
    operation_id="reports_programme",
    summary="The programme report's figures",
    description="The quarterly or annual programme report, section by section (summary, per kecamatan, cycles, aid, "
    "levels, scorecard, problems, facilitators)." + SECTION_HELP,
)
def programme(request: AuthedRequest, code: str, params: PeriodParams, fmt: FormatParam = None) -> object:
    return _report(request, ReportRequest.Kind.PROGRAMME, code, params, fmt)
