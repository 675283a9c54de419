"""Reads of the plan and the aid: the plan with its budget, the group's aid, its stages and its assets."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from berdaya.groups.models import Kube

from ..models import AidStage, Asset, BusinessPlan
from ..money import whole


def business_plan(*, kube: Kube) -> BusinessPlan | None:
    return BusinessPlan.objects.filter(kube=kube).select_related("approved_by").prefetch_related("lines").first()


def budget_total(plan: BusinessPlan) -> int:
    return sum((line.total for line in plan.lines.all()), 0)


def runs_revolving_fund(kube: Kube) -> bool:
    """The group's plan says it runs a revolving fund (dana bergulir)."""
    return BusinessPlan.objects.filter(kube=kube, revolving_fund=True).exists()


def current_members(kube: Kube) -> int:
    return kube.memberships.filter(left_on__isnull=True).count()


def group_aid(kube: Kube) -> int:
    """The group's aid: the cycle's aid per member for each current member."""
    return kube.cycle.aid_per_member * current_members(kube)


def aid_paid(kube: Kube) -> int:
    """The aid paid to the group so far, over its paid stages."""
    return whole(AidStage.objects.filter(kube=kube, paid_on__isnull=False).aggregate(t=Sum("amount"))["t"])


@dataclass(frozen=True)
class StagesPlanned:
    count: int
    amount: int
    share: Decimal


def stages_planned(kube: Kube) -> StagesPlanned:
    """How many stages are planned, and their amounts and shares added up."""
    stages = list(AidStage.objects.filter(kube=kube).values_list("amount", "share"))
    return StagesPlanned(
        count=len(stages),
        amount=sum((amount for amount, _ in stages), 0),
        share=sum((share or Decimal(0) for _, share in stages), Decimal(0)),
    )


@dataclass(frozen=True)
class AidOverview:
    aid: int
    planned: int
    paid: int
    stages: list[AidStage]
    assets: list[Asset]
    assets_value: int

    @property
    def reconciled(self) -> bool:
        return self.planned == self.aid


def aid_overview(*, kube: Kube) -> AidOverview:
    """The group's aid, its stages and what was paid, and its assets with their checks."""
    stages = list(AidStage.objects.filter(kube=kube).select_related("paid_by").order_by("number"))
    assets = list(Asset.objects.filter(kube=kube).prefetch_related("checks__by"))
    return AidOverview(
        aid=group_aid(kube),
        planned=sum((s.amount for s in stages), 0),
        paid=sum((s.amount for s in stages if s.is_paid), 0),
        stages=stages,
        assets=assets,
        assets_value=sum((a.value for a in assets if a.condition != Asset.Condition.LOST), 0),
    )
