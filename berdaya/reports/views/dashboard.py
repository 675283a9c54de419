"""The programme dashboard: the figures of the user's scope, or of a region inside it, with drill-down."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from berdaya.lib.http import AuthedRequest
from berdaya.lib.scoping import can_see_region
from berdaya.monitoring.selectors import dashboard_for
from berdaya.regions.models import Region
from berdaya.reports.dashboard import dashboard_page
from berdaya.reports.figures import Period


class FigureFilter(forms.Form):
    """The period of the flows (default: this year) and the date of the state (default: today)."""

    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    as_of = forms.DateField(label=_("As of"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The period must start before it ends."))
        return cleaned

    def chosen(self, today: dt.date) -> tuple[Period, dt.date]:
        """The period and the as-of date asked for, the defaults where nothing (valid) was asked."""
        data = self.cleaned_data if self.is_valid() else {}
        as_of = data.get("as_of") or today
        start = data.get("start") or as_of.replace(month=1, day=1)
        end = data.get("end") or as_of.replace(month=12, day=31)
        return Period(start, end), as_of


def _page(request: AuthedRequest, root: Region | None, context: dict[str, object]) -> HttpResponse:
    form = FigureFilter(request.GET or None)
    if root is not None:
        period, as_of = form.chosen(timezone.localdate())
        context["page"] = dashboard_page(user=request.user, root=root, as_of=as_of, period=period)
        if not request.GET:
            form = FigureFilter(initial={"start": period.start, "end": period.end, "as_of": as_of})
    context["form"] = form
    return render(request, "reports/dashboard.html", context)


def dashboard(request: AuthedRequest) -> HttpResponse:
    """The user's own scope, with its tasks and, for an admin, the accounts working there."""
    return _page(request, request.user.region, {"dashboard": dashboard_for(user=request.user), "own": True})


def dashboard_region(request: AuthedRequest, code: str) -> HttpResponse:
    """A region inside the user's scope (404 outside it): its figures only. The user's tasks stay on their own
    dashboard (working them out costs more than the rest of a Dinas user's page; the menu keeps its count)."""
    if not can_see_region(request.user, code):
        raise Http404
    root = get_object_or_404(Region.objects.visible_to(request.user), code=code)
    return _page(request, root, {})
