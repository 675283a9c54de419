"""The site's menu, by what the role may do: a project-level module, since it names every app's pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import cast

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from berdaya import worklist
from berdaya.accounts.models import User
from berdaya.inbox.selectors import unread_count
from berdaya.lib.http import AuthedRequest
from berdaya.reports.supervision import may_supervise
from berdaya.reports.upward import may_report


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    permission: str | None = None
    # A count shown beside the label (unread messages); one query per page that shows the menu.
    count: Callable[[AuthedRequest], int] | None = None
    # Shown only to the users for whom this says yes (beside the permission, when the item has one).
    shown: Callable[[User], bool] | None = None

    def matches(self, view_name: str) -> int:
        """How specifically this item stands for the page `view_name`: 0 for not at all (see SECTIONS)."""
        if view_name == self.url_name:
            return len(view_name) + 1  # its own page beats any section
        return max(
            (len(prefix) for prefix in SECTIONS.get(self.url_name, ()) if view_name.startswith(prefix)), default=0
        )

    @property
    def url(self) -> str:
        return reverse(self.url_name)


def _unread(request: AuthedRequest) -> int:
    return unread_count(user=request.user)


# Later capabilities add their pages here, each behind the permission that lets a role use it.
NAVIGATION: list[NavItem] = [
    NavItem(_("Dashboard"), "dashboard"),
    # What waits for the user, counted at most once a minute (berdaya/worklist.py); not for those who only read.
    NavItem(_("My tasks"), "tasks", count=worklist.menu_count, shown=worklist.can_have_tasks),
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
    NavItem(_("Monitoring"), "monitoring:overview", "monitoring.view_levelsnapshot"),
    NavItem(_("Monev"), "monitoring:monev-due", "monitoring.add_monevvisit"),
    NavItem(_("Map"), "reports:map", "groups.view_kube"),
    NavItem(_("Supervision"), "reports:supervision", "groups.view_kube", shown=may_supervise),
    NavItem(_("Awards"), "reports:award-list", "reports.view_awardround"),
    NavItem(_("Reports"), "reports:upward", "groups.view_kube", shown=may_report),
    NavItem(_("Regions"), "regions:region-list", "regions.view_region"),
    NavItem(_("Users"), "accounts:user-list", "accounts.view_user"),
    NavItem(_("Background tasks"), "background-tasks", "worker.view_workerbeat"),
    NavItem(_("Personal data access log"), "registry:disclosure-list", "registry.view_disclosure"),
]

# URL-name prefixes of the pages each item stands for besides its own page ("groups:" = every KUBE page). On a page
# the item with the longest matching prefix is the one marked current, so "mentoring:problem-" (Problems) wins over
# "mentoring:" (My groups) on a problem's page. An item not listed here is current only on its own page.
SECTIONS: dict[str, tuple[str, ...]] = {
    "dashboard": ("reports:dashboard",),
    "registry:person-list": ("registry:",),
    "screening:candidate-list": ("screening:",),
    "targeting:cycle-list": ("targeting:",),
    "inbox:inbox": ("inbox:",),
    "mentoring:caseload": ("mentoring:",),
    "groups:kube-list": ("groups:",),
    "reports:map": ("reports:map",),
    "mentoring:problem-list": ("mentoring:problem-",),
    "training:training-list": ("training:",),
    "business:kube-list": ("business:",),
    "mentoring:report-list": ("mentoring:report-",),
    "monitoring:overview": ("monitoring:",),
    "regions:region-list": ("regions:",),
    "accounts:user-list": ("accounts:",),
    "monitoring:monev-due": ("monitoring:monev-",),
    "reports:award-list": ("reports:award-",),
    "reports:supervision": ("reports:supervision",),
    "reports:upward": ("reports:upward",),
}


def _label(item: NavItem, request: AuthedRequest) -> str | Promise:
    count = item.count(request) if item.count else 0
    return f"{item.label} ({count})" if count else item.label


def current_item(items: list[NavItem], view_name: str) -> NavItem | None:
    """The one menu item for the page `view_name`: the most specific match among `items`, the first on a tie."""
    best = max(items, key=lambda item: item.matches(view_name), default=None)
    return best if best is not None and best.matches(view_name) else None


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    items = [
        item
        for item in NAVIGATION
        if (item.permission is None or user.has_perm(item.permission)) and (item.shown is None or item.shown(user))
    ]
    current = current_item(items, request.resolver_match.view_name if request.resolver_match else "")
    return {
        # The dashboard shows the top of the user's tasks, worked out only where a template asks (a callable).
        "my_tasks": partial(worklist.tasks_for, user),
        "navigation": [
            {"label": _label(item, cast(AuthedRequest, request)), "url": item.url, "active": item is current}
            for item in items
        ],
    }
