"""Reads of capital and markets: a group's applications, partnerships and stands, and the events it may join."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from berdaya.accounts.models import User
from berdaya.groups.models import Kube
from berdaya.lib.scoping import regency_code

from ..models import CreditApplication, MarketEvent, MarketParticipation, Partnership


def events_for_kube(kube: Kube) -> QuerySet[MarketEvent]:
    """The market events the Dinas of the group's regency holds: the ones the group can have a stand at."""
    return MarketEvent.objects.filter(region_id=regency_code(kube.village_id))


def events_for_user(user: User) -> QuerySet[MarketEvent]:
    """The market events the user may see, with the stands at each that the user may see.

    An event is shared by the groups of several villages and facilitators: its `stands` are only those of groups
    the user sees, and `stand_sales` totals those alone (docs/architecture.md, "Inside pages").
    """
    stands = MarketParticipation.objects.visible_to(user)
    return (
        MarketEvent.objects.visible_to(user)
        .annotate(stand_sales=Coalesce(Sum("participations__sales", filter=Q(participations__in=stands)), 0))
        .prefetch_related(
            Prefetch("participations", queryset=stands.select_related("kube").order_by("kube__name"), to_attr="stands")
        )
    )


def is_at_event(*, event: MarketEvent, kube: Kube) -> bool:
    return MarketParticipation.objects.filter(event=event, kube=kube).exists()


@dataclass(frozen=True)
class Access:
    credits: list[CreditApplication]
    partnerships: list[Partnership]
    participations: list[MarketParticipation]


def access(*, kube: Kube) -> Access:
    """The group's credit applications, partnerships and market stands, newest first."""
    return Access(
        credits=list(kube.credit_applications.order_by("-applied_on", "-pk")),
        partnerships=list(kube.partnerships.order_by("-started_on", "-pk")),
        participations=list(kube.market_participations.select_related("event").order_by("-event__held_on")),
    )
