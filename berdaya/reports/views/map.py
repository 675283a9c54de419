"""The offline map: a choropleth of any indicator by kecamatan or village, with the groups' positions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from berdaya.lib.http import AuthedRequest
from berdaya.regions.models import Region
from berdaya.regions.selectors import region_trail

from ..figures import INDICATORS, Period
from ..maps import map_levels, region_map


class MapForm(forms.Form):
    """What the map shows: kept here, beside its only view."""

    indicator = forms.ChoiceField(label=_("Indicator"), required=False)
    level = forms.TypedChoiceField(label=_("Regions"), coerce=int, required=False)
    as_of = forms.DateField(
        label=_("Date"),  # of the state shown ("As of" is taken by a month: "Per bulan")
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )

    def __init__(self, data: Mapping[str, Any], *, root: Region) -> None:
        super().__init__(data)
        cast(forms.ChoiceField, self.fields["indicator"]).choices = [
            (code, indicator.label) for code, indicator in INDICATORS.items()
        ]
        cast(forms.ChoiceField, self.fields["level"]).choices = [
            (level, Region.Level(level).label) for level in map_levels(root)
        ]


@permission_required("groups.view_kube", raise_exception=True)
def region_map_page(request: AuthedRequest, code: str | None = None) -> HttpResponse:
    root = get_object_or_404(Region.objects.visible_to(request.user), code=code or request.user.region_id)
    form = MapForm(request.GET, root=root)
    # A bad choice in the address falls back to its default rather than failing (the valid ones are kept): the
    # form then shows what is drawn.
    form.is_valid()
    chosen = form.cleaned_data
    indicator = chosen.get("indicator") or next(iter(INDICATORS))
    levels = map_levels(root)
    level = chosen.get("level") or levels[0]
    today = timezone.localdate()
    as_of = min(chosen.get("as_of") or today, today)
    # A drill-down keeps the indicator and the date; each region's own default level.
    query = urlencode({"indicator": indicator, **({"as_of": as_of.isoformat()} if as_of != today else {})})
    shown = region_map(
        user=request.user,
        root=root,
        indicator=indicator,
        level=level,
        as_of=as_of,
        period=Period.year_to(as_of),
        query=query,
    )
    form = MapForm({"indicator": indicator, "level": level, "as_of": as_of}, root=root)
    context = {
        "form": form,
        "map": shown,
        "trail": [r for r in region_trail(root) if r.code_within(request.user.region_id)],
        "period": Period.year_to(as_of),
        "query": query,
    }
    return render(request, "reports/map.html", context)
