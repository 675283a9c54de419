"""Groups over the API: the KUBE of the caller's scope (a facilitator: its own) and their members."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import QuerySet
from ninja import Router, Schema
from ninja.pagination import paginate

from berdaya.lib.api import ErrorOut, KeysetPagination, get_visible, require
from berdaya.lib.http import AuthedRequest
from berdaya.lib.scoping import region_q
from berdaya.registry.api import shown

from . import selectors
from .models import Kube, Membership

router = Router(tags=["groups"])


class KubeOut(Schema):
    id: int
    name: str
    cycle: int
    village: str
    sector: str
    business_type: str
    facilitator: int | None
    status: str
    status_since: dt.date
    formed_on: dt.date | None
    share_capital: Decimal
    share_members: Decimal
    share_iks: Decimal
    member_count: int
    created_at: dt.datetime

    @staticmethod
    def resolve_cycle(kube: Kube) -> int:
        return kube.cycle_id

    @staticmethod
    def resolve_village(kube: Kube) -> str:
        return kube.village_id

    @staticmethod
    def resolve_facilitator(kube: Kube) -> int | None:
        return kube.facilitator_id


class MemberOut(Schema):
    id: int
    kube: int
    person: int
    name: str
    nik: str
    household: int
    nominee: int
    role: str
    joined_on: dt.date
    left_on: dt.date | None
    leave_reason: str

    @staticmethod
    def resolve_kube(membership: Membership) -> int:
        return membership.kube_id

    @staticmethod
    def resolve_person(membership: Membership) -> int:
        return membership.person_id

    @staticmethod
    def resolve_name(membership: Membership) -> str:
        return membership.person.name

    @staticmethod
    def resolve_nik(membership: Membership, context: dict[str, AuthedRequest]) -> str:
        person = membership.person
        return shown(context["request"].user, nik=person.nik, village_code=person.household.village_id).nik

    @staticmethod
    def resolve_household(membership: Membership) -> int:
        return membership.household_id

    @staticmethod
    def resolve_nominee(membership: Membership) -> int:
        return membership.nominee_id


@router.get("/kubes", response=list[KubeOut], operation_id="groups_kubes_list")
@paginate(KeysetPagination)
def kubes_list(
    request: AuthedRequest, cycle: int | None = None, status: str = "", region: str = "", q: str = ""
) -> QuerySet[Kube]:
    """KUBE of your scope (a facilitator: its own), of a `cycle`, in a `status`, in a `region`, named like `q`; each
    with its current member count."""
    require(request, "groups.view_kube")
    kubes = selectors.kube_list(user=request.user, status=status, query=q)
    if cycle is not None:
        kubes = kubes.filter(cycle_id=cycle)
    if region:
        kubes = kubes.filter(region_q("village__code", region))
    return kubes


@router.get("/kubes/{pk}", response={200: KubeOut, 403: ErrorOut, 404: ErrorOut}, operation_id="groups_kubes_detail")
def kubes_detail(request: AuthedRequest, pk: int) -> Kube:
    """One KUBE of your scope."""
    require(request, "groups.view_kube")
    return get_visible(selectors.kube_list(user=request.user), pk)


@router.get("/members", response=list[MemberOut], operation_id="groups_members_list")
@paginate(KeysetPagination)
def members_list(request: AuthedRequest, kube: int | None = None, current: bool | None = None) -> QuerySet[Membership]:
    """Members of the KUBE of your scope: of one `kube`; `current` true for those who have not left."""
    require(request, "groups.view_kube")
    members = Membership.objects.visible_to(request.user).select_related("person__household")
    if kube is not None:
        members = members.filter(kube_id=kube)
    if current is not None:
        members = members.filter(left_on__isnull=current)
    return members


@router.get(
    "/members/{pk}", response={200: MemberOut, 403: ErrorOut, 404: ErrorOut}, operation_id="groups_members_detail"
)
def members_detail(request: AuthedRequest, pk: int) -> Membership:
    """One membership of a KUBE of your scope."""
    require(request, "groups.view_kube")
    return get_visible(Membership.objects.visible_to(request.user).select_related("person__household"), pk)
