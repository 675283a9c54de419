"""The site's menu, by what the role may do: a project-level module, since it names every app's pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from berdaya import worklist
from berdaya.accounts.models import User
from berdaya.inbox.selectors import unread_count


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    permission: str | None = None
    # A count shown beside the label (unread messages); one query per page that shows the menu.
    count: Callable[[User], int] | None = None
    # Shown only to the users for whom this says yes (beside the permission, when the item has one).
    shown: Callable[[User], bool] | None = None

    @property
    def url(self) -> str:
        return reverse(self.url_name)


def _unread(user: User) -> int:
    return unread_count(user=user)


# Later capabilities add their pages here, each behind the permission that lets a role use it.
NAVIGATION: list[NavItem] = [
    NavItem(_("Dashboard"), "dashboard"),
    # What waits for the user, counted once per request (berdaya/worklist.py); not for those who only read.
    NavItem(_("My tasks"), "tasks", count=worklist.task_count, shown=worklist.can_have_tasks),
    NavItem(_("Registry"), "registry:person-list", "registry.view_person"),
    NavItem(_("Duplicates"), "screening:candidate-list", "screening.view_matchcandidate"),
    NavItem(_("Targeting"), "targeting:cycle-list", "targeting.view_cycle"),
    NavItem(_("Inbox"), "inbox:inbox", count=_unread),
    NavItem(_("My groups"), "mentoring:caseload", "groups.view_caseload"),
    NavItem(_("KUBE"), "groups:kube-list", "groups.view_kube"),
    NavItem(_("Problems"), "mentoring:problem-list", "mentoring.view_problem"),
    NavItem(_("Trainings"), "training:training-list", "training.view_training"),
    NavItem(_("Business"), "business:kube-list", "business.view_cashentry"),
    NavItem(_("Monthly reports"), "mentoring:report-list", "mentoring.view_monthlyreport"),
    NavItem(_("Regions"), "regions:region-list", "regions.view_region"),
    NavItem(_("Users"), "accounts:user-list", "accounts.view_user"),
]


def _label(item: NavItem, user: User) -> str | Promise:
    count = item.count(user) if item.count else 0
    return f"{item.label} ({count})" if count else item.label


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    items = [
        item
        for item in NAVIGATION
        if (item.permission is None or user.has_perm(item.permission)) and (item.shown is None or item.shown(user))
    ]
    current = request.resolver_match.view_name if request.resolver_match else ""
    app = current.split(":", 1)[0] if ":" in current else current
    return {
        # The dashboard shows the top of the user's tasks: the list the menu's count was made from.
        "my_tasks": worklist.tasks_for(user),
        "navigation": [
            {
                "label": _label(item, user),
                "url": item.url,
                "active": item.url_name.split(":", 1)[0] == app and item.count is None,
            }
            for item in items
        ],
    }
