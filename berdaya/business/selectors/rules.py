"""What a user may do to a business record now: the role's permissions and the record's state, in one place.

The state comes from the model's own predicates (`plan.can_be_approved`, `stage.awaits_condition`, ...), the same
ones the services check before they act, so a page never offers what the service would refuse.
"""

from __future__ import annotations

from berdaya.accounts.models import User

from ..models import AidStage, BusinessPlan, CashImport, CreditApplication
from .cashbook import CashBook

Record = BusinessPlan | AidStage | CashBook | CashImport | CreditApplication


def _plan(user: User, plan: BusinessPlan) -> set[str]:
    actions = set()
    if user.has_perm("business.change_businessplan") and plan.is_editable:
        actions.add("edit")
        if plan.can_be_submitted:
            actions.add("submit")
    if user.has_perm("business.approve_businessplan") and plan.can_be_approved:
        actions |= {"approve", "return"}
    return actions


def _stage(user: User, stage: AidStage) -> set[str]:
    if stage.is_paid:
        return set()
    actions = set()
    if stage.needs_monev:
        # Met only by a passed monev (berdaya/monitoring), never by hand.
        if user.has_perm("monitoring.add_monevvisit"):
            actions.add("record_monev")
    elif user.has_perm("business.add_aidstage") and stage.awaits_condition:
        actions.add("condition_met")
    if user.has_perm("business.pay_aidstage"):
        actions.add("pay")
    return actions


def _book(user: User, book: CashBook) -> set[str]:
    if not user.has_perm("business.add_cashentry"):
        return set()
    return {"record", "reverse", "close"} if book.closable else {"record", "reverse"}


def _import(user: User, job: CashImport) -> set[str]:
    return {"commit"} if user.has_perm("business.add_cashentry") and job.can_be_committed else set()


def _credit(user: User, application: CreditApplication) -> set[str]:
    return {"decide"} if user.has_perm("business.add_creditapplication") and application.is_pending else set()


def actions_for(user: User, obj: Record) -> frozenset[str]:
    """The names of the actions the user may take on `obj` now (e.g. {"submit"}), for views and templates."""
    if isinstance(obj, BusinessPlan):
        return frozenset(_plan(user, obj))
    if isinstance(obj, AidStage):
        return frozenset(_stage(user, obj))
    if isinstance(obj, CashBook):
        return frozenset(_book(user, obj))
    if isinstance(obj, CashImport):
        return frozenset(_import(user, obj))
    return frozenset(_credit(user, obj))
