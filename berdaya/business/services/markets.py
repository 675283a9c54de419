"""Capital and markets: credit applications and the bank's decision, partnerships, market events and stands."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from berdaya.accounts.models import User
from berdaya.groups.models import Kube
from berdaya.lib.audit import acting_as
from berdaya.regions.models import Region

from .. import selectors
from ..models import CreditApplication, MarketEvent, MarketParticipation, Partnership
from .common import BusinessError, check_amount


def apply_for_credit(
    *, kube: Kube, scheme: str, lender: str, amount_requested: int, applied_on: dt.date, note: str = "", by: User
) -> CreditApplication:
    """Record a KUR or other loan application."""
    check_amount(amount_requested)
    with acting_as(by):
        return CreditApplication.objects.create(
            kube=kube,
            scheme=scheme,
            lender=lender,
            amount_requested=amount_requested,
            applied_on=applied_on,
            note=note,
            by=by,
        )


def decide_credit(
    *, application: CreditApplication, outcome: str, decided_on: dt.date, amount_approved: int | None, by: User
) -> CreditApplication:
    """Record the bank's decision on an application."""
    if outcome == CreditApplication.Outcome.APPROVED:
        if amount_approved is None:
            raise BusinessError(_("Give the amount approved."))
        check_amount(amount_approved)
    else:
        amount_approved = None
    with acting_as(by):
        application = CreditApplication.objects.select_for_update().get(pk=application.pk)
        if not application.is_pending:
            raise BusinessError(_("The bank has already decided on this application."))
        if decided_on < application.applied_on:
            raise BusinessError(_("The decision cannot come before the application."))
        application.outcome = outcome
        application.decided_on = decided_on
        application.amount_approved = amount_approved
        application.save()
        return application


def add_partnership(
    *, kube: Kube, partner: str, kind: str, started_on: dt.date, description: str = "", by: User
) -> Partnership:
    """Record a partnership with a buyer, cooperative, company or bank."""
    with acting_as(by):
        return Partnership.objects.create(
            kube=kube, partner=partner, kind=kind, started_on=started_on, description=description, by=by
        )


def create_market_event(*, region: Region, name: str, held_on: dt.date, location: str = "", by: User) -> MarketEvent:
    """The Dinas announces a bazaar, exhibition or outlet day."""
    with acting_as(by):
        return MarketEvent.objects.create(region=region, name=name, held_on=held_on, location=location, by=by)


def record_market_participation(
    *, event: MarketEvent, kube: Kube, sales: int, note: str = "", by: User
) -> MarketParticipation:
    """Record that a group sold at a market event, and how much."""
    if isinstance(sales, bool) or not isinstance(sales, int) or sales < 0:
        raise BusinessError(_("The sales must be a whole number of Rupiah, zero or more."))
    with acting_as(by):
        if selectors.is_at_event(event=event, kube=kube):
            raise BusinessError(_("This group is already recorded at this event."))
        return MarketParticipation.objects.create(event=event, kube=kube, sales=sales, note=note, by=by)
