"""What the Dinas configures for monitoring: versions of the rules (rules.SETTINGS), the monev checklist and the
checklist of environmental practices. Every write is audited (django-simple-history, inside `acting_as`).

A version of the rules takes effect on its date and is never edited: a correction is a new version. Its date is
never before the first day of the current month, so that the months already judged stay judged by the rules of
their time (snapshots name the rule set they used).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from berdaya.accounts.models import User
from berdaya.lib.audit import acting_as
from berdaya.lib.errors import DomainError
from berdaya.mentoring.models import EnvironmentPractice
from berdaya.regions.models import Region

from .models import Bina, MonevQuestion, RuleSet
from .rules import (
    LEVEL_SETTINGS,
    MONEV_SETTINGS,
    SCORE_SETTINGS,
    SETTING_BY_KEY,
    SETTINGS,
    SUPERVISION_SETTINGS,
    WARNING_SETTINGS,
    Rules,
    Setting,
)


class ConfigurationError(DomainError):
    pass


# Rule sets -------------------------------------------------------------------------------------------------------


def regencies_for(user: User) -> QuerySet[Region]:
    """The regencies whose rules the user may read: its own, or those of its province."""
    if user.region_id is None:
        return Region.objects.none()
    return Region.objects.visible_to(user).filter(level=Region.Level.REGENCY).order_by("name")


def earliest_effective_date(today: dt.date | None = None) -> dt.date:
    """Past months stay judged by the rules of their time: a new version starts this month at the earliest."""
    return (today or timezone.localdate()).replace(day=1)


@dataclass(frozen=True)
class Change:
    setting: Setting
    before: int
    after: int

    @property
    def label(self) -> str | Promise:
        return self.setting.label


def rule_changes(*, regency: Region, effective_from: dt.date, values: Mapping[str, int]) -> list[Change]:
    """What a new version would change against the rules in force on its date, in the settings' order."""
    before = Rules.effective(regency=regency.code, on=effective_from)
    return [
        Change(setting, before[setting.key], int(values[setting.key]))
        for setting in SETTINGS
        if setting.key in values and int(values[setting.key]) != before[setting.key]
    ]


def add_rule_set(
    *, regency: Region, effective_from: dt.date, values: Mapping[str, int], note: str, by: User
) -> RuleSet:
    """Store a new version of a regency's rules, in force from `effective_from`; only what differs from the
    defaults is stored (Rules.changes)."""
    if regency.level != Region.Level.REGENCY:
        raise ConfigurationError(_("Rules are set per regency."))
    if not note.strip():
        raise ConfigurationError(_("Say what changed and why."))
    if effective_from < earliest_effective_date():
        raise ConfigurationError(
            _("A new version cannot take effect before %(date)s: past months stay judged by the rules of their time.")
            % {"date": earliest_effective_date().strftime("%d-%m-%Y")}
        )
    for key, value in values.items():
        setting = SETTING_BY_KEY.get(key)
        if setting is None:
            raise ConfigurationError(_("There is no setting %(key)s.") % {"key": key})
        if isinstance(value, bool) or not isinstance(value, int) or not setting.minimum <= value <= setting.maximum:
            raise ConfigurationError(
                _("%(setting)s must be a whole number from %(min)s to %(max)s.")
                % {"setting": setting.label, "min": setting.minimum, "max": setting.maximum}
            )
    with acting_as(by):
        if RuleSet.objects.filter(region=regency, effective_from=effective_from).exists():
            raise ConfigurationError(_("A version already takes effect on that day; choose another day."))
        if not rule_changes(regency=regency, effective_from=effective_from, values=values):
            raise ConfigurationError(_("Nothing changes: these are the rules in force on that day."))
        merged = dict(Rules.effective(regency=regency.code, on=effective_from).values)
        merged.update({key: int(value) for key, value in values.items()})
        return RuleSet.objects.create(
            region=regency,
            effective_from=effective_from,
            rules=Rules(values=merged).changes(),
            note=note.strip(),
            created_by=by,
        )


def rule_set_versions(*, user: User, regency: Region) -> QuerySet[RuleSet]:
    return (
        RuleSet.objects.visible_to(user).filter(region=regency).select_related("created_by").order_by("-effective_from")
    )


# Checklists ------------------------------------------------------------------------------------------------------

Item = TypeVar("Item", MonevQuestion, EnvironmentPractice)


def _new_code(model: type[MonevQuestion] | type[EnvironmentPractice], prefix: str, text: str) -> str:
    """A stable code for a new item, from its first words ("u_usaha-berjalan"); answers are kept by it."""
    base = f"{prefix}{slugify(text)[:30].strip('-')}" or f"{prefix}item"
    code, number = base, 1
    while model._default_manager.filter(code=code).exists():
        number += 1
        code = f"{base}-{number}"
    return code


def _checked_text(text: str) -> str:
    if not text.strip():
        raise ConfigurationError(_("Write the item's text."))
    return text.strip()


def add_question(*, bina: str, text: str, order: int, by: User) -> MonevQuestion:
    """Add a question to the monev checklist, under one effort."""
    if bina not in Bina.values:
        raise ConfigurationError(_("Choose one of the four efforts."))
    text = _checked_text(text)
    with acting_as(by):
        return MonevQuestion.objects.create(
            bina=bina, code=_new_code(MonevQuestion, f"{bina[0]}_", text), text=text, order=order
        )


def add_practice(*, text: str, order: int, by: User) -> EnvironmentPractice:
    """Add an item to the checklist of environmental practices."""
    text = _checked_text(text)
    with acting_as(by):
        return EnvironmentPractice.objects.create(code=_new_code(EnvironmentPractice, "", text), text=text, order=order)


def change_item(*, item: Item, text: str, order: int, by: User) -> Item:
    """Reword an item or move it in the list; its code stays, so older answers keep reading under the new words."""
    item.text = _checked_text(text)
    item.order = order
    with acting_as(by):
        item.save(update_fields=["text", "order"])
    return item


def retire_item(*, item: Item, by: User) -> Item:
    """Stop asking an item; visits that answered it still show it."""
    if not item.active:
        raise ConfigurationError(_("This item is already retired."))
    item.active = False
    with acting_as(by, "retired"):
        item.save(update_fields=["active"])
    return item


def restore_item(*, item: Item, by: User) -> Item:
    """Ask a retired item again."""
    if item.active:
        raise ConfigurationError(_("This item is in use."))
    item.active = True
    with acting_as(by, "restored"):
        item.save(update_fields=["active"])
    return item


@dataclass(frozen=True)
class Value:
    setting: Setting
    value: int

    @property
    def changed(self) -> bool:
        """Differs from the default."""
        return self.value != self.setting.default


SETTING_GROUPS: tuple[tuple[Promise, tuple[Setting, ...]], ...] = (
    (gettext_lazy("Levels"), LEVEL_SETTINGS),
    (gettext_lazy("Scorecard weights"), SCORE_SETTINGS),
    (gettext_lazy("Early warnings"), WARNING_SETTINGS),
    (gettext_lazy("Monev cadence"), MONEV_SETTINGS),
    (gettext_lazy("Facilitator supervision"), SUPERVISION_SETTINGS),
)


def rules_in_force(*, regency: Region, today: dt.date | None = None) -> tuple[Rules, list[tuple[Promise, list[Value]]]]:
    """The rules in force today for a regency, and their values by group (levels, weights, warnings, monev)."""
    rules = Rules.effective(regency=regency.code, on=today or timezone.localdate())
    return rules, [(title, [Value(s, rules[s.key]) for s in settings]) for title, settings in SETTING_GROUPS]
