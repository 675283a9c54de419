"""Groups at each level for the engine's and the snapshots' tests, built from the records the rules read.

The month judged is September 2027 (MONTH), long past on TODAY, so its end is 30 September.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from berdaya.accounts.models import User
from berdaya.accounts.tests.factories import UserFactory
from berdaya.business.models import CashMonth, Partnership, ProfitAllocation
from berdaya.business.tests.factories import AidStageFactory, CashEntryFactory, IksEntryFactory
from berdaya.groups.models import FacilitatorAssignment, Kube, Membership
from berdaya.groups.tests.factories import KubeFactory, MembershipFactory
from berdaya.monitoring.engine import Evaluation, IndicatorResult, evaluate
from berdaya.monitoring.tests.factories import MeetingFactory, ParticipantFactory, TrainingFactory

MONTH = dt.date(2027, 9, 1)
TODAY = dt.date(2028, 1, 15)
FORMED = dt.date(2027, 1, 10)
ROLES = [Membership.Role.CHAIR, Membership.Role.SECRETARY, Membership.Role.TREASURER] + [Membership.Role.MEMBER] * 7


def judge(kube: Kube, month: dt.date = MONTH, today: dt.date = TODAY) -> Evaluation:
    return evaluate([kube.pk], month, today=today)[kube.pk]


def indicator(evaluation: Evaluation, code: str) -> IndicatorResult:
    return next(i for i in evaluation.indicators if i.code == code)


def officer() -> User:
    return UserFactory(username="petugas", role=User.Role.OFFICER)


def members(kube: Kube, count: int = 10, joined_on: dt.date = FORMED) -> list[Membership]:
    return [MembershipFactory(kube=kube, role=role, joined_on=joined_on) for role in ROLES[:count]]


def tumbuh_group(trained: int = 8) -> Kube:
    """Facilitator assigned, three officers of ten members, eight trained, aid paid, a first sale in March."""
    facilitator = UserFactory(username="pendamping", role=User.Role.FACILITATOR)
    kube = KubeFactory(status=Kube.Status.ACTIVE, formed_on=FORMED, facilitator=facilitator)
    FacilitatorAssignment.objects.create(kube=kube, facilitator=facilitator, started_on=FORMED, by=facilitator)
    people = members(kube)
    training = TrainingFactory(starts_on=dt.date(2027, 1, 30), ends_on=dt.date(2027, 2, 1))
    for membership in people[:trained]:
        ParticipantFactory(training=training, membership=membership)
    AidStageFactory(kube=kube, number=1, amount=20_000_000, paid_on=dt.date(2027, 2, 5))
    CashEntryFactory(kube=kube, entry_date=dt.date(2027, 2, 5), category="aid", amount=20_000_000, channel="")
    CashEntryFactory(kube=kube, entry_date=dt.date(2027, 3, 10), amount=500_000)
    return kube


def close_month(kube: Kube, month: dt.date, on: dt.date) -> CashMonth:
    return CashMonth.objects.create(
        kube=kube,
        month=month,
        opening_balance=0,
        income=0,
        expense=0,
        closing_balance=0,
        closed_by=kube.created_by,
        closed_at=dt.datetime.combine(on, dt.time(10), tzinfo=dt.UTC),
    )


def allocate(kube: Kube, on: dt.date, to_iks: int = 100_000) -> ProfitAllocation:
    return ProfitAllocation.objects.create(
        kube=kube,
        period_start=dt.date(2027, 4, 1),
        period_end=dt.date(2027, 6, 1),
        profit=900_000 + to_iks,
        share_capital=Decimal(50),
        share_members=Decimal(40),
        share_iks=Decimal(10),
        to_capital=500_000,
        to_members=400_000,
        to_iks=to_iks,
        members=10,
        allocated_on=on,
        by=kube.created_by,
    )


def berkembang_group() -> Kube:
    """A Tumbuh group that also met, sold and kept its books every month April-September, closed March-August
    within the grace days, and allocated its profit in July."""
    kube = tumbuh_group()
    for month in range(4, 10):
        MeetingFactory(kube=kube, held_on=dt.date(2027, month, 5))
        CashEntryFactory(kube=kube, entry_date=dt.date(2027, month, 10), amount=1_000_000)
    for month in range(3, 9):
        close_month(kube, dt.date(2027, month, 1), dt.date(2027, month + 1, 5))
    allocate(kube, dt.date(2027, 7, 5))
    return kube


def mandiri_group() -> Kube:
    """A Berkembang group whose capital (26.5 M) passed the aid (20 M) by more than 10 %, whose sales grew, that
    gave IKS to a poor family and has a buyer as partner."""
    kube = berkembang_group()
    IksEntryFactory(kube=kube, kind="use", purpose="poor_family", entry_date=dt.date(2027, 8, 1), beneficiary="Bu Sari")
    Partnership.objects.create(
        kube=kube,
        partner="Toko Berkah",
        kind=Partnership.Kind.BUYER,
        started_on=dt.date(2027, 5, 1),
        by=kube.created_by,
    )
    return kube
