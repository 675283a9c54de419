"""Business work waiting for the user (see berdaya/worklist.py): plans to approve or to write, aid stages to pay,
cash-book imports to commit. One query per kind, from what the user may see, behind the permission of the step."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import ngettext_lazy

from berdaya.accounts.models import User
from berdaya.groups.models import Kube
from berdaya.lib.waiting import Effort, Figures, Plan, Tally, Waiting, is_urgent, link, one_or_list, run_plan

from ..models import AidStage, BusinessPlan, CashImport

# An unpaid stage planned this many days ahead, or earlier, is the Dinas's to pay now.
AID_LOOKAHEAD_DAYS = 7


def waiting_for(user: User, *, today: dt.date | None = None) -> list[Waiting]:
    return run_plan(user, lambda tally: plan_waiting(user, tally, today=today))


def plan_waiting(user: User, tally: Tally, *, today: dt.date | None = None) -> Plan:
    today = today or timezone.localdate()
    reads: list[Plan] = []
    if user.has_perm("business.approve_businessplan"):
        reads.append(_plans_to_approve(user, tally))
    if user.has_perm("business.pay_aidstage"):
        reads.append(_stages_to_pay(user, tally, today))
    # The Dinas may keep a group's books too, but writing the plan and importing the book is the facilitator's work.
    if user.is_facilitator and user.has_perm("business.change_businessplan"):
        reads.append(_plans_to_write(user, tally))
    if user.is_facilitator and user.has_perm("business.add_cashentry"):
        reads.append(_imports_to_commit(user, tally))
    return lambda: [item for read in reads for item in read()]


def _per_group(
    tally: Tally, rows: QuerySet[Any], *, kind: str, label: Promise, page: str, group: str = "kube_id"
) -> Plan:
    """A kind of work counted by rows, leading to its group's page when the rows are of one group."""
    row = tally.figures(rows, n=("COUNT", "pk"), kube=("MIN", group), last=("MAX", group))

    def read() -> list[Waiting]:
        if not row["n"]:
            return []
        return [Waiting(label=label, count=row["n"], url=_group_url(row, page), effort=Effort.BUSINESS, kind=kind)]

    return read


def _group_url(row: Figures, page: str) -> str:
    """The group's page (URL name `page`) when every row counted is of one group, else the list of groups."""
    one_group = row["kube"] is not None and row["kube"] == row["last"]
    return one_or_list(1 if one_group else row["n"], row["kube"], page, link("business:kube-list"))


def _plans_to_approve(user: User, tally: Tally) -> Plan:
    # The queryset form of BusinessPlan.can_be_approved.
    plans = BusinessPlan.objects.visible_to(user).filter(status=BusinessPlan.Status.SUBMITTED)
    label = ngettext_lazy(
        "%(count)s submitted business plan to approve",
        "%(count)s submitted business plans to approve",
        "count",
    )
    return _per_group(tally, plans, kind="business.approve_plan", label=label, page="business:plan")


def _stages_to_pay(user: User, tally: Tally, today: dt.date) -> Plan:
    """Unpaid aid stages of groups still mentored, planned for the coming days or earlier."""
    stages = AidStage.objects.visible_to(user).filter(
        paid_on__isnull=True,  # the queryset form of AidStage.is_paid
        planned_on__lte=today + dt.timedelta(days=AID_LOOKAHEAD_DAYS),
        kube__status__in=Kube.MENTORED,
    )
    row = tally.figures(
        stages, n=("COUNT", "pk"), kube=("MIN", "kube_id"), last=("MAX", "kube_id"), due=("MIN", "planned_on")
    )
    # The queryset form of AidStage.awaits_condition: paying these needs the condition met, or a reason.
    waiting = tally.figures(
        stages.exclude(condition=AidStage.Condition.NONE).filter(condition_met_on__isnull=True), n=("COUNT", "pk")
    )

    def read() -> list[Waiting]:
        if not row["n"]:
            return []
        return [
            Waiting(
                label=ngettext_lazy(
                    "%(count)s aid stage due to be paid (%(waiting)s awaiting its condition)",
                    "%(count)s aid stages due to be paid (%(waiting)s awaiting their condition)",
                    "count",
                ),
                count=row["n"],
                url=_group_url(row, "business:aid"),
                effort=Effort.BUSINESS,
                kind="business.pay_aid",
                urgent=is_urgent(row["due"], today),
                due=row["due"],
                params=(("waiting", waiting["n"]),),
            )
        ]

    return read


def _plans_to_write(user: User, tally: Tally) -> Plan:
    """Groups in the facilitator's care without a business plan, or whose plan is still a draft."""
    kubes = (
        Kube.objects.visible_to(user)
        .running()
        .filter(Q(business_plan__isnull=True) | Q(business_plan__status=BusinessPlan.Status.DRAFT))
    )
    label = ngettext_lazy(
        "%(count)s business plan to write and submit",
        "%(count)s business plans to write and submit",
        "count",
    )
    return _per_group(tally, kubes, kind="business.write_plan", label=label, page="business:plan", group="pk")


def _imports_to_commit(user: User, tally: Tally) -> Plan:
    """The facilitator's own cash-book files, checked and not yet imported."""
    # The queryset form of CashImport.can_be_committed.
    imports = CashImport.objects.visible_to(user).filter(by_id=user.pk, status=CashImport.Status.CHECKED)
    label = ngettext_lazy(
        "%(count)s checked cash-book file to import",
        "%(count)s checked cash-book files to import",
        "count",
    )
    return _per_group(tally, imports, kind="business.cash_import", label=label, page="business:cash-import")
