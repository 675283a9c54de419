"""What the group's Perkembangan tab and the monitoring roll-ups read: a group's level with its reasons, its
scorecard, trends, warnings and monev history; and the levels and scores of the groups of a region, by child region
or by cycle.

The current month is judged live by the engine (berdaya/monitoring/engine.py), so every indicator links to its
records; an earlier month ("as of") is read from its LevelSnapshot, as it was computed then, with the rules of its
time. Both become the same rows here, so the template does not care which it shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from berdaya.accounts.models import User
from berdaya.business import charts
from berdaya.business.models import month_end, month_start
from berdaya.groups.models import Kube
from berdaya.lib.formats import month as month_label
from berdaya.lib.scoping import region_q
from berdaya.regions.models import Region
from berdaya.targeting.models import Cycle

from .engine import Evaluation, evaluate_one
from .models import Bina, EarlyWarning, Level, LevelSnapshot, ManualLevel, MonevVisit
from .rules import INDICATOR_BY_CODE, INDICATORS, SETTING_BY_KEY, Rules

EFFORTS: tuple[str, ...] = tuple(Bina.values)
SCORE_KEYS: tuple[str, ...] = (*EFFORTS, "total")
TREND_MONTHS = 24
RECENT_WARNINGS = 10
MONEV_ROWS = 20


def parse_month(value: str | None) -> dt.date | None:
    """ "2026-11" -> 1 Nov 2026; None for anything else."""
    if not value:
        return None
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()  # noqa: DTZ007  (a month, not a moment)
    except ValueError:
        return None


def live_evaluation(kube: Kube, month: dt.date, today: dt.date) -> Evaluation | None:
    """The engine's judgement of the group as of today (the current month); None for a group not yet formed, which
    has no level (its latest snapshot, if any, stands in)."""
    if kube.formed_on is None:
        return None
    return evaluate_one(kube, month, today=today)


# The Perkembangan tab -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorRow:
    code: str
    level: Level
    bina: str
    label: str | Promise
    value: str
    holds: bool
    threshold: int | None
    unit: str | Promise
    sources: tuple[Any, ...] = ()  # engine.Source: label, url (only for the current month)


@dataclass(frozen=True)
class LevelIndicators:
    level: Level
    holds: bool
    indicators: list[IndicatorRow]


@dataclass(frozen=True)
class ComponentRow:
    label: str
    percent: int  # the component's value 0..100
    weight: int
    formula: str


@dataclass(frozen=True)
class EffortScore:
    bina: str
    label: str | Promise
    score: int | None
    components: list[ComponentRow] = field(default_factory=list)


@dataclass(frozen=True)
class TrendPoint:
    month: dt.date
    level: int
    level_label: str | Promise
    scores: dict[str, int]
    is_manual: bool


@dataclass(frozen=True)
class Trend:
    points: list[TrendPoint]
    scores: charts.Chart
    levels: charts.Chart


@dataclass(frozen=True)
class Progress:
    kube: Kube
    month: dt.date  # first day of the month shown
    is_current: bool
    months: list[dt.date]  # the months that can be shown, newest first
    judged: bool  # False: no snapshot of that month (and no live evaluation)
    level: Level | None
    computed_level: Level | None
    manual: ManualLevel | None  # the manual level that was in force at the month's end
    next_level: Level | None
    holding: list[IndicatorRow]
    blocking: list[IndicatorRow]
    levels: list[LevelIndicators]
    efforts: list[EffortScore]
    total: int | None
    trend: Trend
    open_warnings: list[EarlyWarning]
    closed_warnings: list[EarlyWarning]
    monevs: list[MonevVisit]


def _threshold(code: str, rules: Rules | None) -> tuple[int | None, str | Promise]:
    indicator = INDICATOR_BY_CODE.get(code)
    if indicator is None or indicator.setting is None or rules is None:
        return None, ""
    return rules.values.get(indicator.setting), SETTING_BY_KEY[indicator.setting].unit


def _rows_from_evaluation(evaluation: Evaluation) -> list[IndicatorRow]:
    rows = []
    for result in evaluation.indicators:
        threshold, unit = _threshold(result.code, evaluation.rules)
        rows.append(
            IndicatorRow(
                code=result.code,
                level=Level(result.level),
                bina=str(result.bina),
                label=result.label,
                value=result.value,
                holds=result.holds,
                threshold=result.threshold if result.threshold is not None else threshold,
                unit=unit,
                sources=tuple(result.sources),
            )
        )
    return rows


def _rows_from_snapshot(snapshot: LevelSnapshot) -> list[IndicatorRow]:
    rules = Rules.of(snapshot.rule_set)
    rows = []
    for item in snapshot.indicators:
        code = str(item.get("code", ""))
        known = INDICATOR_BY_CODE.get(code)
        threshold, unit = _threshold(code, rules)
        rows.append(
            IndicatorRow(
                code=code,
                level=Level(int(item.get("level", known.level if known else Level.TUMBUH))),
                bina=str(known.bina) if known else "",
                # An indicator a later version dropped keeps its code as its name.
                label=known.label if known else code,
                value=str(item.get("value", "")),
                holds=bool(item.get("holds")),
                threshold=threshold,
                unit=unit,
            )
        )
    return rows


def _by_level(rows: list[IndicatorRow]) -> list[LevelIndicators]:
    order = {indicator.code: index for index, indicator in enumerate(INDICATORS)}
    grouped = []
    for level in (Level.TUMBUH, Level.BERKEMBANG, Level.MANDIRI):
        these = sorted((row for row in rows if row.level == level), key=lambda row: order.get(row.code, 99))
        grouped.append(
            LevelIndicators(level=level, holds=bool(these) and all(r.holds for r in these), indicators=these)
        )
    return grouped


def _percent(value: Decimal | int | float) -> int:
    return int((Decimal(str(value)) * 100).quantize(Decimal(1)))


def _efforts(scores: dict[str, Any], components: Iterable[Any] = ()) -> list[EffortScore]:
    by_bina: dict[str, list[ComponentRow]] = {}
    for component in components:
        by_bina.setdefault(str(component.bina), []).append(
            ComponentRow(
                label=str(component.label),
                percent=_percent(component.value),
                weight=component.weight,
                formula=str(component.formula),
            )
        )
    return [
        EffortScore(
            bina=bina,
            label=Bina(bina).label,
            score=_score(scores.get(bina)),
            components=by_bina.get(bina, []),
        )
        for bina in EFFORTS
    ]


def _score(value: Any) -> int | None:
    return None if value is None else int(value)


def _manual_at(manuals: Sequence[ManualLevel], day: dt.date) -> ManualLevel | None:
    """The manual level in force on `day` (set by then, not ended by then)."""
    for manual in manuals:
        if manual.since <= day and (manual.ended_on is None or manual.ended_on > day):
            return manual
    return None


def _trend(snapshots: list[LevelSnapshot]) -> Trend:
    points = [
        TrendPoint(
            month=s.month,
            level=s.level,
            level_label=Level(s.level).label,
            scores={key: int(s.scores.get(key, 0)) for key in SCORE_KEYS},
            is_manual=s.is_manual,
        )
        for s in snapshots
    ]
    labels = [month_label(p.month) for p in points]
    series = [
        (str(Bina(key).label) if key in EFFORTS else _("Total"), [p.scores[key] for p in points]) for key in SCORE_KEYS
    ]
    return Trend(
        points=points,
        scores=charts.line_chart(series, labels),
        levels=_level_chart([p.level for p in points], labels),
    )


def _level_chart(levels: list[int], labels: list[str]) -> charts.Chart:
    """A bar a month, against the highest level (bar_chart scales to the data: a group always at 0 would have its
    zero line at the top)."""
    area = charts.HEIGHT - charts.PAD_BOTTOM
    if not levels:
        return charts.Chart(charts.WIDTH, charts.HEIGHT, area)
    step = (charts.WIDTH - charts.PAD_LEFT) // len(levels)
    width = max(1, step * 3 // 4)
    top = int(Level.MANDIRI)
    bars = tuple(
        charts.Bar(
            x=charts.PAD_LEFT + i * step,
            y=area - level * area // top,
            width=width,
            height=level * area // top,
            value=level,
            label=label,
            negative=False,
        )
        for i, (level, label) in enumerate(zip(levels, labels, strict=True))
    )
    every = max(1, len(labels) // 12)
    ticks = tuple((charts.PAD_LEFT + i * step + width // 2, text) for i, text in enumerate(labels) if i % every == 0)
    return charts.Chart(charts.WIDTH, charts.HEIGHT, area, bars=bars, labels=ticks, top=top)


def kube_progress(*, kube: Kube, user: User, month: dt.date | None = None, today: dt.date | None = None) -> Progress:
    """The group's maturity as of a month (the current one by default): its level and why, its scorecard, its
    trends, warnings and monev visits."""
    today = today or timezone.localdate()
    current = month_start(today)
    month = month_start(month) if month else current
    if month > current:
        month = current
    is_current = month == current
    snapshots = list(
        LevelSnapshot.objects.filter(kube=kube, month__lte=month)
        .select_related("rule_set")
        .order_by("-month")[:TREND_MONTHS]
    )
    snapshots.reverse()
    snapshot = snapshots[-1] if snapshots and snapshots[-1].month == month else None
    months = list(LevelSnapshot.objects.filter(kube=kube).order_by("-month").values_list("month", flat=True))
    if current not in months:
        months.insert(0, current)
    manuals = list(ManualLevel.objects.filter(kube=kube).select_related("set_by").order_by("-since", "-pk"))

    evaluation = live_evaluation(kube, month, today) if is_current else None
    components: Iterable[Any] = ()
    if evaluation is not None:
        rows = _rows_from_evaluation(evaluation)
        computed: Level | None = Level(evaluation.computed_level)
        scores: dict[str, Any] = dict(evaluation.scores)
        components = evaluation.components
        manual = _manual_at(manuals, today)
        level: Level | None = Level(manual.level) if manual else computed
    elif snapshot is not None:
        rows = _rows_from_snapshot(snapshot)
        computed = Level(snapshot.computed_level)
        scores = dict(snapshot.scores)
        manual = _manual_at(manuals, month_end(month)) if snapshot.is_manual else None
        level = Level(snapshot.level)
    else:
        rows, computed, scores, manual, level = [], None, {}, None, None

    next_level = Level(computed + 1) if computed is not None and computed < Level.MANDIRI else None
    holding = [row for row in rows if computed is not None and row.level <= computed and row.holds]
    blocking = [row for row in rows if next_level is not None and row.level == next_level and not row.holds]

    open_warnings: list[EarlyWarning] = []
    closed_warnings: list[EarlyWarning] = []
    if user.has_perm("monitoring.view_earlywarning"):
        warnings = EarlyWarning.objects.visible_to(user).filter(kube=kube).select_related("handled_by")
        open_warnings = list(warnings.open())
        closed_warnings = list(
            warnings.filter(Q(handled_at__isnull=False) | Q(cleared_on__isnull=False))[:RECENT_WARNINGS]
        )
    monevs: list[MonevVisit] = []
    if user.has_perm("monitoring.view_monevvisit"):
        monevs = list(MonevVisit.objects.visible_to(user).filter(kube=kube).select_related("by")[:MONEV_ROWS])

    return Progress(
        kube=kube,
        month=month,
        is_current=is_current,
        months=months,
        judged=computed is not None,
        level=level,
        computed_level=computed,
        manual=manual,
        next_level=next_level,
        holding=holding,
        blocking=blocking,
        levels=_by_level(rows),
        efforts=_efforts(scores, components),
        total=_score(scores.get("total")),
        trend=_trend(snapshots),
        open_warnings=open_warnings,
        closed_warnings=closed_warnings,
        monevs=monevs,
    )


# The roll-ups ---------------------------------------------------------------------------------------------------


@dataclass
class Rollup:
    """Groups of one region (or cycle, or the whole scope): how many at each level, and their average scores."""

    key: str
    name: str
    drill: str = ""  # the region code to drill into ("" for none)
    url: str = ""  # a group's own page (when a row is one group)
    by_level: dict[int, int] = field(default_factory=lambda: dict.fromkeys(Level.values, 0))
    sums: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SCORE_KEYS, 0))
    scored: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SCORE_KEYS, 0))

    @property
    def groups(self) -> int:
        return sum(self.by_level.values())

    @property
    def levels(self) -> list[int]:
        """Counts in Level order (not yet growing, Tumbuh, Berkembang, Maju/Mandiri)."""
        return [self.by_level[value] for value in Level.values]

    @property
    def averages(self) -> list[int | None]:
        """Average scores in SCORE_KEYS order, rounded half up; None where no group has that score."""
        return [
            None if not self.scored[key] else (2 * self.sums[key] + self.scored[key]) // (2 * self.scored[key])
            for key in SCORE_KEYS
        ]

    def add(self, level: int, scores: dict[str, Any]) -> None:
        self.by_level[level] = self.by_level.get(level, 0) + 1
        for key in SCORE_KEYS:
            if scores.get(key) is not None:
                self.sums[key] += int(scores[key])
                self.scored[key] += 1


@dataclass(frozen=True)
class Overview:
    root: Region | None
    trail: list[Region]  # the regions from the user's scope down to the root, for the breadcrumbs
    month: dt.date | None
    months: list[dt.date]
    by: str  # "region" or "cycle"
    rows: list[Rollup]
    total: Rollup
    rows_are_groups: bool


BY_REGION, BY_CYCLE = "region", "cycle"


def _child_code(village_code: str, root: Region) -> str:
    """The region one level below `root` that holds the village: the village's code cut to one more segment."""
    return ".".join(village_code.split(".")[: len(root.code.split(".")) + 1])


def monitoring_overview(
    *, user: User, root: Region | None, month: dt.date | None = None, by: str = BY_REGION
) -> Overview:
    """The levels and average scores of the groups in `root` (the user's scope when None) as of a month's snapshots
    (the latest month by default), per child region, down to the groups of a village, or per cycle."""
    root = root if root is not None else user.region
    snapshots = LevelSnapshot.objects.visible_to(user)
    if root is None:
        return Overview(None, [], None, [], by, [], Rollup("", ""), False)
    snapshots = snapshots.filter(region_q("kube__village__code", root.code))
    months = list(snapshots.order_by("-month").values_list("month", flat=True).distinct()[:TREND_MONTHS])
    if month is None:
        month = months[0] if months else None
    total = Rollup(root.code, root.name)
    rows: dict[str, Rollup] = {}
    rows_are_groups = by == BY_REGION and root.level == Region.Level.VILLAGE
    if month is not None:
        found = snapshots.filter(month=month).values_list(
            "kube_id", "kube__name", "kube__village_id", "kube__cycle_id", "level", "scores"
        )
        for kube_id, kube_name, village_id, cycle_id, level, scores in found.order_by("kube__name", "kube_id"):
            if by == BY_CYCLE:
                key = str(cycle_id)
            elif rows_are_groups:
                key = str(kube_id)
            else:
                key = _child_code(village_id, root)
            row = rows.get(key)
            if row is None:
                row = rows[key] = Rollup(key, kube_name if rows_are_groups else "")
                if rows_are_groups:
                    row.url = reverse("monitoring:kube-progress", args=[kube_id])
            row.add(level, scores or {})
            total.add(level, scores or {})
    if by == BY_CYCLE:
        names = dict(Cycle.objects.filter(pk__in=[int(key) for key in rows]).values_list("pk", "name"))
        for row in rows.values():
            row.name = names.get(int(row.key), row.key)
        ordered = sorted(rows.values(), key=lambda row: row.name)
    elif rows_are_groups:
        ordered = list(rows.values())
    else:
        region_names = dict(Region.objects.filter(code__in=list(rows)).values_list("code", "name"))
        for row in rows.values():
            row.name, row.drill = region_names.get(row.key, row.key), row.key
        ordered = sorted(rows.values(), key=lambda row: row.key)
    trail = _trail(user, root)
    return Overview(root, trail, month, months, by, ordered, total, rows_are_groups)


def _trail(user: User, root: Region) -> list[Region]:
    """The regions above `root` that the user may see, from the top of its scope (its own region) down."""
    scope = user.region_id or root.code
    parts = root.code.split(".")
    codes = [".".join(parts[:i]) for i in range(1, len(parts))]
    codes = [code for code in codes if code == scope or code.startswith(f"{scope}.")]
    return list(Region.objects.filter(code__in=codes).order_by("code"))
