from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from berdaya.lib.exports import csv_response
from berdaya.lib.http import AuthedRequest

from .models import Region
from .selectors import region_trail, regions_for_list


@permission_required("regions.view_region", raise_exception=True)
def region_list(request: AuthedRequest, code: str | None = None) -> HttpResponse:
    visible = Region.objects.visible_to(request.user)
    current = get_object_or_404(visible, code=code or request.user.region_id)
    query = request.GET.get("q", "").strip()
    context = {
        "current": current,
        # Only the part of the trail inside the user's scope: a village operator's trail starts at the village.
        "trail": [r for r in region_trail(current) if r.code_within(request.user.region_id)],
        "regions": regions_for_list(user=request.user, parent_code=current.code, query=query),
        "q": query,
    }
    template = "regions/_region_rows.html" if request.htmx else "regions/region_list.html"
    return render(request, template, context)


@permission_required("regions.view_region", raise_exception=True)
def region_export(request: AuthedRequest) -> StreamingHttpResponse:
    """Every kecamatan and village in the user's scope, as a spreadsheet."""
    regions = Region.objects.visible_to(request.user).filter(level__gte=3).order_by("code")
    header = [_("Code"), _("Name"), _("Level"), _("Type"), _("Parent code")]
    rows = ([r.code, r.name, r.get_level_display(), r.kind_label, r.parent_id] for r in regions.iterator())
    return csv_response("berdaya-regions.csv", header, rows)
