"""Business work waiting for the user (see berdaya/worklist.py): plans to approve or to write, aid stages to pay,
cash-book imports to commit. One query per kind, from what the user may see, behind the permission of the step."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import ngettext_lazy

from berdaya.accounts.models import User
from berdaya.groups.models import Kube
from berdaya.lib.waiting import Effort, Waiting, is_urgent, link, one_or_list

from ..models import AidStage, BusinessPlan, CashImport

# An unpaid stage planned this many days ahead, or earlier, is the Dinas's to pay now.
AID_LOOKAHEAD_DAYS = 7


def waiting_for(user: User, *, today: dt.date | None = None) -> list[Waiting]:
    today = today or timezone.localdate()
    found: list[Waiting] = []
    if user.has_perm("business.approve_businessplan"):
        found += _plans_to_approve(user)
    if user.has_perm("business.pay_aidstage"):
        found += _stages_to_pay(user, today)
    # The Dinas may keep a group's books too, but writing the plan and importing the book is the facilitator's work.
    if user.is_facilitator and user.has_perm("business.change_businessplan"):
        found += _plans_to_write(user)
    if user.is_facilitator and user.has_perm("business.add_cashentry"):
        found += _imports_to_commit(user)
    return found


def _plans_to_approve(user: User) -> list[Waiting]:
    # The queryset form of BusinessPlan.can_be_approved.
    plans = BusinessPlan.objects.visible_to(user).filter(status=BusinessPlan.Status.SUBMITTED)
    row = plans.aggregate(n=Count("pk"), kube=Min("kube_id"))
    if not row["n"]:
        return []
    return [
        Waiting(
            label=ngettext_lazy(
                "%(count)s submitted business plan to approve",
                "%(count)s submitted business plans to approve",
                "count",
            ),
            count=row["n"],
            url=one_or_list(row["n"], row["kube"], "business:plan", link("business:kube-list")),
            effort=Effort.BUSINESS,
            kind="business.approve_plan",
        )
    ]


def _stages_to_pay(user: User, today: dt.date) -> list[Waiting]:
    """Unpaid aid stages of groups still mentored, planned for the coming days or earlier."""
    stages = AidStage.objects.visible_to(user).filter(
        paid_on__isnull=True,  # the queryset form of AidStage.is_paid
        planned_on__lte=today + dt.timedelta(days=AID_LOOKAHEAD_DAYS),
        kube__status__in=Kube.MENTORED,
    )
    row = stages.aggregate(
        n=Count("pk"),
        kube=Min("kube_id"),
        due=Min("planned_on"),
        # The queryset form of AidStage.awaits_condition: paying these needs the condition met (or a reason).
        waiting=Count("pk", filter=~Q(condition=AidStage.Condition.NONE) & Q(condition_met_on__isnull=True)),
    )
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
            url=one_or_list(row["n"], row["kube"], "business:aid", link("business:kube-list")),
            effort=Effort.BUSINESS,
            kind="business.pay_aid",
            urgent=is_urgent(row["due"], today),
            due=row["due"],
            params=(("waiting", row["waiting"]),),
        )
    ]


def _plans_to_write(user: User) -> list[Waiting]:
    """Groups in the facilitator's care without a business plan, or whose plan is still a draft."""
    kubes = (
        Kube.objects.visible_to(user)
        .running()
        .filter(Q(business_plan__isnull=True) | Q(business_plan__status=BusinessPlan.Status.DRAFT))
    )
    row = kubes.aggregate(n=Count("pk"), kube=Min("pk"))
    if not row["n"]:
        return []
    return [
        Waiting(
            label=ngettext_lazy(
                "%(count)s business plan to write and submit",
                "%(count)s business plans to write and submit",
                "count",
            ),
            count=row["n"],
            url=one_or_list(row["n"], row["kube"], "business:plan", link("business:kube-list")),
            effort=Effort.BUSINESS,
            kind="business.write_plan",
        )
    ]


def _imports_to_commit(user: User) -> list[Waiting]:
    """The facilitator's own cash-book files, checked and not yet imported."""
    # The queryset form of CashImport.can_be_committed.
    imports = CashImport.objects.visible_to(user).filter(by_id=user.pk, status=CashImport.Status.CHECKED)
    row = imports.aggregate(n=Count("pk"), kube=Min("kube_id"))
    if not row["n"]:
        return []
    return [
        Waiting(
            label=ngettext_lazy(
                "%(count)s checked cash-book file to import",
                "%(count)s checked cash-book files to import",
                "count",
            ),
            count=row["n"],
            url=one_or_list(row["n"], row["kube"], "business:cash-import", link("business:kube-list")),
            effort=Effort.BUSINESS,
            kind="business.cash_import",
        )
    ]
