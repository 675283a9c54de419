"""A hand-built programme: five groups in two kecamatan and three villages, with a record of every kind.

Dates are in 2027; the state is read on AS_OF (2027-09-30) and flows over PERIOD (January to September 2027).
The figures each test expects are worked out by hand in its comments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from berdaya.accounts.models import User
from berdaya.accounts.tests.factories import UserFactory
from berdaya.business.models import BusinessPlan, CashEntry, IksEntry, Repayment
from berdaya.business.tests.factories import (
    AidStageFactory,
    BusinessPlanFactory,
    CashEntryFactory,
    ExpenseFactory,
    IksEntryFactory,
    LoanFactory,
)
from berdaya.groups.models import Kube, Membership
from berdaya.groups.tests.factories import KubeFactory, MembershipFactory
from berdaya.mentoring.models import MonthlyReport
from berdaya.mentoring.tests.factories import ProblemFactory, VisitFactory
from berdaya.monitoring.tests.factories import (
    EarlyWarningFactory,
    LevelSnapshotFactory,
    ParticipantFactory,
    TrainingFactory,
)
from berdaya.regions.models import Region
from berdaya.reports.figures import Period

AS_OF = dt.date(2027, 9, 30)
PERIOD = Period(dt.date(2027, 1, 1), dt.date(2027, 12, 31))
CREATED = dt.datetime(2027, 1, 5, 1, 0, tzinfo=dt.UTC)


@dataclass
class Programme:
    a1: Kube  # village A (Tanah Grogot)
    a2: Kube  # village A
    b1: Kube  # village B (Tanah Grogot)
    c1: Kube  # village C (Kuaro)
    c2: Kube  # village C, dissolved on 2027-10-15 (after AS_OF)
    left: Membership  # a member of a1 who left on 2027-08-31


def make_group(village: Region, name: str, **kwargs: Any) -> Kube:
    kube = KubeFactory(village=village, name=name, status=Kube.Status.ACTIVE, **kwargs)
    Kube.objects.filter(pk=kube.pk).update(created_at=CREATED, status_since=dt.date(2027, 2, 1))
    kube.refresh_from_db()
    return kube


@pytest.fixture
def programme(regions: dict[str, Region], users: dict[str, User]) -> Programme:
    facilitator = users["facilitator"]
    a1 = make_group(regions["village_a"], "KUBE Anggrek", facilitator=facilitator)
    a2 = make_group(regions["village_a"], "KUBE Bakau")
    b1 = make_group(regions["village_b"], "KUBE Cempaka", facilitator=users["other_facilitator"])
    c1 = make_group(regions["village_c"], "KUBE Damar")
    c2 = make_group(regions["village_c"], "KUBE Enau")
    Kube.objects.filter(pk=c2.pk).update(status=Kube.Status.DISSOLVED, status_since=dt.date(2027, 10, 15))
    c2.refresh_from_db()

    # Members: a1 has 3 (one left on 2027-08-31), a2 2, b1 2, c1 1, c2 2 (one joined after AS_OF).
    members = MembershipFactory.create_batch(3, kube=a1)
    left = members[0]
    Membership.objects.filter(pk=left.pk).update(left_on=dt.date(2027, 8, 31))
    MembershipFactory.create_batch(2, kube=a2)
    MembershipFactory.create_batch(2, kube=b1)
    MembershipFactory(kube=c1)
    MembershipFactory(kube=c2)
    MembershipFactory(kube=c2, joined_on=dt.date(2027, 10, 2))

    # Aid: a1 1,000,000 paid 2027-03-01 and 1,000,000 paid 2027-10-05 (after AS_OF); b1 2,000,000 paid
    # 2027-04-01; c1 1,500,000 planned, unpaid; c2 500,000 paid 2026-12-01 (before the period).
    AidStageFactory(kube=a1, amount=1_000_000, paid_on=dt.date(2027, 3, 1))
    AidStageFactory(kube=a1, amount=1_000_000, paid_on=dt.date(2027, 10, 5))
    AidStageFactory(kube=b1, amount=2_000_000, paid_on=dt.date(2027, 4, 1))
    AidStageFactory(kube=c1, amount=1_500_000)
    AidStageFactory(kube=c2, amount=500_000, paid_on=dt.date(2026, 12, 1))
    # Approved: a1's business plan on 2027-02-15; b1's on 2027-10-01 (after AS_OF); c1's still a draft.
    for kube, approved_at in [
        (a1, dt.datetime(2027, 2, 15, 1, tzinfo=dt.UTC)),
        (b1, dt.datetime(2027, 10, 1, 1, tzinfo=dt.UTC)),
    ]:
        BusinessPlanFactory(kube=kube, status=BusinessPlan.Status.APPROVED, approved_at=approved_at)
    BusinessPlanFactory(kube=c1)

    # Cash: a1 sells 300,000 and spends 100,000 on materials; a sale of 50,000 reversed; a member's saving of
    # 200,000 (not revenue, not profit). b1 sells 400,000 on 2027-10-03 (after AS_OF). c1 sells 120,000.
    CashEntryFactory(kube=a1, amount=300_000, entry_date=dt.date(2027, 5, 10))
    ExpenseFactory(kube=a1, amount=100_000, entry_date=dt.date(2027, 5, 11))
    wrong = CashEntryFactory(kube=a1, amount=50_000, entry_date=dt.date(2027, 6, 1))
    CashEntryFactory(
        kube=a1,
        kind=CashEntry.Kind.EXPENSE,
        category=CashEntry.Category.REVERSAL,
        amount=50_000,
        entry_date=dt.date(2027, 6, 2),
        reverses=wrong,
    )
    CashEntryFactory(kube=a1, category=CashEntry.Category.MEMBER_SAVINGS, amount=200_000, product="")
    CashEntryFactory(kube=b1, amount=400_000, entry_date=dt.date(2027, 10, 3))
    CashEntryFactory(kube=c1, amount=120_000, entry_date=dt.date(2027, 7, 1))

    # IKS: a1 100,000 in and 30,000 used; c1 50,000 in on 2027-10-01 (after AS_OF).
    IksEntryFactory(kube=a1, amount=100_000, entry_date=dt.date(2027, 6, 1))
    IksEntryFactory(
        kube=a1,
        kind=IksEntry.Kind.USE,
        purpose=IksEntry.Purpose.COMMUNITY,
        amount=30_000,
        entry_date=dt.date(2027, 7, 1),
    )
    IksEntryFactory(kube=c1, amount=50_000, entry_date=dt.date(2027, 10, 1))

    # Revolving fund: b1 lent 600,000 on 2027-06-01, 100,000 back on 2027-07-01 and 100,000 on 2027-10-01.
    loan = LoanFactory(kube=b1, principal=600_000, issued_on=dt.date(2027, 6, 1))
    treasurer = UserFactory(username="fund-keeper")
    Repayment.objects.create(loan=loan, paid_on=dt.date(2027, 7, 1), amount=100_000, by=treasurer)
    Repayment.objects.create(loan=loan, paid_on=dt.date(2027, 10, 1), amount=100_000, by=treasurer)

    # Training: one regency training attended by two of a1 and one of c1; one by b1 in 2028 (outside).
    training = TrainingFactory(ends_on=dt.date(2027, 7, 12))
    for membership in [*a1.memberships.all()[:2], c1.memberships.get()]:
        ParticipantFactory(training=training, membership=membership)
    later = TrainingFactory(title="Pembukuan", starts_on=dt.date(2028, 1, 5), ends_on=dt.date(2028, 1, 6))
    ParticipantFactory(training=later, membership=b1.memberships.first())

    # Visits: a1 twice, c1 once in the period; b1 on 2027-10-02 (after AS_OF).
    VisitFactory(kube=a1, visited_on=dt.date(2027, 8, 1))
    VisitFactory(kube=a1, visited_on=dt.date(2027, 9, 1))
    VisitFactory(kube=c1, visited_on=dt.date(2027, 5, 1))
    VisitFactory(kube=b1, visited_on=dt.date(2027, 10, 2))

    # Problems: a1 one open, one resolved 2027-09-01; b1 one resolved on 2027-10-10 (after AS_OF: open then).
    ProblemFactory(kube=a1, reported_on=dt.date(2027, 8, 1))
    ProblemFactory(kube=a1, reported_on=dt.date(2027, 7, 1), resolved_on=dt.date(2027, 9, 1))
    ProblemFactory(kube=b1, reported_on=dt.date(2027, 9, 1), resolved_on=dt.date(2027, 10, 10))

    # Warnings: c1 one open; a2 one cleared on 2027-10-05 (open on AS_OF); a2 one handled on 2027-09-20.
    EarlyWarningFactory(kube=c1, raised_on=dt.date(2027, 9, 1))
    EarlyWarningFactory(kube=a2, kind="no_cash_entry", raised_on=dt.date(2027, 9, 2), cleared_on=dt.date(2027, 10, 5))
    EarlyWarningFactory(
        kube=a2,
        kind="sales_falling",
        raised_on=dt.date(2027, 9, 3),
        handled_at=dt.datetime(2027, 9, 20, 2, 0, tzinfo=dt.UTC),
        handled_by=treasurer,
        handled_note="Dikunjungi",
    )

    # Levels: a1 Berkembang in September (Tumbuh in August); b1 Tumbuh in July; c1 Maju/Mandiri in October (after
    # AS_OF: not assessed then); a2 and c2 never judged.
    LevelSnapshotFactory(kube=a1, month=dt.date(2027, 8, 1), level=1)
    LevelSnapshotFactory(kube=a1, month=dt.date(2027, 9, 1), level=2)
    LevelSnapshotFactory(kube=b1, month=dt.date(2027, 7, 1), level=1)
    LevelSnapshotFactory(kube=c1, month=dt.date(2027, 10, 1), level=3)

    # Monthly reports (due on the 10th of the next month): the facilitator of a1 sent July's on 2027-08-05 (on
    # time) and August's on 2027-09-15 (late); b1's facilitator sent July's on 2027-08-09.
    for user, month, sent in [
        (facilitator, dt.date(2027, 7, 1), dt.datetime(2027, 8, 5, 1, tzinfo=dt.UTC)),
        (facilitator, dt.date(2027, 8, 1), dt.datetime(2027, 9, 15, 1, tzinfo=dt.UTC)),
        (users["other_facilitator"], dt.date(2027, 7, 1), dt.datetime(2027, 8, 9, 1, tzinfo=dt.UTC)),
    ]:
        MonthlyReport.objects.create(
            facilitator=user,
            month=month,
            status=MonthlyReport.Status.SUBMITTED,
            submitted_at=sent,
        )
    return Programme(a1, a2, b1, c1, c2, left)
