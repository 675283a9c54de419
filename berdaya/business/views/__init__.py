"""Thin views: parse, call one service or selector, render. Every group comes from `Kube.objects.visible_to(user)`.

One module per area; a POST runs its service through `berdaya.lib.actions` (`act`/`perform`), and a page asks
`selectors.actions_for` what the user may do now.
"""

from .cashbook import (
    cash_add,
    cash_book,
    cash_close,
    cash_export,
    cash_import,
    cash_import_commit,
    cash_import_detail,
    cash_import_progress,
    cash_receipt,
    cash_reverse,
)
from .common import VIEW, dashboard, kube_home, kube_list
from .fund import fund, iks, iks_contribute, iks_use, loan_add, loan_repay, profit_allocate
from .markets import access, credit_add, credit_decide, event_list, participation_add, partnership_add
from .plan import (
    aid,
    aid_stage_add,
    aid_stage_met,
    aid_stage_pay,
    aid_stage_proof,
    asset_add,
    asset_check,
    plan,
    plan_approve,
    plan_line_add,
    plan_line_remove,
    plan_return,
    plan_submit,
)

__all__ = [
    "VIEW",
    "access",
    "aid",
    "aid_stage_add",
    "aid_stage_met",
    "aid_stage_pay",
    "aid_stage_proof",
    "asset_add",
    "asset_check",
    "cash_add",
    "cash_book",
    "cash_close",
    "cash_export",
    "cash_import",
    "cash_import_commit",
    "cash_import_detail",
    "cash_import_progress",
    "cash_receipt",
    "cash_reverse",
    "credit_add",
    "credit_decide",
    "dashboard",
    "event_list",
    "fund",
    "iks",
    "iks_contribute",
    "iks_use",
    "kube_home",
    "kube_list",
    "loan_add",
    "loan_repay",
    "participation_add",
    "partnership_add",
    "plan",
    "plan_approve",
    "plan_line_add",
    "plan_line_remove",
    "plan_return",
    "plan_submit",
    "profit_allocate",
]
