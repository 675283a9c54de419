from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from berdaya.lib.scoping import ScopeUser

from .models import Region, RegionQuerySet


@dataclass(frozen=True)
class RegionRow:
    region: Region
    villages: int
    kelurahan: int


def regions_for_list(*, user: ScopeUser, parent_code: str | None = None, query: str = "") -> RegionQuerySet:
    """The regions a user may see, below a parent region (default: the user's own scope)."""
    regions = Region.objects.visible_to(user)
    if query:
        return regions.filter(Q(name__icontains=query) | Q(code__startswith=query)).filter(level__gte=3)[:200]
    parent = parent_code or user.region_id
    return regions.filter(parent_id=parent).annotate(
        n_children=Count("children", distinct=True),
    )


def region_trail(region: Region) -> list[Region]:
    """The region and its ancestors, from the top down, in one query."""
    return list(Region.objects.filter(code__in=[*region.ancestor_codes(), region.code]).order_by("level"))
