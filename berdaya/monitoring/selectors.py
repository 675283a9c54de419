from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from berdaya.accounts.models import User
from berdaya.regions.models import Region


@dataclass(frozen=True)
class KecamatanSummary:
    region: Region
    villages: int
    kelurahan: int


@dataclass(frozen=True)
class Dashboard:
    scope: Region | None
    kecamatan_count: int
    village_count: int
    user_count: int | None
    users_by_role: list[tuple[str, int]]
    kecamatan: list[KecamatanSummary]


def dashboard_for(*, user: User) -> Dashboard:
    """What is in the user's scope: its regions and, for an admin, the accounts working there."""
    regions = Region.objects.visible_to(user)
    counts = regions.aggregate(
        kecamatan=Count("code", filter=Q(level=Region.Level.KECAMATAN)),
        villages=Count("code", filter=Q(level=Region.Level.VILLAGE)),
    )
    kecamatan = [
        KecamatanSummary(region=r, villages=r.n_villages, kelurahan=r.n_kelurahan)  # type: ignore[attr-defined]
        for r in regions.filter(level=Region.Level.KECAMATAN).annotate(
            n_villages=Count("children"),
            n_kelurahan=Count("children", filter=Q(children__code__regex=r"\.1\d{3}$")),
        )[:60]
    ]
    user_count = None
    by_role: list[tuple[str, int]] = []
    if user.has_perm("accounts.view_user"):
        accounts = User.objects.visible_to(user).filter(is_active=True)
        role_counts = dict(accounts.values_list("role").annotate(n=Count("pk")).values_list("role", "n"))
        by_role = [(str(label), role_counts.get(value, 0)) for value, label in User.Role.choices]
        user_count = sum(role_counts.values())
    return Dashboard(
        scope=user.region,
        kecamatan_count=counts["kecamatan"],
        village_count=counts["villages"],
        user_count=user_count,
        users_by_role=by_role,
        kecamatan=kecamatan,
    )
