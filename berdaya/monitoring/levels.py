"""Monthly level snapshots and manual levels: the history of each group's maturity, and a Dinas officer's say.

A snapshot keeps what the engine computed for a month with the rule set it used, so a later rule set never rewrites
the past: recomputing a month reads the rule set in force at that month's end. A manual level in force at the end
of a month overrides the level shown (`is_manual`), the computed level staying beside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from berdaya.accounts.models import User
from berdaya.groups.models import Kube
from berdaya.lib.audit import acting_as, because
from berdaya.lib.errors import DomainError
from berdaya.lib.months import month_end

from .engine import CHUNK, Evaluation, evaluate_chunks
from .models import Level, LevelSnapshot, ManualLevel


class LevelError(DomainError):
    pass


def _snapshot_row(evaluation: Evaluation, manual: ManualLevel | None, now: dt.datetime) -> LevelSnapshot:
    rule_set = evaluation.rules.rule_set
    return LevelSnapshot(
        kube_id=evaluation.kube_id,
        month=evaluation.month,
        level=manual.level if manual else evaluation.computed_level,
        computed_level=evaluation.computed_level,
        is_manual=manual is not None,
        rule_set_id=rule_set.pk if rule_set else None,
        indicators=[
            {
                "code": i.code,
                "level": int(i.level),
                "value": i.value,
                "number": None if i.number is None else str(i.number),
                "holds": i.holds,
            }
            for i in evaluation.indicators
        ],
        scores=evaluation.scores,
        computed_at=now,
    )


def _formed_pairs(kube_ids: list[int], months: list[dt.date]) -> set[tuple[int, dt.date]]:
    """The (group, month) pairs to snapshot: the group had formed by the month's end and had not ended before it."""
    pairs = set()
    for pk, formed_on, status, since in Kube.objects.filter(pk__in=kube_ids).values_list(
        "pk", "formed_on", "status", "status_since"
    ):
        for month in months:
            if formed_on is None or formed_on > month_end(month):
                continue
            if status in Kube.ENDED and since < month:
                continue
            pairs.add((pk, month))
    return pairs


def snapshot_months(
    months: list[dt.date], *, kube_ids: Iterable[int] | None = None, by: User, today: dt.date | None = None
) -> int:
    """Compute and keep the level and scorecard of every formed group (or of `kube_ids`) for these months.

    Written in bulk, a chunk of groups at a time (insert, or update the month's row when it exists); the texts are
    kept in the office's language. Returns the number of snapshots written.
    """
    today = today or timezone.localdate()
    wanted = sorted({month.replace(day=1) for month in months})
    ids = sorted(kube_ids) if kube_ids is not None else list(Kube.objects.order_by("pk").values_list("pk", flat=True))
    written = 0
    for at in range(0, len(ids), CHUNK):
        chunk = ids[at : at + CHUNK]
        pairs = _formed_pairs(chunk, wanted)
        if not pairs:
            continue
        manual = list(
            ManualLevel.objects.filter(kube_id__in={pk for pk, _m in pairs}, since__lte=month_end(wanted[-1]))
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=wanted[0]))
            .order_by("since", "pk")
        )
        with translation.override(settings.LANGUAGE_CODE):
            evaluations = next(iter(evaluate_chunks(chunk, wanted, today=today, chunk=len(chunk), only=pairs)), {})
        now = timezone.now()
        rows = []
        for (pk, month), evaluation in evaluations.items():
            end = today if month == today.replace(day=1) else month_end(month)
            in_force = [
                m for m in manual if m.kube_id == pk and m.since <= end and (m.ended_on is None or m.ended_on > end)
            ]
            rows.append(_snapshot_row(evaluation, in_force[-1] if in_force else None, now))
        with acting_as(by):
            LevelSnapshot.objects.bulk_create(
                rows,
                batch_size=500,
                update_conflicts=True,
                unique_fields=["kube", "month"],
                update_fields=[
                    "level",
                    "computed_level",
                    "is_manual",
                    "rule_set",
                    "indicators",
                    "scores",
                    "computed_at",
                ],
            )
        written += len(rows)
    return written


def set_manual_level(*, kube: Kube, level: int, reason: str, by: User, today: dt.date | None = None) -> ManualLevel:
    """Set a group's level by hand, with the reason; the computed level stays visible beside it."""
    today = today or timezone.localdate()
    reason = (reason or "").strip()
    if not reason:
        raise LevelError(_("Say why the level is set by hand: a manual level needs a reason."))
    if level not in Level.values:
        raise LevelError(_("Choose one of the levels."))
    with acting_as(by):
        _end_in_force(kube=kube, on=today, reason=reason)
        manual = ManualLevel(kube=kube, level=level, reason=reason, since=today, set_by=by)
        because(manual, reason)
        manual.save()
        snapshot_months([today.replace(day=1)], kube_ids=[kube.pk], by=by, today=today)
    return manual


def end_manual_level(*, kube: Kube, reason: str, by: User, today: dt.date | None = None) -> ManualLevel:
    """End the manual level in force: the group's level is the computed one again."""
    today = today or timezone.localdate()
    reason = (reason or "").strip()
    if not reason:
        raise LevelError(_("Say why the manual level ends."))
    with acting_as(by):
        ended = _end_in_force(kube=kube, on=today, reason=reason)
        if ended is None:
            raise LevelError(_("This group has no level set by hand."))
        snapshot_months([today.replace(day=1)], kube_ids=[kube.pk], by=by, today=today)
    return ended


def _end_in_force(*, kube: Kube, on: dt.date, reason: str) -> ManualLevel | None:
    manual = ManualLevel.objects.select_for_update().filter(kube=kube, ended_on__isnull=True).first()
    if manual is None:
        return None
    manual.ended_on = on
    because(manual, reason)
    manual.save(update_fields=["ended_on"])
    return manual


def manual_level_in_force(kube: Kube) -> ManualLevel | None:
    """The level set by hand now in force for the group, if any."""
    return ManualLevel.objects.filter(kube=kube, ended_on__isnull=True).select_related("set_by").first()
