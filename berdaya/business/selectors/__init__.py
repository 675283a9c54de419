"""Reads that feed the business pages, dashboard and exports. Callers pass a group already got through visible_to.

One module per area (plan and aid, cash book, IKS and fund, capital and markets), the dashboard, and the rules
of what a user may do now (`actions_for`).
"""

from .cashbook import (
    PER_PAGE,
    CashBook,
    CashRow,
    cash_balance,
    cash_book,
    existing_entry_keys,
    first_entry_month,
    is_closable,
    is_month_closed,
    kubes_for_business,
    last_closed_month,
    locked_until,
    month_totals,
    next_month_to_close,
    signed_sum,
)
from .dashboard import NOT_CAPITAL, Dashboard, MonthFigures, Ranked, business_dashboard
from .fund import (
    IksLedger,
    LoanStatus,
    iks_balance,
    iks_ledger,
    loan_repaid,
    period_allocated,
    period_profit,
    revolving_fund,
)
from .markets import Access, access, events_for_kube, events_for_user, is_at_event
from .plan import (
    AidOverview,
    StagesPlanned,
    aid_overview,
    aid_paid,
    budget_total,
    business_plan,
    current_members,
    group_aid,
    runs_revolving_fund,
    stages_planned,
)
from .rules import actions_for
from .waiting import plan_waiting, waiting_for

__all__ = [
    "NOT_CAPITAL",
    "PER_PAGE",
    "Access",
    "AidOverview",
    "CashBook",
    "CashRow",
    "Dashboard",
    "IksLedger",
    "LoanStatus",
    "MonthFigures",
    "Ranked",
    "StagesPlanned",
    "access",
    "actions_for",
    "aid_overview",
    "aid_paid",
    "budget_total",
    "business_dashboard",
    "business_plan",
    "cash_balance",
    "cash_book",
    "current_members",
    "events_for_kube",
    "events_for_user",
    "existing_entry_keys",
    "first_entry_month",
    "group_aid",
    "iks_balance",
    "iks_ledger",
    "is_at_event",
    "is_closable",
    "is_month_closed",
    "kubes_for_business",
    "last_closed_month",
    "loan_repaid",
    "locked_until",
    "month_totals",
    "next_month_to_close",
    "period_allocated",
    "period_profit",
    "plan_waiting",
    "revolving_fund",
    "runs_revolving_fund",
    "signed_sum",
    "stages_planned",
    "waiting_for",
]
