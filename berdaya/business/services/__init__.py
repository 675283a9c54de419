"""Every write a business rule governs, one function per business action, in one module per area.

Each action that reads a balance before writing locks the group row first (select_for_update), so two people
acting on the same group's books at once queue instead of both passing a check that only one of them should.
Every action runs inside `acting_as(by)`, so its history rows name the user also outside a request.
"""

from .cashbook import (
    close_cash_month,
    ensure_open,
    record_cash_entries,
    record_cash_entry,
    reverse_cash_entry,
    write_cash_entries,
)
from .common import AidError, BusinessError, CashBookError, IksError, LoanError, PlanError, check_amount, lock_kube
from .fund import allocate_profit, lend, record_iks_contribution, repay, use_iks
from .imports import check_cash_import, commit_cash_import
from .markets import (
    add_partnership,
    apply_for_credit,
    create_market_event,
    decide_credit,
    record_market_participation,
)
from .plan import (
    add_aid_stage,
    add_asset,
    add_budget_line,
    approve_business_plan,
    check_asset,
    mark_condition_met,
    pay_aid_stage,
    remove_budget_line,
    return_business_plan,
    save_business_plan,
    submit_business_plan,
)

__all__ = [
    "AidError",
    "BusinessError",
    "CashBookError",
    "IksError",
    "LoanError",
    "PlanError",
    "add_aid_stage",
    "add_asset",
    "add_budget_line",
    "add_partnership",
    "allocate_profit",
    "apply_for_credit",
    "approve_business_plan",
    "check_amount",
    "check_asset",
    "check_cash_import",
    "close_cash_month",
    "commit_cash_import",
    "create_market_event",
    "decide_credit",
    "ensure_open",
    "lend",
    "lock_kube",
    "mark_condition_met",
    "pay_aid_stage",
    "record_cash_entries",
    "record_cash_entry",
    "record_iks_contribution",
    "record_market_participation",
    "remove_budget_line",
    "return_business_plan",
    "repay",
    "reverse_cash_entry",
    "save_business_plan",
    "submit_business_plan",
    "use_iks",
    "write_cash_entries",
]
