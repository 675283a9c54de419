"""What waits for the logged-in user ("Tugas saya"): every app's `waiting_for(user)`, gathered for one page and the
menu's count. A project-level module, since it names every app; the apps count, this only orders and groups.

The list is worked out once per request: it is kept on the request's user object, which the menu (every page) and
the tasks page share, so that the menu's count and the page do not count twice. The menu's count is also kept in the
cache for a minute, per session (`menu_count`): at a thousand groups a Dinas user's count costs more than the rest of
most pages, and nobody needs it fresher than that. The user's own changes (any POST) and the tasks page count afresh.
Not in the session: a page would then write its session once a minute, and wait for a long import's write lock.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from berdaya import taskwatch
from berdaya.accounts.models import User
from berdaya.business import selectors as business
from berdaya.groups import selectors as groups
from berdaya.lib.http import AuthedRequest
from berdaya.lib.waiting import Effort, Tally, Waiting
from berdaya.mentoring import selectors as mentoring
from berdaya.monitoring import waiting as monitoring
from berdaya.registry import selectors as registry
from berdaya.reports import waiting as reports
from berdaya.screening import selectors as screening
from berdaya.targeting import selectors as targeting

_CACHE = "_berdaya_waiting"
_CACHE_KEY = "berdaya:task-count:{}"
MENU_COUNT_SECONDS = 60

# The permissions of the steps some app reports as waiting: a user holding none of them (the monitor, who only
# reads) never has a task, and the menu does not offer the page.
TASK_PERMISSIONS = (
    "targeting.nominate",
    "targeting.relay_call",
    "targeting.endorse",
    "targeting.verify",
    "targeting.decide",
    "screening.change_matchcandidate",
    "screening.merge_persons",
    "registry.add_importjob",
    "mentoring.review_monthlyreport",
    "mentoring.add_monthlyreport",
    "mentoring.change_problem",
    "business.approve_businessplan",
    "business.pay_aidstage",
    "business.change_businessplan",
    "business.add_cashentry",
    "groups.change_kube",
    "monitoring.change_earlywarning",
    "monitoring.add_monevvisit",
    "reports.add_assessment",
)


def can_have_tasks(user: User) -> bool:
    return user.is_authenticated and user.is_active and any(user.has_perm(p) for p in TASK_PERMISSIONS)


def gather(user: User, *, today: dt.date | None = None) -> list[Waiting]:
    """Everything waiting for the user, urgent first, then by effort, then the nearest deadline.

    Every app's figures in one query (a village's open cycles take one more): see `berdaya.lib.waiting.Tally`.
    """
    if not can_have_tasks(user):
        return []
    today = today or timezone.localdate()
    tally = Tally()
    reads = [
        targeting.plan_waiting(user, tally, today=today),
        screening.plan_waiting(user, tally),
        registry.plan_waiting(user, tally),
        groups.plan_waiting(user, tally),
        business.plan_waiting(user, tally, today=today),
        mentoring.plan_waiting(user, tally, today=today),
        monitoring.plan_waiting(user, tally, today=today),
        reports.plan_waiting(user, tally),
    ]
    tally.run(user)
    found = [item for read in reads for item in read()]
    # The Admin Dinas: background tasks stuck, or waiting for a worker nobody has seen (berdaya/taskwatch.py).
    found += taskwatch.waiting(user)
    return sorted(
        (item for item in found if item.count > 0),
        key=lambda w: (not w.urgent, Effort.ORDER.index(w.effort), w.due or dt.date.max, w.kind),
    )


def tasks_for(user: User) -> list[Waiting]:
    """`gather(user)`, worked out once for the request this user object came with."""
    cached: list[Waiting] | None = getattr(user, _CACHE, None)
    if cached is None:
        cached = gather(user)
        setattr(user, _CACHE, cached)
    return cached


def task_count(user: User) -> int:
    return sum(item.count for item in tasks_for(user))


def _cache_key(request: HttpRequest) -> str | None:
    key = request.session.session_key if hasattr(request, "session") else None
    return _CACHE_KEY.format(key) if key else None


def menu_count(request: AuthedRequest) -> int:
    """The menu's count of the user's tasks, kept in the cache for MENU_COUNT_SECONDS, per session.

    A page that works out the list anyway (the tasks page, the dashboard) counts from it and keeps that count.
    """
    user, now = request.user, time.time()
    key = _cache_key(request)
    kept = cache.get(key) if key else None
    fresh = getattr(user, _CACHE, None) is not None
    if not fresh and kept and kept["user"] == user.pk and 0 <= now - kept["at"] < MENU_COUNT_SECONDS:
        return int(kept["count"])
    count = task_count(user)
    if key:
        cache.set(key, {"user": user.pk, "count": count, "at": now}, MENU_COUNT_SECONDS)
    return count


class CountAfreshAfterChanges:
    """After any POST (or other change) the next page counts the user's tasks afresh: their own work shows at once."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD", "OPTIONS") and (key := _cache_key(request)):
            cache.delete(key)
        return self.get_response(request)


@dataclass(frozen=True)
class Group:
    effort: str
    label: str
    items: list[Waiting]


def by_effort(items: list[Waiting]) -> list[Group]:
    """The tasks grouped by the four efforts, in their order, each group keeping the urgent-first order."""
    return [
        Group(effort, str(Effort.LABELS[effort]), [w for w in items if w.effort == effort])
        for effort in Effort.ORDER
        if any(w.effort == effort for w in items)
    ]


def tasks(request: AuthedRequest) -> HttpResponse:
    """The "My tasks" page: what waits for the user, grouped by effort, urgent first; kind words when nothing does."""
    items = tasks_for(request.user)
    context = {
        "groups": by_effort(items),
        "urgent": sum(1 for w in items if w.urgent),
        "can_have_tasks": can_have_tasks(request.user),
    }
    return render(request, "tasks.html", context)
