"""Regions over the API: the Kemendagri regions of the caller's scope (reference data)."""

from __future__ import annotations

from ninja import Router, Schema
from ninja.pagination import paginate

from berdaya.lib.api import ErrorOut, KeysetPagination, get_visible, require
from berdaya.lib.http import AuthedRequest
from berdaya.lib.scoping import region_q

from .models import Region, RegionQuerySet

router = Router(tags=["regions"])


class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent: str | None

    @staticmethod
    def resolve_parent(region: Region) -> str | None:
        return region.parent_id


@router.get("/", response=list[RegionOut], operation_id="regions_list")
@paginate(KeysetPagination)
def regions_list(
    request: AuthedRequest, within: str = "", level: int | None = None, parent: str = ""
) -> RegionQuerySet:
    """The regions of your scope, in code order: `within` a region (it and below), at a `level` (1–4), or the
    children of a `parent`."""
    require(request, "regions.view_region")
    regions = Region.objects.visible_to(request.user)
    if within:
        regions = regions.filter(region_q("code", within))
    if level is not None:
        regions = regions.filter(level=level)
    if parent:
        regions = regions.filter(parent_id=parent)
    return regions


@router.get("/{code}", response={200: RegionOut, 403: ErrorOut, 404: ErrorOut}, operation_id="regions_detail")
def regions_detail(request: AuthedRequest, code: str) -> Region:
    """One region of your scope by its Kemendagri code."""
    require(request, "regions.view_region")
    return get_visible(Region.objects.visible_to(request.user), code)
