"""Reads that feed the group pages and documents."""

from __future__ import annotations

from django.db.models import Case, Count, Q, QuerySet, Value, When

from berdaya.accounts.models import User
from berdaya.regions.models import Region
from berdaya.targeting.models import Cycle, Nominee

from .models import Kube, Membership


def kube_list(*, user: User, status: str = "", query: str = "", kecamatan: str = "") -> QuerySet[Kube]:
    """Groups the user may see, with their current member count."""
    kubes = (
        Kube.objects.visible_to(user)
        .select_related("village__parent", "facilitator", "cycle")
        .annotate(member_count=Count("memberships", filter=Q(memberships__left_on__isnull=True)))
    )
    if status:
        kubes = kubes.filter(status=status)
    if kecamatan:
        kubes = kubes.filter(village__code__startswith=f"{kecamatan}.")
    if query.strip():
        kubes = kubes.filter(name__icontains=query.strip())
    return kubes.order_by("name", "pk")


def available_nominees(*, cycle: Cycle, kecamatan_code: str, user: User) -> QuerySet[Nominee]:
    """Approved nominees of a cycle in one kecamatan, linked to the registry, whose household is in no group."""
    taken = Membership.objects.current().values("household_id")
    return (
        Nominee.objects.visible_to(user)
        .filter(
            cycle=cycle,
            status=Nominee.Status.APPROVED,
            person__isnull=False,
            nomination_list__village__code__startswith=f"{kecamatan_code}.",
        )
        .exclude(person__household_id__in=taken)
        .select_related("nomination_list__village", "person")
        .order_by("name", "pk")
    )


def cycles_with_approvals(*, user: User) -> QuerySet[Cycle]:
    """Decided cycles with approved nominees the user may see: the ones groups can be formed from."""
    approved = Nominee.objects.visible_to(user).filter(status=Nominee.Status.APPROVED).values("cycle_id")
    return Cycle.objects.filter(pk__in=approved, status=Cycle.Status.DECIDED).order_by("-year", "name")


def kecamatan_for(*, user: User) -> QuerySet[Region]:
    return Region.objects.visible_to(user).filter(level=Region.Level.KECAMATAN).order_by("name")


def facilitators_for(*, user: User) -> QuerySet[User]:
    facilitators: QuerySet[User] = (
        User.objects.visible_to(user).filter(role=User.Role.FACILITATOR, is_active=True).order_by("username")
    )
    return facilitators


def kube_members(*, kube: Kube) -> QuerySet[Membership]:
    """Current members first, officers at the top, then those who left."""
    officer_first = Case(
        *[When(role=role, then=Value(rank)) for rank, role in enumerate(Membership.OFFICES)], default=Value(9)
    )
    return kube.memberships.select_related("person__household__village", "replaced_by__person").order_by(
        "left_on", officer_first, "person__name"
    )
