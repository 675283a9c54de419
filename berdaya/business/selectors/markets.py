"""Reads of capital and markets: a group's applications, partnerships and stands, and the events it may join."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from berdaya.accounts.models import User
from berdaya.groups.models import Kube
from berdaya.lib.scoping import regency_code

from ..models import CreditApplication, MarketEvent, MarketParticipation, Partnership


def events_for_kube(kube: Kube) -> QuerySet[MarketEvent]:
    """The market events the Dinas of the group's regency holds: the ones the group can have a stand at."""
    return MarketEvent.objects.filter(region_id=regency_code(kube.village_id))


def events_for_user(user: User) -> QuerySet[MarketEvent]:
    """The market events the user may see, with the groups at each."""
    return MarketEvent.objects.visible_to(user).prefetch_related("participations__kube")


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
