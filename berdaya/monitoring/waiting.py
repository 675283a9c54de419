"""Monitoring work waiting for a user (see berdaya/worklist.py): early warnings to handle.

A facilitator handles the open warnings of its groups (it is their `responsible`). The Dinas (whoever may mark a
warning handled and is not a facilitator) handles those of groups without a facilitator, and those a facilitator
has left open for warnings.ESCALATE_DAYS days or more.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import ngettext_lazy

from berdaya.accounts.models import User
from berdaya.lib.waiting import Effort, Plan, Tally, Waiting, link, one_or_list, run_plan

from .models import EarlyWarning
from .warnings import escalated_q


def waiting_for(user: User, *, today: dt.date | None = None) -> list[Waiting]:
    """The monitoring work waiting for the user, on its own (the worklist asks `plan_waiting` with the others)."""
    return run_plan(user, lambda tally: plan_waiting(user, tally, today=today))


def warnings_to_handle(user: User, *, today: dt.date | None = None) -> tuple[str, object]:
    """The open warnings waiting for the user, and the list filter that shows them ("mine" or "escalated")."""
    today = today or timezone.localdate()
    open_warnings = EarlyWarning.objects.visible_to(user).open()
    if user.is_facilitator:
        return "mine", open_warnings.filter(responsible=user)
    return "escalated", open_warnings.filter(escalated_q(today))


def plan_waiting(user: User, tally: Tally, *, today: dt.date | None = None) -> Plan:
    """Early warnings waiting for the user to handle them."""
    if not user.has_perm("monitoring.change_earlywarning"):
        return list
    which, warnings = warnings_to_handle(user, today=today)
    row = tally.figures(warnings, n=("COUNT", "pk"), one=("MIN", "pk"))  # type: ignore[arg-type]

    def read() -> list[Waiting]:
        if not row["n"]:
            return []
        listing = link("monitoring:warning-list", query="mine=1" if which == "mine" else "escalated=1")
        return [
            Waiting(
                label=ngettext_lazy("%(count)s early warning to handle", "%(count)s early warnings to handle", "count"),
                count=row["n"],
                url=one_or_list(row["n"], row["one"], "monitoring:warning-detail", listing),
                effort=Effort.INSTITUTION,
                kind=f"monitoring.warnings.{which}",
            )
        ]

    return read
