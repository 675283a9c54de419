"""The rules a group's maturity, scorecard, warnings and monev cadence are judged by, and their defaults.

A regency's rule set (models.RuleSet) stores only the values that differ from these defaults, under the same keys,
with the date it takes effect; `Rules.effective(...)` merges them. Every number the Dinas may change is a
`Setting` here, with its label and unit: the settings page is generated from this table, so a new threshold needs
no new form. The indicators' meaning (how each value is computed) lives in engine.py, one function per code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Bina, Level, RuleSet


@dataclass(frozen=True)
class Setting:
    key: str
    label: str | Promise
    default: int
    unit: str | Promise = ""
    minimum: int = 0
    maximum: int = 1_000_000


@dataclass(frozen=True)
class Indicator:
    """One condition of a level. `setting` names the threshold it compares with (None: a yes/no fact)."""

    code: str
    level: Level
    bina: Bina
    label: str | Promise
    setting: str | None = None


# The default indicators (DOMAIN.md §5), in the order they are shown. A level holds when every indicator of it and
# of the levels below holds.
INDICATORS: tuple[Indicator, ...] = (
    Indicator("facilitator", Level.TUMBUH, Bina.KELEMBAGAAN, _("A facilitator is assigned")),
    Indicator("officers", Level.TUMBUH, Bina.KELEMBAGAAN, _("Chair, secretary and treasurer in office")),
    Indicator("members_trained", Level.TUMBUH, Bina.MANUSIA, _("Members trained"), "trained_share"),
    Indicator("aid_received", Level.TUMBUH, Bina.USAHA, _("Aid received")),
    Indicator("business_started", Level.TUMBUH, Bina.USAHA, _("Business started (sales recorded)")),
    Indicator("meetings", Level.BERKEMBANG, Bina.KELEMBAGAAN, _("Regular meetings with minutes"), "meeting_months"),
    Indicator("books_kept", Level.BERKEMBANG, Bina.KELEMBAGAAN, _("Books kept every month"), "book_months"),
    Indicator("months_closed", Level.BERKEMBANG, Bina.KELEMBAGAAN, _("Months closed on time"), "closed_months"),
    Indicator("profit_allocated", Level.BERKEMBANG, Bina.USAHA, _("Profit allocated to capital, members and IKS")),
    Indicator("members", Level.BERKEMBANG, Bina.MANUSIA, _("Members staying in the group"), "min_members"),
    Indicator("capital_growth", Level.MANDIRI, Bina.USAHA, _("Capital grown beyond the aid"), "capital_growth"),
    Indicator("revenue_trend", Level.MANDIRI, Bina.USAHA, _("Revenue growing"), "revenue_growth"),
    Indicator("iks_non_members", Level.MANDIRI, Bina.LINGKUNGAN, _("IKS reaching non-members")),
    Indicator("partnership", Level.MANDIRI, Bina.USAHA, _("Partnership or credit obtained")),
    Indicator("problems_solved", Level.MANDIRI, Bina.KELEMBAGAAN, _("No open problem past its deadline")),
)
INDICATOR_BY_CODE = {indicator.code: indicator for indicator in INDICATORS}

# Thresholds of the indicators.
LEVEL_SETTINGS: tuple[Setting, ...] = (
    Setting("trained_share", _("Members who attended a training"), 80, "%", 0, 100),
    Setting("meeting_months", _("Months with a meeting, of the last six"), 4, _("months"), 0, 6),
    Setting("book_months", _("Months with cash-book entries, of the last six"), 5, _("months"), 0, 6),
    Setting("closed_months", _("Months closed within the grace days, of the last six"), 4, _("months"), 0, 6),
    Setting("close_grace_days", _("Days after a month's end to close it on time"), 15, _("days"), 0, 90),
    Setting("min_members", _("Current members at least"), 5, _("people"), 1, 50),
    Setting("capital_growth", _("Capital (cash and assets) above the aid received by"), 10, "%", 0, 500),
    Setting("revenue_growth", _("Revenue of the last six months above the six before by"), 5, "%", 0, 500),
)

# Weights of each scorecard component inside its effort (they need not sum to 100; they are normalised).
SCORE_SETTINGS: tuple[Setting, ...] = (
    Setting("w_training_coverage", _("Bina manusia: training coverage"), 40, _("weight")),
    Setting("w_attendance", _("Bina manusia: meeting attendance"), 30, _("weight")),
    Setting("w_skills", _("Bina manusia: technical skills trained"), 30, _("weight")),
    Setting("w_revenue", _("Bina usaha: revenue against the plan"), 25, _("weight")),
    Setting("w_profit", _("Bina usaha: months with a profit"), 20, _("weight")),
    Setting("w_capital", _("Bina usaha: capital growth"), 25, _("weight")),
    Setting("w_channels", _("Bina usaha: market channels"), 15, _("weight")),
    Setting("w_access", _("Bina usaha: access to capital"), 15, _("weight")),
    Setting("w_practice", _("Bina lingkungan: environmental practice"), 40, _("weight")),
    Setting("w_neighbours", _("Bina lingkungan: neighbours employed"), 30, _("weight")),
    Setting("w_community", _("Bina lingkungan: contributions to the community"), 30, _("weight")),
    Setting("w_meetings", _("Bina kelembagaan: meetings"), 25, _("weight")),
    Setting("w_officers", _("Bina kelembagaan: officers active"), 15, _("weight")),
    Setting("w_books", _("Bina kelembagaan: books closed"), 25, _("weight")),
    Setting("w_problems", _("Bina kelembagaan: problems solved on time"), 20, _("weight")),
    Setting("w_reports", _("Bina kelembagaan: facilitator's monthly reports"), 15, _("weight")),
    # The overall score: the four efforts' weights.
    Setting("w_manusia", _("Overall: bina manusia"), 25, _("weight")),
    Setting("w_usaha", _("Overall: bina usaha"), 35, _("weight")),
    Setting("w_lingkungan", _("Overall: bina lingkungan"), 15, _("weight")),
    Setting("w_kelembagaan", _("Overall: bina kelembagaan"), 25, _("weight")),
)

WARNING_SETTINGS: tuple[Setting, ...] = (
    Setting("not_visited_days", _("Warn when a group is not visited for"), 45, _("days"), 1, 365),
    Setting("no_cash_months", _("Warn when the cash book has no entry for"), 2, _("months"), 1, 24),
    Setting("unclosed_days", _("Warn when a month is still open this many days after its end"), 30, _("days"), 1, 365),
    Setting("sales_falling_months", _("Warn when sales fall this many months in a row"), 3, _("months"), 2, 12),
    Setting("arrears_percent", _("Warn when revolving-fund arrears exceed"), 20, "%", 1, 100),
    Setting("problem_days_high", _("Deadline of a high-severity problem"), 14, _("days"), 1, 365),
    Setting("problem_days_medium", _("Deadline of a medium-severity problem"), 30, _("days"), 1, 365),
    Setting("problem_days_low", _("Deadline of a low-severity problem"), 60, _("days"), 1, 365),
    Setting("members_left", _("Warn when this many members left within 90 days"), 2, _("people"), 1, 50),
    Setting("aid_unspent_days", _("Warn when an aid stage has no purchase recorded after"), 30, _("days"), 1, 365),
)

MONEV_SETTINGS: tuple[Setting, ...] = (
    Setting("monev_after_aid_days", _("Monev due this many days after an aid stage is paid"), 60, _("days"), 1, 365),
    Setting("monev_every_months", _("Periodic monev every"), 6, _("months"), 1, 24),
)

# Facilitator supervision (berdaya/reports/supervision.py): the visit target, when a monthly report is due, and how
# many late or missing reports in the period make a facilitator "lagging".
SUPERVISION_SETTINGS: tuple[Setting, ...] = (
    Setting("visits_per_month", _("Visits per group per month (target)"), 2, _("visits"), 1, 10),
    Setting("report_due_days", _("Monthly report due this many days after the month's end"), 10, _("days"), 0, 60),
    Setting(
        "lagging_reports",
        _("A facilitator lags with this many monthly reports late or missing in the period"),
        1,
        _("reports"),
        1,
        12,
    ),
)

SETTINGS: tuple[Setting, ...] = (
    LEVEL_SETTINGS + SCORE_SETTINGS + WARNING_SETTINGS + MONEV_SETTINGS + SUPERVISION_SETTINGS
)
SETTING_BY_KEY = {setting.key: setting for setting in SETTINGS}
DEFAULTS: dict[str, int] = {setting.key: setting.default for setting in SETTINGS}


@dataclass(frozen=True)
class Rules:
    """The rules in force: the defaults with a rule set's changes. `rule_set` is None for the defaults."""

    values: dict[str, int] = field(default_factory=lambda: dict(DEFAULTS))
    rule_set: RuleSet | None = None

    def __getitem__(self, key: str) -> int:
        return self.values[key]

    def share(self, key: str) -> Decimal:
        """A percentage setting as a fraction: 80 -> Decimal("0.8")."""
        return Decimal(self.values[key]) / 100

    @classmethod
    def of(cls, rule_set: RuleSet | None) -> Rules:
        if rule_set is None:
            return cls()
        values = dict(DEFAULTS)
        values.update({key: int(value) for key, value in rule_set.rules.items() if key in DEFAULTS})
        return cls(values=values, rule_set=rule_set)

    @classmethod
    def effective(cls, *, regency: str, on: dt.date, rule_sets: list[RuleSet] | None = None) -> Rules:
        """The rules in force for groups of `regency` on the day `on`: the latest version effective by then.

        Pass `rule_sets` (every version of the regency, any order) to decide many months without a query each.
        """
        versions = (
            rule_sets
            if rule_sets is not None
            else list(RuleSet.objects.filter(region_id=regency, effective_from__lte=on))
        )
        in_force = [v for v in versions if v.region_id == regency and v.effective_from <= on]
        return cls.of(max(in_force, key=lambda v: v.effective_from) if in_force else None)

    def changes(self) -> dict[str, Any]:
        """What differs from the defaults (what a rule set stores)."""
        return {key: value for key, value in self.values.items() if DEFAULTS.get(key) != value}
