"""The maturity engine: a group's level and four-effort scorecard as of the end of a month, from its own records.

One pass computes many groups and many months: for each chunk of groups, one grouped query per source (the cash
book by group, month and category; meetings; memberships; trainings attended; aid; assets; problems ...), then
cumulative sums and windows in Python, with exact ints for money. No query per group or per month, so a regency's
two years of snapshots cost a few dozen queries per 200 groups.

The rules (thresholds and weights) come from the rule set in force for the group's regency at the end of the month
(rules.py). What each indicator and scorecard component means is written here, one place each: the indicator's
value text (`_VALUES`) and the component's formula (`COMPONENTS`) are what the Perkembangan tab shows.

"As of month M": the state at the end of M, or on `today` for the current month. "The last six months": M-5..M.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import BooleanField, Case, Count, Sum, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from berdaya.business.models import (
    AidStage,
    Asset,
    AssetCheck,
    BusinessPlan,
    CashEntry,
    CashMonth,
    CreditApplication,
    IksEntry,
    Partnership,
    ProfitAllocation,
)
from berdaya.business.money import whole
from berdaya.groups.models import FacilitatorAssignment, Kube, Membership
from berdaya.lib import formats
from berdaya.lib.months import month_end
from berdaya.lib.scoping import regency_code
from berdaya.mentoring.models import EnvironmentRecord, Meeting, MonthlyReport, Problem
from berdaya.training.models import Participant, Training

from .models import Bina, Level, RuleSet
from .rules import INDICATORS, Rules

CHUNK = 200

Category = CashEntry.Category
# Not the group's own capital (as on the business dashboard): money lent to members is still the group's, and a
# bank loan is owed back.
NOT_CAPITAL = frozenset({Category.LOAN_ISSUED, Category.LOAN_REPAYMENT, Category.CREDIT, Category.CREDIT_REPAYMENT})
NOT_PROFIT = frozenset(CashEntry.NOT_PROFIT)
# Assets that no longer count as the group's capital.
GONE = frozenset({Asset.Condition.BROKEN, Asset.Condition.LOST})
NON_MEMBER_IKS = (IksEntry.Purpose.POOR_FAMILY, IksEntry.Purpose.COMMUNITY)
SENT_REPORT = (MonthlyReport.Status.SUBMITTED, MonthlyReport.Status.ACKNOWLEDGED)
PROBLEM_DAYS: dict[int, str] = {
    Problem.Severity.HIGH: "problem_days_high",
    Problem.Severity.MEDIUM: "problem_days_medium",
    Problem.Severity.LOW: "problem_days_low",
}
ZERO = Decimal(0)
ONE = Decimal(1)


# The results ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """A link to the records behind an indicator."""

    label: str
    url: str


@dataclass(frozen=True)
class IndicatorResult:
    code: str
    level: Level
    bina: Bina
    label: str
    value: str  # what the user reads: "4 of 6 months"
    number: Decimal | int | None
    threshold: int | None
    holds: bool
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Component:
    """One part of an effort's score: a value 0..1, its weight, and how it was computed."""

    bina: Bina
    code: str
    label: str
    value: Decimal
    weight: int
    formula: str


@dataclass(frozen=True)
class Evaluation:
    kube_id: int
    month: dt.date
    computed_level: Level
    indicators: tuple[IndicatorResult, ...]
    components: tuple[Component, ...]
    scores: dict[str, int]  # "manusia", "usaha", "lingkungan", "kelembagaan", "total": 0..100
    rules: Rules = field(compare=False)

    def holding(self) -> list[IndicatorResult]:
        """The indicators that hold the group at its level (those of its level and below)."""
        return [i for i in self.indicators if i.level <= self.computed_level]

    def blocking(self) -> list[IndicatorResult]:
        """The indicators of the next level that do not hold yet."""
        return [i for i in self.indicators if i.level == self.computed_level + 1 and not i.holds]


# What each value and formula says: the one place the words are --------------------------------------------------


@dataclass(frozen=True)
class ComponentSpec:
    bina: Bina
    code: str
    label: str | Promise
    weight: str  # the rules key of its weight
    formula: str | Promise  # with named placeholders, filled by the component's figures


COMPONENTS: tuple[ComponentSpec, ...] = (
    ComponentSpec(
        Bina.MANUSIA,
        "training_coverage",
        _("Training coverage"),
        "w_training_coverage",
        _("%(trained)s of %(members)s current members attended a training"),
    ),
    ComponentSpec(
        Bina.MANUSIA,
        "attendance",
        _("Meeting attendance"),
        "w_attendance",
        _("on average %(percent)s%% of the members came to the %(meetings)s meetings of the last six months"),
    ),
    ComponentSpec(
        Bina.MANUSIA,
        "skills",
        _("Technical skills"),
        "w_skills",
        _("%(trained)s of %(members)s current members attended a technical training"),
    ),
    ComponentSpec(
        Bina.USAHA,
        "revenue",
        _("Revenue against the plan"),
        "w_revenue",
        _("sales of the last six months %(sales)s against the plan's %(planned)s (at most 1)"),
    ),
    ComponentSpec(
        Bina.USAHA, "profit", _("Months with a profit"), "w_profit", _("%(months)s of 6 months with a profit")
    ),
    ComponentSpec(
        Bina.USAHA,
        "capital",
        _("Capital growth"),
        "w_capital",
        _("capital %(capital)s against the target %(target)s (the aid %(aid)s plus %(growth)s%%; at most 1)"),
    ),
    ComponentSpec(
        Bina.USAHA,
        "channels",
        _("Market channels"),
        "w_channels",
        _("%(channels)s market channels in the last six months, of 3"),
    ),
    ComponentSpec(
        Bina.USAHA,
        "access",
        _("Access to capital"),
        "w_access",
        _("1 with an active partnership or an approved credit, else 0: %(state)s"),
    ),
    ComponentSpec(
        Bina.LINGKUNGAN,
        "practice",
        _("Environmental practice"),
        "w_practice",
        _("%(followed)s of %(asked)s practices followed at the latest record (%(date)s)"),
    ),
    ComponentSpec(
        Bina.LINGKUNGAN,
        "neighbours",
        _("Neighbours employed"),
        "w_neighbours",
        _(
            "at most %(people)s neighbours employed in the last six months, of 2 (0.5 when only the cash book shows wages)"
        ),
    ),
    ComponentSpec(
        Bina.LINGKUNGAN,
        "community",
        _("Contributions to the community"),
        "w_community",
        _("1 with IKS for non-members, social activities or a community contribution in 12 months: %(state)s"),
    ),
    ComponentSpec(
        Bina.KELEMBAGAAN, "meetings", _("Meetings"), "w_meetings", _("%(months)s of 6 months with a meeting")
    ),
    ComponentSpec(
        Bina.KELEMBAGAAN, "officers", _("Officers active"), "w_officers", _("%(filled)s of 3 offices filled")
    ),
    ComponentSpec(
        Bina.KELEMBAGAAN,
        "books",
        _("Books closed"),
        "w_books",
        _("%(closed)s of %(due)s due months closed on time (1 when none is due)"),
    ),
    ComponentSpec(
        Bina.KELEMBAGAAN,
        "problems",
        _("Problems solved on time"),
        "w_problems",
        _("%(solved)s of %(due)s problems due in 12 months solved by their deadline (1 when none)"),
    ),
    ComponentSpec(
        Bina.KELEMBAGAAN,
        "reports",
        _("Facilitator's monthly reports"),
        "w_reports",
        _("%(months)s of 6 months with the facilitator's report sent"),
    ),
)
EFFORT_WEIGHTS = {
    Bina.MANUSIA: "w_manusia",
    Bina.USAHA: "w_usaha",
    Bina.LINGKUNGAN: "w_lingkungan",
    Bina.KELEMBAGAAN: "w_kelembagaan",
}

_VALUES: dict[str, str] = {
    "facilitator_yes": N_("assigned"),
    "facilitator_no": N_("no facilitator"),
    "officers": N_("%(filled)s of 3 offices filled"),
    "members_trained": N_("%(trained)s of %(members)s members trained (%(percent)s%%)"),
    "aid_yes": N_("%(amount)s paid"),
    "aid_no": N_("no aid stage paid"),
    "sales_yes": N_("%(amount)s of sales so far"),
    "sales_no": N_("no sales recorded"),
    "months6": N_("%(months)s of 6 months"),
    "months_closed": N_("%(closed)s of %(due)s due months closed on time"),
    "months_closed_not_due": N_(
        "%(closed)s of %(due)s due months closed on time (%(not_due)s not yet due, counted as neither)"
    ),
    "allocated_yes": N_("allocated on %(date)s"),
    "allocated_no": N_("no allocation to capital, members and IKS in 12 months"),
    "members": N_("%(members)s current members"),
    "capital": N_("capital %(capital)s against aid %(aid)s (%(percent)s%%)"),
    "capital_no_aid": N_("no aid received yet"),
    "revenue": N_("%(recent)s in the last six months against %(prior)s in the six before"),
    "revenue_no_prior": N_("%(recent)s in the last six months; no sales in the six before"),
    "iks_yes": N_("IKS used for non-members on %(date)s"),
    "iks_no": N_("no IKS for non-members in 12 months"),
    "partner_yes": N_("partnership active"),
    "credit_yes": N_("credit approved"),
    "partner_no": N_("no partnership or approved credit"),
    "problems_yes": N_("%(count)s open past their deadline"),
    "problems_no": N_("none open past its deadline"),
    "yes": N_("yes"),
    "no": N_("no"),
    "none": N_("none"),
}

_SOURCES: dict[str, tuple[str, str | Promise]] = {
    "group": ("groups:kube-detail", _("Group page")),
    "timeline": ("mentoring:kube-timeline", _("Timeline")),
    "cash": ("business:cash-book", _("Cash book")),
    "aid": ("business:aid", _("Aid and assets")),
    "iks": ("business:iks", _("IKS and profit allocation")),
    "access": ("business:access", _("Access to capital and markets")),
    "dashboard": ("business:dashboard", _("Business dashboard")),
}


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def month_of(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def _ratio(part: int | Decimal, whole_: int | Decimal, cap: Decimal = ONE) -> Decimal:
    if not whole_ or part <= 0:
        return ZERO
    return min(cap, (Decimal(part) / Decimal(whole_)).quantize(Decimal("0.0001"), ROUND_HALF_UP))


def _percent(value: Decimal) -> int:
    return int((value * 100).quantize(ONE, ROUND_HALF_UP))


class _Words:
    """Every text the engine writes, translated once per call in the active language (gettext per indicator and
    month would cost more than the computing)."""

    def __init__(self) -> None:
        self.values = {key: gettext(message) for key, message in _VALUES.items()}
        self.labels = {spec.code: str(spec.label) for spec in INDICATORS}
        self.components = {spec.code: (str(spec.label), str(spec.formula)) for spec in COMPONENTS}
        self.sources = {key: str(label) for key, (_name, label) in _SOURCES.items()}
        self.training, self.problem = gettext("Training"), gettext("Problem")
        self.separator = formats.number(1000)[1:-3]  # "," or "."
        self._days: dict[dt.date, str] = {}

    def text(self, key: str, **params: Any) -> str:
        text = self.values[key]
        return text % params if params else text

    def rupiah(self, amount: int) -> str:
        return "Rp " + f"{amount:,}".replace(",", self.separator)

    def day(self, value: dt.date) -> str:
        if value not in self._days:
            self._days[value] = formats.day(value)
        return self._days[value]


# The records of a chunk of groups, read once --------------------------------------------------------------------


@dataclass
class _Books:
    """A group's cash book by month index: net sales, profit, change of capital; months with an entry or wages."""

    sales: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    profit: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    capital: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    entries: set[int] = field(default_factory=set)
    wages: set[int] = field(default_factory=set)
    channels: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    # Prefix sums (sorted month, cumulative) built once.
    _cum: dict[str, tuple[list[int], list[int]]] = field(default_factory=dict)

    def cumulative(self, name: str, upto: int) -> int:
        if name not in self._cum:
            series: dict[int, int] = getattr(self, name)
            keys = sorted(series)
            sums, running = [], 0
            for key in keys:
                running += series[key]
                sums.append(running)
            self._cum[name] = (keys, sums)
        keys, sums = self._cum[name]
        at = bisect.bisect_right(keys, upto)
        return sums[at - 1] if at else 0

    def window(self, name: str, last: int, months: int = 6) -> int:
        series: dict[int, int] = getattr(self, name)
        return sum(series.get(m, 0) for m in range(last - months + 1, last + 1))


@dataclass
class _Group:
    kube_id: int
    regency: str
    facilitator_id: int | None
    books: _Books = field(default_factory=_Books)
    members: list[tuple[int, str, dt.date, dt.date | None]] = field(default_factory=list)
    trained: dict[int, list[tuple[dt.date, str, int]]] = field(default_factory=dict)  # membership -> trainings
    assignments: list[tuple[int, dt.date, dt.date | None]] = field(default_factory=list)
    aid: list[tuple[dt.date, int]] = field(default_factory=list)
    assets: list[tuple[int, int, bool, dt.date, str]] = field(default_factory=list)  # value, pk, from aid, ...
    asset_checks: dict[int, list[tuple[dt.date, str]]] = field(default_factory=dict)
    reports: set[tuple[int, int]] = field(default_factory=set)  # (facilitator, month index) with a report sent
    closed: dict[int, dt.date] = field(default_factory=dict)  # month index -> the day it was closed
    meetings: list[tuple[dt.date, bool, int]] = field(default_factory=list)  # held_on, has minutes, attendees
    allocations: list[dt.date] = field(default_factory=list)
    iks_out: list[dt.date] = field(default_factory=list)
    partnerships: list[tuple[dt.date, dt.date | None]] = field(default_factory=list)
    credits: list[dt.date] = field(default_factory=list)
    problems: list[tuple[int, dt.date, int, dt.date | None]] = field(default_factory=list)
    planned_revenue: int = 0
    environment: list[tuple[dt.date, dict[str, Any], int, bool]] = field(default_factory=list)
    w: _Words = field(default_factory=_Words)
    urls: dict[str, Source] = field(default_factory=dict)

    def url(self, key: str) -> Source:
        if key not in self.urls:
            self.urls[key] = Source(self.w.sources[key], reverse(_SOURCES[key][0], args=[self.kube_id]))
        return self.urls[key]


def _load(kube_ids: list[int], first: int, last: int, last_day: dt.date, words: _Words) -> dict[int, _Group]:
    """Every record the engine reads for these groups up to `last_day`, one grouped query per source."""
    groups = {
        pk: _Group(kube_id=pk, regency=regency_code(village), facilitator_id=facilitator, w=words)
        for pk, village, facilitator in Kube.objects.filter(pk__in=kube_ids)
        .order_by()
        .values_list("pk", "village_id", "facilitator_id")
    }
    ids = list(groups)
    window_start = month_of(first - 17)  # the twelve months before the earliest six

    cash = CashEntry.objects.filter(kube_id__in=ids, month__lte=month_of(last)).order_by()
    rows = [
        *cash.exclude(category=Category.REVERSAL)
        .values_list("kube_id", "month", "kind", "category")
        .annotate(total=Sum("amount")),
        # A reversal counts against the category of the entry it reverses (few rows: the join is cheap there).
        *cash.filter(category=Category.REVERSAL)
        .values_list("kube_id", "month", "kind", "reverses__category")
        .annotate(total=Sum("amount")),
    ]
    for kube_id, month, kind, category, total in rows:
        books = groups[kube_id].books
        m = month_index(month)
        amount = whole(total)
        signed = amount if kind == CashEntry.Kind.INCOME else -amount
        books.entries.add(m)
        if category == Category.SALES:
            books.sales[m] += signed
        if category not in NOT_PROFIT:
            books.profit[m] += signed
        if category not in NOT_CAPITAL:
            books.capital[m] += signed
        if category == Category.WAGES and kind == CashEntry.Kind.EXPENSE:
            books.wages.add(m)
    for kube_id, month, channel in (
        cash.filter(category=Category.SALES, month__gte=month_of(first - 5), channel__gt="")
        .values_list("kube_id", "month", "channel")
        .distinct()
    ):
        groups[kube_id].books.channels[month_index(month)].add(channel)

    for kube_id, month, closed_at in (
        CashMonth.objects.filter(kube_id__in=ids).order_by().values_list("kube_id", "month", "closed_at")
    ):
        groups[kube_id].closed[month_index(month)] = timezone.localdate(closed_at)

    membership_kube: dict[int, int] = {}
    for kube_id, pk, role, joined, left in (
        Membership.objects.filter(kube_id__in=ids)
        .order_by()
        .values_list("kube_id", "pk", "role", "joined_on", "left_on")
    ):
        groups[kube_id].members.append((pk, role, joined, left))
        membership_kube[pk] = kube_id
    for membership, training, ends_on, kind in (
        Participant.objects.filter(membership__kube_id__in=ids, attended=True, training__ends_on__lte=last_day)
        .values_list("membership_id", "training_id", "training__ends_on", "training__kind")
        .order_by("training__ends_on")
    ):
        groups[membership_kube[membership]].trained.setdefault(membership, []).append((ends_on, kind, training))

    for kube_id, facilitator, started, ended in (
        FacilitatorAssignment.objects.filter(kube_id__in=ids)
        .order_by()
        .values_list("kube_id", "facilitator_id", "started_on", "ended_on")
    ):
        groups[kube_id].assignments.append((facilitator, started, ended))
    for kube_id, paid_on, amount in (
        AidStage.objects.filter(kube_id__in=ids, paid_on__lte=last_day)
        .order_by()
        .values_list("kube_id", "paid_on", "amount")
    ):
        if paid_on is not None:
            groups[kube_id].aid.append((paid_on, amount))

    # An asset's condition at a month's end: its latest check by then; before any check, as it was recorded.
    checks: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    for asset, checked_on, condition in (
        AssetCheck.objects.filter(asset__kube_id__in=ids).order_by().values_list("asset_id", "checked_on", "condition")
    ).order_by("asset_id", "checked_on", "pk"):
        checks[asset].append((checked_on, condition))
    for kube_id, pk, value, from_aid, received, condition in (
        Asset.objects.filter(kube_id__in=ids, received_on__lte=last_day)
        .order_by()
        .values_list("kube_id", "pk", "value", "from_aid", "received_on", "condition")
    ):
        groups[kube_id].assets.append((value, pk, from_aid, received, condition))
    for group in groups.values():
        group.asset_checks = {pk: checks[pk] for _v, pk, *_rest in group.assets if pk in checks}

    has_minutes = Case(When(minutes="", then=Value(False)), default=Value(True), output_field=BooleanField())
    for kube_id, held_on, minutes, attendees in (
        Meeting.objects.filter(kube_id__in=ids, held_on__gte=month_of(first - 5), held_on__lte=last_day)
        .order_by()
        .annotate(with_minutes=has_minutes, attendees_n=Count("attendees"))
        .values_list("kube_id", "held_on", "with_minutes", "attendees_n")
    ):
        groups[kube_id].meetings.append((held_on, bool(minutes), attendees))

    for kube_id, on in (
        ProfitAllocation.objects.filter(
            kube_id__in=ids,
            allocated_on__gte=window_start,
            allocated_on__lte=last_day,
            to_capital__gt=0,
            to_members__gt=0,
            to_iks__gt=0,
        )
        .order_by()
        .values_list("kube_id", "allocated_on")
    ):
        groups[kube_id].allocations.append(on)
    for kube_id, on in (
        IksEntry.objects.filter(
            kube_id__in=ids,
            kind=IksEntry.Kind.USE,
            purpose__in=NON_MEMBER_IKS,
            entry_date__gte=window_start,
            entry_date__lte=last_day,
        )
        .order_by()
        .values_list("kube_id", "entry_date")
    ):
        groups[kube_id].iks_out.append(on)
    for kube_id, started, ended in (
        Partnership.objects.filter(kube_id__in=ids, started_on__lte=last_day)
        .order_by()
        .values_list("kube_id", "started_on", "ended_on")
    ):
        groups[kube_id].partnerships.append((started, ended))
    for kube_id, decided, applied in (
        CreditApplication.objects.filter(kube_id__in=ids, outcome=CreditApplication.Outcome.APPROVED)
        .order_by()
        .values_list("kube_id", "decided_on", "applied_on")
    ):
        groups[kube_id].credits.append(decided or applied)
    for kube_id, pk, reported, severity, resolved in (
        Problem.objects.filter(kube_id__in=ids, reported_on__lte=last_day)
        .order_by()
        .values_list("kube_id", "pk", "reported_on", "severity", "resolved_on")
    ):
        groups[kube_id].problems.append((pk, reported, severity, resolved))
    for kube_id, planned in (
        BusinessPlan.objects.filter(kube_id__in=ids).order_by().values_list("kube_id", "expected_monthly_revenue")
    ):
        groups[kube_id].planned_revenue = planned or 0
    for kube_id, recorded, practices, neighbours, social, contribution in (
        EnvironmentRecord.objects.filter(kube_id__in=ids, recorded_on__lte=last_day)
        .order_by("recorded_on", "pk")
        .values_list(
            "kube_id",
            "recorded_on",
            "practices",
            "neighbours_employed",
            "social_activities",
            "community_contribution",
        )
    ):
        groups[kube_id].environment.append(
            (recorded, practices or {}, neighbours, bool(social.strip()) or contribution > 0)
        )

    facilitators = {g.facilitator_id for g in groups.values() if g.facilitator_id} | {
        a[0] for g in groups.values() for a in g.assignments
    }
    reports: set[tuple[int, int]] = {
        (facilitator, month_index(month))
        for facilitator, month in MonthlyReport.objects.filter(
            facilitator_id__in=facilitators, status__in=SENT_REPORT, month__gte=month_of(first - 5)
        )
        .order_by()
        .values_list("facilitator_id", "month")
    }
    for group in groups.values():
        group.reports = reports
    return groups


# One group, one month ----------------------------------------------------------------------------------------------


class _Month:
    """The computation of one group's month: each indicator and component from the group's records."""

    def __init__(self, group: _Group, m: int, end: dt.date, current: bool, rules: Rules) -> None:
        self.g, self.m, self.end, self.current, self.rules = group, m, end, current, rules
        self.w = group.w
        self.members = [
            (pk, role) for pk, role, joined, left in group.members if joined <= end and (left is None or left > end)
        ]
        self.offices = len({role for _pk, role in self.members if role in Membership.OFFICES})
        # Trainings each current member attended that had ended by then.
        self.attended = {
            pk: [(kind, t) for ends_on, kind, t in group.trained.get(pk, ()) if ends_on <= end]
            for pk, _r in self.members
        }
        self.trained = sum(1 for done in self.attended.values() if done)
        self.technical = sum(
            1 for done in self.attended.values() if any(kind == Training.Kind.TECHNICAL for kind, _t in done)
        )
        self.six = range(m - 5, m + 1)
        year_ago = month_of(m - 11)
        self.year_ago = year_ago
        meetings = [(held, minutes, n) for held, minutes, n in group.meetings if month_of(m - 5) <= held <= end]
        self.meeting_months = len({month_index(held) for held, minutes, _n in meetings if minutes})
        self.meetings = meetings
        # Months closed on time: of the last six, those whose grace has passed are due.
        grace = dt.timedelta(days=rules["close_grace_days"])
        self.due = [k for k in self.six if month_end(month_of(k)) + grace < end]
        self.closed_on_time = sum(
            1
            for k in self.due
            if (closed := group.closed.get(k)) is not None and closed <= month_end(month_of(k)) + grace
        )
        # Capital against the aid received.
        aid_cash = sum(amount for paid, amount in group.aid if paid <= end)
        assets = [(v, pk, aid, r, c) for v, pk, aid, r, c in group.assets if r <= end]
        self.aid_total = aid_cash + sum(v for v, _pk, from_aid, _r, _c in assets if from_aid)
        self.aid_cash = aid_cash
        kept = sum(v for v, pk, _aid, _r, condition in assets if self._condition(pk, condition) not in GONE)
        self.capital = group.books.cumulative("capital", m) + kept
        growth = rules["capital_growth"]
        self.capital_target = self.aid_total * (100 + growth) // 100
        self.partner = any(s <= end and (e is None or e >= end) for s, e in group.partnerships)
        self.credit = any(d <= end for d in group.credits)
        self.facilitator = self._facilitator_on(end, current)

    def _condition(self, asset: int, recorded: str) -> str:
        checks = self.g.asset_checks.get(asset)
        if not checks:
            return recorded
        at = [condition for day, condition in checks if day <= self.end]
        return at[-1] if at else Asset.Condition.GOOD

    def _facilitator_on(self, day: dt.date, current: bool) -> int | None:
        if current:
            return self.g.facilitator_id
        for facilitator, started, ended in self.g.assignments:
            if started <= day and (ended is None or ended >= day):
                return facilitator
        return None

    # Indicators, one method per code --------------------------------------------------------------------------------

    def i_facilitator(self) -> tuple[bool, str, Decimal | int | None, list[Source]]:
        holds = self.facilitator is not None
        return holds, self.w.text("facilitator_yes" if holds else "facilitator_no"), None, [self.g.url("group")]

    def i_officers(self) -> tuple[bool, str, Decimal | int | None, list[Source]]:
        return self.offices == 3, self.w.text("officers", filled=self.offices), self.offices, [self.g.url("group")]

    def i_members_trained(self) -> tuple[bool, str, Decimal | int | None, list[Source]]:
        members = len(self.members)
        percent = self.trained * 100 // members if members else 0
        holds = members > 0 and self.trained * 100 >= self.rules["trained_share"] * members
        trainings = sorted({t for done in self.attended.values() for _k, t in done})[-3:]
        sources = [Source(self.w.training, _training_url(t)) for t in trainings] or [self.g.url("group")]
        value = self.w.text("members_trained", trained=self.trained, members=members, percent=percent)
        return holds, value, percent, sources

    def i_aid_received(self) -> tuple[bool, str, Decimal | int | None, list[Source]]:
        holds = self.aid_cash > 0
        value = self.w.text("aid_yes", amount=self.w.rupiah(self.aid_cash)) if holds else self.w.text("aid_no")
        return holds, value, self.aid_cash, [self.g.url("aid")]

    def i_business_started(self) -> tuple[bool, str, Decimal | int | None, list[Source]]:
        sales = self.g.books.cumulative("sales", self.m)
        value = self.w.text("sales_yes", amount=self.w.rupiah(sales)) if sales > 0 else self.w.text("sales_no")
        return sales > 0, value, sales, [self.g.url("cash")]

    def i_meetings(self) -> tuple[bool, str, Decimal | int | None, list[Source]]:
        n = self.meeting_months
        return (
            n >= self.rules["meeting_months"],
            self.w.text("months6", months=n),
            n,
            [self.g.url("timeline")],
        )

    def i_books_kept(self) -> tuple[bool, str, Decimal | int | None, list[Source]]:
        n = sum(1 for k in self.six if k in self.g.books.entries)
        return n >= self.rules["book_months"], self.w.text("months6", months=n), n, [self.g.url("cash")]

    def i_months_closed(self) -> tuple[bool, str, Decimal | int | None, list[Source]]:
        not_due = 6 - len(self.due)
        key = "months_closed_not_due" if not_due else "months_closed"
        value = self.w.text(key, closed=self.closed_on_time, due=len(self.due), not_due=not_due)
        return self.closed_on_time >= self.rules["closed_months"], value, self.closed_on_time, [self.g.url("cash")]

    def i_profit_allocated(self) -> tuple[bool, str, Decimal | int | None, list[Source]]:
        done = [on for on in self.g.allocations if self.year_ago <= on <= self.end]
        value = self.w.text("allocated_yes", date=self.w.day(max(done))) if done else self.w.text("allocated_no")
        return bool(done), value, len(done), [self.g.url("iks")]

    def i_members(self) -> tuple[bool, str, Decimal | int | None, list[Source]]:
        n = len(self.members)
        return n >= self.rules["min_members"], self.w.text("members", members=n), n, [self.g.url("group")]

    def i_capital_growth(self) -> tuple[bool, str, Decimal | int | None, list[Source]]:
        sources = [self.g.url("dashboard"), self.g.url("aid")]
        if not self.aid_total:
            return False, self.w.text("capital_no_aid"), None, sources
        percent = (self.capital - self.aid_total) * 100 // self.aid_total
        holds = self.capital * 100 >= self.aid_total * (100 + self.rules["capital_growth"])
        value = self.w.text(
            "capital",
            capital=self.w.rupiah(self.capital),
            aid=self.w.rupiah(self.aid_total),
            percent=f"{percent:+d}",
        )
        return holds, value, percent, sources

    def i_revenue_trend(self) -> tuple[bool, str, Decimal | int | None, list[Source]]:
        recent = self.g.books.window("sales", self.m)
        prior = self.g.books.window("sales", self.m - 6)
        sources = [self.g.url("dashboard")]
        if prior <= 0:
            return False, self.w.text("revenue_no_prior", recent=self.w.rupiah(recent)), None, sources
        holds = recent * 100 >= prior * (100 + self.rules["revenue_growth"])
        value = self.w.text("revenue", recent=self.w.rupiah(recent), prior=self.w.rupiah(prior))
        return holds, value, (recent - prior) * 100 // prior, sources

    def i_iks_non_members(self) -> tuple[bool, str, Decimal | int | None, list[Source]]:
        used = [on for on in self.g.iks_out if self.year_ago <= on <= self.end]
        value = self.w.text("iks_yes", date=self.w.day(max(used))) if used else self.w.text("iks_no")
        return bool(used), value, len(used), [self.g.url("iks")]

    def i_partnership(self) -> tuple[bool, str, Decimal | int | None, list[Source]]:
        key = "partner_yes" if self.partner else "credit_yes" if self.credit else "partner_no"
        return self.partner or self.credit, self.w.text(key), None, [self.g.url("access")]

    def i_problems_solved(self) -> tuple[bool, str, Decimal | int | None, list[Source]]:
        overdue = [
            pk
            for pk, reported, severity, resolved in self.g.problems
            if (resolved is None or resolved > self.end) and self._deadline(reported, severity) < self.end
        ]
        if not overdue:
            return True, self.w.text("problems_no"), 0, [self.g.url("timeline")]
        sources = [Source(self.w.problem, _problem_url(pk)) for pk in overdue[:5]]
        return False, self.w.text("problems_yes", count=len(overdue)), len(overdue), sources

    def _deadline(self, reported: dt.date, severity: int) -> dt.date:
        return reported + dt.timedelta(days=self.rules[PROBLEM_DAYS.get(severity, "problem_days_medium")])

    # Scorecard components: (value 0..1, the formula's figures) -------------------------------------------------------

    def components(self) -> dict[str, tuple[Decimal, dict[str, Any]]]:
        g, rules, members = self.g, self.rules, len(self.members)
        out: dict[str, tuple[Decimal, dict[str, Any]]] = {}
        out["training_coverage"] = (_ratio(self.trained, members), {"trained": self.trained, "members": members})
        shares = [min(ONE, Decimal(n) / members) if members else ZERO for _h, _m, n in self.meetings]
        attendance = (sum(shares, ZERO) / len(shares)).quantize(Decimal("0.0001")) if shares else ZERO
        out["attendance"] = (attendance, {"percent": _percent(attendance), "meetings": len(shares)})
        out["skills"] = (_ratio(self.technical, members), {"trained": self.technical, "members": members})

        sales = g.books.window("sales", self.m)
        planned = 6 * g.planned_revenue
        revenue = _ratio(sales, planned) if planned else (ONE if sales > 0 else ZERO)
        out["revenue"] = (revenue, {"sales": self.w.rupiah(sales), "planned": self.w.rupiah(planned)})
        profit_months = sum(1 for k in self.six if g.books.profit.get(k, 0) > 0)
        out["profit"] = (_ratio(profit_months, 6), {"months": profit_months})
        out["capital"] = (
            _ratio(self.capital, self.capital_target),
            {
                "capital": self.w.rupiah(self.capital),
                "target": self.w.rupiah(self.capital_target),
                "aid": self.w.rupiah(self.aid_total),
                "growth": rules["capital_growth"],
            },
        )
        channels = len(set().union(*(g.books.channels.get(k, set()) for k in self.six)))
        out["channels"] = (_ratio(channels, 3), {"channels": channels})
        access = self.partner or self.credit
        out["access"] = (ONE if access else ZERO, {"state": self.w.text("yes" if access else "no")})

        latest = [r for r in g.environment if r[0] <= self.end]
        if latest:
            recorded, practices, _n, _c = latest[-1]
            asked = len(practices)
            followed = sum(1 for v in practices.values() if v)
            practice = (_ratio(followed, asked), {"followed": followed, "asked": asked, "date": self.w.day(recorded)})
        else:
            practice = (ZERO, {"followed": 0, "asked": 0, "date": self.w.text("none")})
        out["practice"] = practice
        six_start = month_of(self.m - 5)
        people = max((n for recorded, _p, n, _c in g.environment if six_start <= recorded <= self.end), default=0)
        neighbours = _ratio(people, 2)
        if any(k in g.books.wages for k in self.six):
            neighbours = max(neighbours, Decimal("0.5"))
        out["neighbours"] = (neighbours, {"people": people})
        community = any(self.year_ago <= on <= self.end for on in g.iks_out) or any(
            self.year_ago <= recorded <= self.end and contributed for recorded, _p, _n, contributed in g.environment
        )
        out["community"] = (ONE if community else ZERO, {"state": self.w.text("yes" if community else "no")})

        out["meetings"] = (_ratio(self.meeting_months, 6), {"months": self.meeting_months})
        out["officers"] = (_ratio(self.offices, 3), {"filled": self.offices})
        due = len(self.due)
        out["books"] = (
            _ratio(self.closed_on_time, due) if due else ONE,
            {"closed": self.closed_on_time, "due": due},
        )
        deadlines = [(self._deadline(reported, severity), resolved) for _pk, reported, severity, resolved in g.problems]
        fell = [(deadline, resolved) for deadline, resolved in deadlines if self.year_ago <= deadline <= self.end]
        solved = sum(1 for deadline, resolved in fell if resolved is not None and resolved <= deadline)
        out["problems"] = (_ratio(solved, len(fell)) if fell else ONE, {"solved": solved, "due": len(fell)})
        sent = sum(1 for k in self.six if (f := self._report_facilitator(k)) is not None and (f, k) in g.reports)
        out["reports"] = (_ratio(sent, 6), {"months": sent})
        return out

    def _report_facilitator(self, k: int) -> int | None:
        if k == self.m:
            return self.facilitator
        return self._facilitator_on(month_end(month_of(k)), current=False)


_url_cache: dict[tuple[str, int], str] = {}


def _training_url(pk: int) -> str:
    key = ("training", pk)
    if key not in _url_cache:
        _url_cache[key] = reverse("training:training-detail", args=[pk])
    return _url_cache[key]


def _problem_url(pk: int) -> str:
    return reverse("mentoring:problem-detail", args=[pk])


def _evaluate(group: _Group, month: dt.date, today: dt.date, rules: Rules) -> Evaluation:
    m = month_index(month)
    current = month == today.replace(day=1)
    end = today if current else month_end(month)
    state = _Month(group, m, end, current, rules)

    indicators = []
    for spec in INDICATORS:
        holds, value, number, sources = getattr(state, f"i_{spec.code}")()
        indicators.append(
            IndicatorResult(
                code=spec.code,
                level=spec.level,
                bina=spec.bina,
                label=group.w.labels[spec.code],
                value=value,
                number=number,
                threshold=rules[spec.setting] if spec.setting else None,
                holds=holds,
                sources=tuple(sources),
            )
        )
    computed = Level.NONE
    for level in (Level.TUMBUH, Level.BERKEMBANG, Level.MANDIRI):
        if all(i.holds for i in indicators if i.level == level):
            computed = level
        else:
            break

    figures = state.components()
    components = []
    for cspec in COMPONENTS:
        value, params = figures[cspec.code]
        label, formula = group.w.components[cspec.code]
        components.append(
            Component(
                bina=cspec.bina,
                code=cspec.code,
                label=label,
                value=value,
                weight=rules[cspec.weight],
                formula=formula % params,
            )
        )
    return Evaluation(
        kube_id=group.kube_id,
        month=month,
        computed_level=computed,
        indicators=tuple(indicators),
        components=tuple(components),
        scores=_scores(components, rules),
        rules=rules,
    )


def _scores(components: list[Component], rules: Rules) -> dict[str, int]:
    """Each effort 0..100: round(100 × Σ weight·value / Σ weight); the total weighs the efforts the same way."""
    scores: dict[str, int] = {}
    fractions: dict[Bina, Decimal] = {}
    for bina in Bina:
        parts = [c for c in components if c.bina == bina]
        weights = sum(c.weight for c in parts)
        fractions[bina] = sum((c.weight * c.value for c in parts), ZERO) / weights if weights else ZERO
        scores[bina.value] = _percent(fractions[bina])
    weights = sum(rules[key] for key in EFFORT_WEIGHTS.values())
    total = sum((rules[EFFORT_WEIGHTS[b]] * fractions[b] for b in Bina), ZERO) / weights if weights else ZERO
    scores["total"] = _percent(total)
    return scores


# The public entry points ------------------------------------------------------------------------------------------


def evaluate_chunks(
    kube_ids: Iterable[int],
    months: Iterable[dt.date],
    *,
    today: dt.date | None = None,
    chunk: int = CHUNK,
    only: set[tuple[int, dt.date]] | None = None,
) -> Iterator[dict[tuple[int, dt.date], Evaluation]]:
    """evaluate_months, a chunk of groups at a time, so that a caller writing snapshots keeps memory flat.

    `only`: compute just these (group, month) pairs (e.g. the months a group had formed by).
    """
    today = today or timezone.localdate()
    wanted = sorted({month.replace(day=1) for month in months})
    ids = sorted(set(kube_ids))
    if not wanted or not ids:
        return
    first, last = month_index(wanted[0]), month_index(wanted[-1])
    last_day = max(today, month_end(wanted[-1]))
    rule_sets = list(RuleSet.objects.all())
    rules_cache: dict[tuple[str, dt.date], Rules] = {}
    words = _Words()
    for at in range(0, len(ids), chunk):
        groups = _load(ids[at : at + chunk], first, last, last_day, words)
        out: dict[tuple[int, dt.date], Evaluation] = {}
        for pk, group in groups.items():
            for month in wanted:
                if only is not None and (pk, month) not in only:
                    continue
                key = (group.regency, month)
                if key not in rules_cache:
                    rules_cache[key] = Rules.effective(regency=group.regency, on=month_end(month), rule_sets=rule_sets)
                out[(pk, month)] = _evaluate(group, month, today, rules_cache[key])
        yield out


def evaluate_months(
    kube_ids: Iterable[int], months: Iterable[dt.date], *, today: dt.date | None = None
) -> dict[tuple[int, dt.date], Evaluation]:
    """Levels and scorecards of many groups for many months in one pass (one grouped query per source a chunk)."""
    results: dict[tuple[int, dt.date], Evaluation] = {}
    for part in evaluate_chunks(kube_ids, months, today=today):
        results.update(part)
    return results


def evaluate(kube_ids: Iterable[int], month: dt.date, *, today: dt.date | None = None) -> dict[int, Evaluation]:
    """The groups' levels and scorecards as of the end of `month` (or `today`, for the current month)."""
    month = month.replace(day=1)
    return {pk: evaluation for (pk, _m), evaluation in evaluate_months(kube_ids, [month], today=today).items()}


def evaluate_one(kube: Kube, month: dt.date | None = None, *, today: dt.date | None = None) -> Evaluation:
    """One group's level and scorecard; `month` None is the current month as of today."""
    today = today or timezone.localdate()
    return evaluate([kube.pk], month or today.replace(day=1), today=today)[kube.pk]


__all__ = [
    "COMPONENTS",
    "Component",
    "Evaluation",
    "IndicatorResult",
    "Source",
    "evaluate",
    "evaluate_chunks",
    "evaluate_months",
    "evaluate_one",
]
