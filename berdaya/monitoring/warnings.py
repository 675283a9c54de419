"""Early warnings: the daily check that raises a warning when a group shows a sign it needs attention, clears it
when the sign is gone, and tells the people responsible what is new.

Each condition is decided as of `today` for every running group, with the thresholds of the rule set in force for
the group's regency (rules.WARNING_SETTINGS). The check reads the records in chunks of groups, each condition one
grouped query per chunk, so its cost does not grow with a query per group. One open warning per group, kind and key
(the record it is about): a warning that someone marked handled is not raised again while its condition lasts; once
the condition is gone it is closed (`cleared_on`), and it may be raised anew when the condition comes back.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.db.models import Count, Max, Min, Q, Sum
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from berdaya.accounts.models import User
from berdaya.business.models import AidStage, Asset, CashEntry, CashMonth
from berdaya.business.selectors import revolving_funds
from berdaya.groups.models import Kube, Membership
from berdaya.inbox.services import notify
from berdaya.lib.audit import acting_as, because
from berdaya.lib.errors import DomainError
from berdaya.lib.formats import iso_month
from berdaya.lib.months import add_months, month_end, month_start, months_back, next_month
from berdaya.lib.scoping import regency_code, region_q
from berdaya.lib.stored_text import keep
from berdaya.mentoring.models import Problem, Visit

from .models import EarlyWarning, LevelSnapshot, RuleSet
from .rules import Rules

Kind = EarlyWarning.Kind

# Groups read together: every condition is one grouped query per chunk.
CHUNK = 500
# Members who left within this many days count towards "members leaving".
LEAVING_WINDOW_DAYS = 90
NOTIFY_KIND = "monitoring.warnings"
# An open warning this old reaches the Dinas too, whoever is responsible for it.
ESCALATE_DAYS = 14


class WarningError(DomainError):
    pass


@dataclass(frozen=True)
class CheckResult:
    """What one run of the check did: warnings raised, cleared, open after it, and notifications sent."""

    raised: int
    cleared: int
    still_open: int
    notified: int = 0


@dataclass(frozen=True)
class Group:
    """What the check needs of one running group."""

    pk: int
    name: str
    village_id: str
    facilitator_id: int | None
    since: dt.date  # formed on, or in its status since: where "not visited" counts from without a visit
    rules: Rules


@dataclass(frozen=True)
class Found:
    """A condition that holds for a group today: the warning it gives."""

    kind: str
    key: str
    message: dict[str, Any]
    evidence_url: str


# Date arithmetic -------------------------------------------------------------------------------------------------


@functools.cache
def _url_pattern(name: str) -> str:
    """A record page's URL with a slot for its id, reversed once: thousands of warnings need not reverse each."""
    return reverse(name, args=[0]).replace("/0/", "/{}/")


def _evidence(name: str, pk: int) -> str:
    return _url_pattern(name).format(pk)


def _progress_url(kube_id: int) -> str:
    """The group's Perkembangan tab, or its page while that tab does not exist."""
    try:
        return _evidence("monitoring:kube-progress", kube_id)
    except NoReverseMatch:
        return _evidence("groups:kube-detail", kube_id)


# The conditions: each yields (kube id, Found) for the groups of one chunk where it holds today ----------------------

Check = Callable[[dict[int, Group], dt.date], Iterator[tuple[int, Found]]]


def not_visited(groups: dict[int, Group], today: dt.date) -> Iterator[tuple[int, Found]]:
    """No facilitator's visit for `not_visited_days` days (counted from the group's formation without one)."""
    last = dict(
        Visit.objects.filter(kube_id__in=groups, visited_on__lte=today)
        .values("kube_id")
        .annotate(last=Max("visited_on"))
        .values_list("kube_id", "last")
    )
    for pk, group in groups.items():
        visited = last.get(pk)
        days = (today - (visited or group.since)).days
        if days < group.rules["not_visited_days"]:
            continue
        if visited:
            message = keep(N_("No visit for %(days)s days; the last was on %(date)s."), days=days, date=visited)
        else:
            message = keep(N_("No visit recorded since %(date)s (%(days)s days)."), days=days, date=group.since)
        yield pk, Found(Kind.NOT_VISITED, "", message, _evidence("mentoring:kube-timeline", pk))


def no_cash_entry(groups: dict[int, Group], today: dt.date) -> Iterator[tuple[int, Found]]:
    """No cash-book entry for `no_cash_months` months; a book never started counts from the first aid paid."""
    last = dict(
        CashEntry.objects.filter(kube_id__in=groups, entry_date__lte=today)
        .values("kube_id")
        .annotate(last=Max("entry_date"))
        .values_list("kube_id", "last")
    )
    first_aid = dict(
        AidStage.objects.filter(kube_id__in=groups, paid_on__lte=today)
        .values("kube_id")
        .annotate(first=Min("paid_on"))
        .values_list("kube_id", "first")
    )
    for pk, group in groups.items():
        entry, aid = last.get(pk), first_aid.get(pk)
        start = entry or aid
        if start is None or today < add_months(start, group.rules["no_cash_months"]):
            continue
        if entry:
            message = keep(N_("No cash-book entry since %(date)s."), date=entry)
        else:
            message = keep(N_("No cash-book entry since the aid was paid on %(date)s."), date=aid)
        yield pk, Found(Kind.NO_CASH_ENTRY, "", message, _evidence("business:cash-book", pk))


def month_unclosed(groups: dict[int, Group], today: dt.date) -> Iterator[tuple[int, Found]]:
    """Each month since the book's first entry still open `unclosed_days` days after its end (months close in
    order, so every month after the last closed one is open)."""
    first = dict(
        CashEntry.objects.filter(kube_id__in=groups, entry_date__lte=today)
        .values("kube_id")
        .annotate(first=Min("month"))
        .values_list("kube_id", "first")
    )
    closed = dict(
        CashMonth.objects.filter(kube_id__in=groups)
        .values("kube_id")
        .annotate(last=Max("month"))
        .values_list("kube_id", "last")
    )
    for pk, group in groups.items():
        if pk not in first:
            continue
        month = next_month(closed[pk]) if pk in closed else first[pk]
        grace = dt.timedelta(days=group.rules["unclosed_days"])
        while today > month_end(month) + grace:
            message = keep(N_("The cash book of %(month)s is not closed yet."), month=iso_month(month))
            yield pk, Found(Kind.MONTH_UNCLOSED, iso_month(month), message, _evidence("business:cash-book", pk))
            month = next_month(month)


def sales_falling(groups: dict[int, Group], today: dt.date) -> Iterator[tuple[int, Found]]:
    """Sales (net of reversed sales) lower in each of the last `sales_falling_months` complete months than in the
    month before it."""
    last = months_back(month_start(today), 1)
    longest = max(group.rules["sales_falling_months"] for group in groups.values())
    window = CashEntry.objects.filter(kube_id__in=groups, month__gte=months_back(last, longest), month__lte=last)
    sales: dict[tuple[int, dt.date], int] = defaultdict(int)
    for kube_id, month, total in (
        window.filter(category=CashEntry.Category.SALES).values_list("kube_id", "month").annotate(t=Sum("amount"))
    ):
        sales[(kube_id, month)] += total
    for kube_id, month, total in (
        window.filter(category=CashEntry.Category.REVERSAL, reverses__category=CashEntry.Category.SALES)
        .values_list("kube_id", "month")
        .annotate(t=Sum("amount"))
    ):
        sales[(kube_id, month)] -= total  # a reversed sale takes the sale back in the month it is reversed
    for pk, group in groups.items():
        count = group.rules["sales_falling_months"]
        months = [months_back(last, back) for back in range(count, -1, -1)]  # oldest first
        figures = [sales[(pk, month)] for month in months]
        if all(later < earlier for earlier, later in zip(figures, figures[1:], strict=False)):
            message = keep(
                N_("Sales fell %(count)s months in a row, to %(month)s."), count=count, month=iso_month(last)
            )
            yield pk, Found(Kind.SALES_FALLING, iso_month(last), message, _evidence("business:dashboard", pk))


def fund_arrears(groups: dict[int, Group], today: dt.date) -> Iterator[tuple[int, Found]]:
    """Revolving-fund arrears above `arrears_percent` of what the group's loans still owe."""
    for pk, loans in revolving_funds(kube_ids=groups, today=today).items():
        outstanding = sum(status.outstanding for status in loans)
        arrears = sum(status.arrears for status in loans)
        if outstanding <= 0 or arrears * 100 <= groups[pk].rules["arrears_percent"] * outstanding:
            continue
        percent = arrears * 100 // outstanding
        message = keep(N_("Revolving-fund arrears are %(percent)s%% of what the loans still owe."), percent=percent)
        yield pk, Found(Kind.FUND_ARREARS, "", message, _evidence("business:fund", pk))


PROBLEM_DAYS: dict[int, str] = {
    Problem.Severity.HIGH: "problem_days_high",
    Problem.Severity.MEDIUM: "problem_days_medium",
    Problem.Severity.LOW: "problem_days_low",
}


def problem_overdue(groups: dict[int, Group], today: dt.date) -> Iterator[tuple[int, Found]]:
    """An open problem whose deadline (noticed on + the days its severity allows) is past."""
    problems = (
        Problem.objects.filter(kube_id__in=groups, reported_on__lte=today)
        .filter(Q(resolved_on__isnull=True) | Q(resolved_on__gt=today))
        .values_list("pk", "kube_id", "reported_on", "severity")
    )
    for pk, kube_id, reported_on, severity in problems:
        deadline = reported_on + dt.timedelta(days=groups[kube_id].rules[PROBLEM_DAYS[severity]])
        if deadline < today:
            message = keep(
                N_("A problem noticed on %(date)s is still open after its deadline, %(deadline)s."),
                date=reported_on,
                deadline=deadline,
            )
            yield kube_id, Found(Kind.PROBLEM_OVERDUE, str(pk), message, _evidence("mentoring:problem-detail", pk))


def members_leaving(groups: dict[int, Group], today: dt.date) -> Iterator[tuple[int, Found]]:
    """At least `members_left` members left within the last 90 days."""
    since = today - dt.timedelta(days=LEAVING_WINDOW_DAYS)
    left = (
        Membership.objects.filter(kube_id__in=groups, left_on__gt=since, left_on__lte=today)
        .values("kube_id")
        .annotate(n=Count("pk"))
        .values_list("kube_id", "n")
    )
    for pk, count in left:
        if count >= groups[pk].rules["members_left"]:
            message = keep(
                N_("%(count)s members left the group within %(days)s days."), count=count, days=LEAVING_WINDOW_DAYS
            )
            yield pk, Found(Kind.MEMBERS_LEAVING, "", message, _evidence("groups:kube-detail", pk))


PURCHASES = (CashEntry.Category.MATERIALS, CashEntry.Category.EQUIPMENT)


def aid_unspent(groups: dict[int, Group], today: dt.date) -> Iterator[tuple[int, Found]]:
    """An aid stage paid `aid_unspent_days` days ago with no purchase since (materials or equipment in the cash
    book, or an asset received)."""
    stages = list(
        AidStage.objects.filter(kube_id__in=groups, paid_on__lte=today).values_list(
            "pk", "kube_id", "number", "paid_on"
        )
    )
    if not stages:
        return
    bought = dict(
        CashEntry.objects.filter(
            kube_id__in=groups, kind=CashEntry.Kind.EXPENSE, category__in=PURCHASES, entry_date__lte=today
        )
        .values("kube_id")
        .annotate(last=Max("entry_date"))
        .values_list("kube_id", "last")
    )
    for kube_id, received in (
        Asset.objects.filter(kube_id__in=groups, received_on__lte=today)
        .values("kube_id")
        .annotate(last=Max("received_on"))
        .values_list("kube_id", "last")
    ):
        bought[kube_id] = max(bought.get(kube_id, received), received)
    for pk, kube_id, number, paid_on in stages:
        assert paid_on is not None  # paid stages only (the filter)
        purchase = bought.get(kube_id)
        if purchase is not None and purchase >= paid_on:
            continue
        if today < paid_on + dt.timedelta(days=groups[kube_id].rules["aid_unspent_days"]):
            continue
        message = keep(
            N_("Aid stage %(number)s was paid on %(date)s and no purchase is recorded since."),
            number=number,
            date=paid_on,
        )
        yield kube_id, Found(Kind.AID_UNSPENT, str(pk), message, _evidence("business:aid", kube_id))


def asset_damaged(groups: dict[int, Group], today: dt.date) -> Iterator[tuple[int, Found]]:
    """An asset reported broken, or lost or sold; the warning clears when it is repaired."""
    assets = Asset.objects.filter(
        kube_id__in=groups, condition__in=[Asset.Condition.BROKEN, Asset.Condition.LOST]
    ).values_list("pk", "kube_id", "item", "condition")
    for pk, kube_id, item, condition in assets:
        if condition == Asset.Condition.BROKEN:
            message = keep(N_("The asset %(item)s is reported broken."), item=item)
        else:
            message = keep(N_("The asset %(item)s is reported lost or sold."), item=item)
        yield kube_id, Found(Kind.ASSET_DAMAGED, str(pk), message, _evidence("business:aid", kube_id))


def level_dropped(groups: dict[int, Group], today: dt.date) -> Iterator[tuple[int, Found]]:
    """The group's latest monthly level is lower than the month before's."""
    current = month_start(today)
    levels: dict[int, dict[dt.date, int]] = defaultdict(dict)
    for kube_id, month, level in LevelSnapshot.objects.filter(
        kube_id__in=groups, month__gte=months_back(current, 12), month__lte=current
    ).values_list("kube_id", "month", "level"):
        levels[kube_id][month] = level
    for pk, by_month in levels.items():
        latest = max(by_month)
        before = by_month.get(months_back(latest, 1))
        if before is None or by_month[latest] >= before:
            continue
        message = keep(N_("The group's level dropped in %(month)s."), month=iso_month(latest))
        yield pk, Found(Kind.LEVEL_DROPPED, iso_month(latest), message, _progress_url(pk))


CHECKS: tuple[Check, ...] = (
    not_visited,
    no_cash_entry,
    month_unclosed,
    sales_falling,
    fund_arrears,
    problem_overdue,
    members_leaving,
    aid_unspent,
    asset_damaged,
    level_dropped,
)


# The run -----------------------------------------------------------------------------------------------------------


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _rules_by_regency(today: dt.date) -> Callable[[str], Rules]:
    """The rules in force today for each regency, from one query of every rule set in force by then."""
    versions: dict[str, list[RuleSet]] = defaultdict(list)
    for rule_set in RuleSet.objects.filter(effective_from__lte=today):
        versions[rule_set.region_id].append(rule_set)
    cache: dict[str, Rules] = {}

    def rules(regency: str) -> Rules:
        if regency not in cache:
            cache[regency] = Rules.effective(regency=regency, on=today, rule_sets=versions.get(regency, []))
        return cache[regency]

    return rules


def findings(groups: dict[int, Group], today: dt.date) -> dict[tuple[int, str, str], Found]:
    """Every condition that holds today for these groups, by (kube id, kind, key)."""
    found: dict[tuple[int, str, str], Found] = {}
    for check in CHECKS:
        for kube_id, finding in check(groups, today):
            found[(kube_id, finding.kind, finding.key)] = finding
    return found


def check_warnings(*, today: dt.date, kube_ids: Iterable[int] | None = None, by: User) -> CheckResult:
    """Raise a warning for every condition that holds today and has none open, clear the open ones whose
    condition is gone, and tell each responsible person (or the Dinas, for a group without a facilitator) what
    is new."""
    kubes = Kube.objects.all()
    if kube_ids is not None:
        kubes = kubes.filter(pk__in=list(kube_ids))
    running = list(
        kubes.running()
        .order_by("pk")
        .values_list("pk", "name", "village_id", "facilitator_id", "formed_on", "status_since")
    )
    rules = _rules_by_regency(today)
    raised: list[EarlyWarning] = []
    cleared = 0
    with acting_as(by):
        for chunk in _chunks(running, CHUNK):
            groups = {
                pk: Group(pk, name, village, facilitator, formed_on or since, rules(regency_code(village)))
                for pk, name, village, facilitator, formed_on, since in chunk
            }
            new, gone = _apply(groups, findings(groups, today), today, by)
            raised += new
            cleared += gone
        # Groups that ended (graduated, dissolved) no longer need attention.
        cleared += _clear(
            EarlyWarning.objects.filter(kube__in=kubes.exclude(status__in=Kube.MENTORED), cleared_on__isnull=True),
            today,
            by,
        )
        notified = _deliver(raised, {pk: (name, village) for pk, name, village, *_ in running}, by)
    still_open = EarlyWarning.objects.filter(kube__in=kubes).open().count()
    return CheckResult(raised=len(raised), cleared=cleared, still_open=still_open, notified=notified)


def _apply(
    groups: dict[int, Group], found: dict[tuple[int, str, str], Found], today: dt.date, by: User
) -> tuple[list[EarlyWarning], int]:
    """Write what changed for one chunk: the new warnings, the ones whose condition is gone, and who is responsible
    for those still open when the group changed facilitator."""
    # Open warnings, and handled ones whose condition has not yet gone: neither is raised again. Read as plain
    # values: on most days nearly all of them stay as they are.
    current = EarlyWarning.objects.filter(kube_id__in=groups, cleared_on__isnull=True).values_list(
        "pk", "kube_id", "kind", "key", "handled_at", "responsible_id"
    )
    known: set[tuple[int, str, str]] = set()
    gone: list[int] = []
    moved: dict[int, int | None] = {}
    for pk, kube_id, kind, key, handled_at, responsible_id in current:
        known.add((kube_id, kind, key))
        if (kube_id, kind, key) not in found:
            gone.append(pk)
        elif handled_at is None and responsible_id != groups[kube_id].facilitator_id:
            moved[pk] = groups[kube_id].facilitator_id
    if moved:
        reassigned = list(EarlyWarning.objects.filter(pk__in=moved))
        for warning in reassigned:
            warning.responsible_id = moved[warning.pk]
        bulk_update_with_history(
            reassigned, EarlyWarning, ["responsible"], default_user=by, default_change_reason="new facilitator"
        )
    new = [
        EarlyWarning(
            kube_id=kube_id,
            kind=kind,
            key=key,
            raised_on=today,
            message=finding.message,
            evidence_url=finding.evidence_url,
            responsible_id=groups[kube_id].facilitator_id,
        )
        for (kube_id, kind, key), finding in found.items()
        if (kube_id, kind, key) not in known
    ]
    if new:
        bulk_create_with_history(new, EarlyWarning, default_user=by, default_change_reason="raised")
    return new, _clear(EarlyWarning.objects.filter(pk__in=gone), today, by) if gone else 0


def _clear(warnings: Iterable[EarlyWarning], today: dt.date, by: User) -> int:
    rows = list(warnings)
    for warning in rows:
        warning.cleared_on = today
    if rows:
        bulk_update_with_history(rows, EarlyWarning, ["cleared_on"], default_user=by, default_change_reason="cleared")
    return len(rows)


def _deliver(raised: list[EarlyWarning], groups: dict[int, tuple[str, str]], by: User) -> int:
    """One notification per responsible facilitator about its new warnings; for groups without one, one per
    regency to its Dinas officers."""
    mine: dict[int, list[EarlyWarning]] = defaultdict(list)
    office: dict[str, list[EarlyWarning]] = defaultdict(list)
    names = {pk: name for pk, (name, _village) in groups.items()}
    regency_of = {pk: regency_code(village) for pk, (_name, village) in groups.items()}
    for warning in raised:
        if warning.responsible_id:
            mine[warning.responsible_id].append(warning)
        else:
            office[regency_of[warning.kube_id]].append(warning)
    sent = 0
    users = User.objects.in_bulk(list(mine))
    for user_id, warnings in mine.items():
        user = users[user_id]
        sent += bool(
            notify(
                kind=NOTIFY_KIND,
                region=regency_of[warnings[0].kube_id],
                users=[user],
                subject=_subject(warnings, names),
                url=f"{reverse('monitoring:warning-list')}?mine=1",
                by=by,
            )
        )
    for regency, warnings in office.items():
        sent += bool(
            notify(
                kind=NOTIFY_KIND,
                region=regency,
                roles=[User.Role.OFFICER],
                subject=_subject(warnings, names),
                url=f"{reverse('monitoring:warning-list')}?unassigned=1",
                by=by,
            )
        )
    return sent


def _subject(warnings: list[EarlyWarning], names: dict[int, str], shown: int = 3) -> dict[str, Any]:
    groups = sorted({names[w.kube_id] for w in warnings})
    listed = ", ".join(groups[:shown]) + (", …" if len(groups) > shown else "")
    return keep(N_("New early warnings: %(count)s, for %(groups)s"), count=len(warnings), groups=listed)


# Handling ---------------------------------------------------------------------------------------------------------


def handle_warning(*, warning: EarlyWarning, note: str, by: User) -> EarlyWarning:
    """Mark an open warning handled, saying what was done."""
    note = (note or "").strip()
    if not note:
        raise WarningError(_("Say what was done about the warning."))
    with acting_as(by):
        warning = EarlyWarning.objects.select_for_update().get(pk=warning.pk)
        if not warning.is_open:
            raise WarningError(_("This warning is no longer open."))
        warning.handled_at = timezone.now()
        warning.handled_by = by
        warning.handled_note = note
        because(warning, "handled")
        warning.save(update_fields=["handled_at", "handled_by", "handled_note"])
    return warning


# Reading ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WarningFilter:
    """What the warning list is narrowed to; empty values leave it open."""

    kind: str = ""
    kecamatan: str = ""
    kube: int | None = None
    mine: bool = False  # the user is responsible for them
    unassigned: bool = False  # groups without a facilitator
    escalated: bool = False  # the Dinas's share: no one responsible, or open for 14 days or more


def escalated_q(today: dt.date) -> Q:
    """The Dinas's share of the open warnings: groups without a facilitator, and warnings left open too long."""
    return Q(responsible__isnull=True) | Q(raised_on__lte=today - dt.timedelta(days=ESCALATE_DAYS))


def open_warnings(*, user: User, filters: WarningFilter, today: dt.date | None = None) -> Any:
    """The open warnings in the user's scope, newest first, narrowed by `filters`."""
    today = today or timezone.localdate()
    warnings = EarlyWarning.objects.visible_to(user).open().select_related("kube__village", "responsible")
    if filters.kind in Kind.values:
        warnings = warnings.filter(kind=filters.kind)
    if filters.kecamatan:
        warnings = warnings.filter(region_q("kube__village__code", filters.kecamatan))
    if filters.kube:
        warnings = warnings.filter(kube_id=filters.kube)
    if filters.mine:
        warnings = warnings.filter(responsible=user)
    if filters.unassigned:
        warnings = warnings.filter(responsible__isnull=True)
    if filters.escalated:
        warnings = warnings.filter(escalated_q(today))
    return warnings.order_by("-raised_on", "kube__name", "pk")
