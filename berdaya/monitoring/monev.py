"""The Dinas's monitoring and evaluation visits (monev): when each group is due one, recording one, and what it does.

A group is due a monev (the cadence is the regency's rule set, rules.MONEV_SETTINGS):
- now, when an unpaid aid stage waits for the condition "monitoring passed": the money is held back until a monev
  passes (verdict "continue"), or an officer pays with the audited override of business.pay_aid_stage;
- `monev_after_aid_days` after an aid stage is paid, unless a monev was made on or after the payment;
- `monev_every_months` after the last monev (or, before the first, after the first aid paid).

A passed monev marks every unpaid stage waiting for "monitoring passed" as met, on the day of the visit; that is the
only way that condition is met (business.services.mark_condition_met refuses it by hand).
"""

from __future__ import annotations

import calendar
import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy
from django.utils.translation import gettext_noop as N_

from berdaya.accounts.models import User
from berdaya.business.models import AidStage
from berdaya.business.services import mark_condition_met
from berdaya.groups.models import Kube
from berdaya.inbox.services import notify
from berdaya.lib.audit import acting_as
from berdaya.lib.errors import DomainError
from berdaya.lib.images import prepare_photo
from berdaya.lib.months import add_months
from berdaya.lib.scoping import regency_code, region_q
from berdaya.lib.sent_once import sent_once
from berdaya.lib.stored_text import keep
from berdaya.lib.waiting import Effort, Plan, Tally, Waiting, link, one_or_list, run_plan
from berdaya.mentoring.models import EnvironmentRecord
from berdaya.mentoring.services import record_environment

from .models import Bina, MonevPhoto, MonevQuestion, MonevVisit, RuleSet
from .rules import Rules


class MonevError(DomainError):
    pass


# Dates -----------------------------------------------------------------------------------------------------------


def _latest_due_base(today: dt.date, months: int) -> dt.date:
    """The last day d with add_months(d, months) <= today: the periodic cadence's cut-off, as a date to compare with."""
    cutoff = add_months(today, -months)
    if today.day == calendar.monthrange(today.year, today.month)[1]:
        # Today is a month's last day: every later day of the cut-off's month also lands on (or before) today.
        cutoff = cutoff.replace(day=calendar.monthrange(cutoff.year, cutoff.month)[1])
    return cutoff


# When a group is due a monev -------------------------------------------------------------------------------------

AID_STAGE, AFTER_AID, PERIODIC = "aid_stage", "after_aid", "periodic"
REASONS: dict[str, Promise] = {
    AID_STAGE: gettext_lazy("An aid stage waits for a passed monev"),
    AFTER_AID: gettext_lazy("After an aid stage was paid"),
    PERIODIC: gettext_lazy("Periodic"),
}


@dataclass(frozen=True)
class Due:
    """When a group is next due a monev, and why. `due_on` None: nothing makes it due yet (no aid paid, no monev)."""

    due_on: dt.date | None
    reason: str = ""
    # The unpaid stage (its number) held back until a monev passes; such a group is urgent whatever its date.
    holds_stage: int | None = None
    last_monev: dt.date | None = None

    @property
    def reason_label(self) -> str:
        return str(REASONS.get(self.reason, ""))

    @property
    def kind(self) -> str:
        """The kind of monev this one would be (the form's first choice)."""
        return MonevVisit.Kind.AFTER_AID if self.reason in (AID_STAGE, AFTER_AID) else MonevVisit.Kind.PERIODIC

    def is_due(self, today: dt.date) -> bool:
        return self.due_on is not None and self.due_on <= today

    def days_late(self, today: dt.date) -> int:
        return (today - self.due_on).days if self.due_on is not None and self.due_on < today else 0


def next_due(
    *,
    today: dt.date,
    rules: Rules,
    last_monev: dt.date | None,
    paid: Sequence[dt.date],
    holding: Sequence[tuple[int, dt.date]] = (),
) -> Due:
    """A group's next monev by the cadence: `paid` the days its stages were paid, `holding` (number, planned day) of
    its unpaid stages waiting for a passed monev, `last_monev` the day of its latest monev (any verdict)."""
    candidates: list[tuple[dt.date, str]] = []
    stage = None
    if holding:
        stage, planned_on = min(holding)
        candidates.append((min(planned_on, today), AID_STAGE))
    # A paid stage is covered by a monev made on or after its payment.
    uncovered = [day for day in paid if last_monev is None or day > last_monev]
    if uncovered:
        candidates.append((min(uncovered) + dt.timedelta(days=rules["monev_after_aid_days"]), AFTER_AID))
    base = last_monev if last_monev is not None else min(paid, default=None)
    if base is not None:
        candidates.append((add_months(base, rules["monev_every_months"]), PERIODIC))
    if not candidates:
        return Due(None, last_monev=last_monev)
    due_on, reason = min(candidates)
    return Due(due_on, AID_STAGE if stage is not None else reason, stage, last_monev)


def _awaiting_monev() -> Q:
    """The queryset form of AidStage.needs_monev on an unpaid stage."""
    return Q(paid_on__isnull=True, condition=AidStage.Condition.MONITORING_PASSED, condition_met_on__isnull=True)


def _rules_by_regency(regencies: Iterable[str], today: dt.date) -> dict[str, Rules]:
    """The rules in force today for each regency, from one query."""
    regencies = set(regencies)
    versions = list(RuleSet.objects.filter(region_id__in=regencies, effective_from__lte=today))
    return {code: Rules.effective(regency=code, on=today, rule_sets=versions) for code in regencies}


@dataclass(frozen=True)
class DueRow:
    kube: Kube
    due: Due


def monev_due(*, user: User, today: dt.date | None = None, kecamatan: str = "") -> list[DueRow]:
    """The running groups in the user's scope with their next monev, the earliest first (overdue at the top), those
    not due yet at the end. Four queries whatever the number of groups."""
    today = today or timezone.localdate()
    kubes = Kube.objects.visible_to(user).running().select_related("village__parent", "facilitator")
    if kecamatan:
        kubes = kubes.filter(region_q("village__code", kecamatan))
    groups = list(kubes)
    ids = [kube.pk for kube in groups]
    last = dict(
        MonevVisit.objects.filter(kube_id__in=ids)
        .values_list("kube_id")
        .annotate(last=Max("visited_on"))
        .values_list("kube_id", "last")
    )
    paid: dict[int, list[dt.date]] = defaultdict(list)
    holding: dict[int, list[tuple[int, dt.date]]] = defaultdict(list)
    for stage in AidStage.objects.filter(kube_id__in=ids).only(
        "kube_id", "number", "planned_on", "paid_on", "condition", "condition_met_on"
    ):
        if stage.paid_on is not None:
            paid[stage.kube_id].append(stage.paid_on)
        elif stage.needs_monev:
            holding[stage.kube_id].append((stage.number, stage.planned_on))
    rules = _rules_by_regency((regency_code(kube.village_id) for kube in groups), today)
    rows = [
        DueRow(
            kube,
            next_due(
                today=today,
                rules=rules[regency_code(kube.village_id)],
                last_monev=last.get(kube.pk),
                paid=paid[kube.pk],
                holding=holding[kube.pk],
            ),
        )
        for kube in groups
    ]
    return sorted(rows, key=lambda row: (row.due.due_on is None, row.due.due_on or today, row.kube.name))


def due_for(kube: Kube, *, today: dt.date | None = None) -> Due:
    """One group's next monev (the group's pages and the monev form)."""
    today = today or timezone.localdate()
    stages = list(AidStage.objects.filter(kube=kube))
    return next_due(
        today=today,
        rules=Rules.effective(regency=regency_code(kube.village_id), on=today),
        last_monev=kube.monev_visits.aggregate(last=Max("visited_on"))["last"],
        paid=[stage.paid_on for stage in stages if stage.paid_on is not None],
        holding=[(stage.number, stage.planned_on) for stage in stages if not stage.is_paid and stage.needs_monev],
    )


def _due_q(today: dt.date, rules: Rules) -> Q:
    """The queryset form of `next_due(...).is_due(today)` for groups judged by `rules` (without the stages held)."""
    after_aid = today - dt.timedelta(days=rules["monev_after_aid_days"])
    base = _latest_due_base(today, rules["monev_every_months"])
    monevs = MonevVisit.objects.filter(kube=OuterRef("pk"))
    uncovered = AidStage.objects.filter(kube=OuterRef("pk"), paid_on__lte=after_aid).exclude(
        Exists(MonevVisit.objects.filter(kube=OuterRef("kube"), visited_on__gte=OuterRef("paid_on")))
    )
    paid_long_ago = AidStage.objects.filter(kube=OuterRef("pk"), paid_on__lte=base)
    periodic = (Exists(monevs) & ~Exists(monevs.filter(visited_on__gt=base))) | (
        ~Exists(monevs) & Exists(paid_long_ago)
    )
    return Q(Exists(uncovered)) | periodic


def kubes_due(user: User, *, today: dt.date) -> QuerySet[Kube]:
    """The running groups in scope due a monev today by their cadence, leaving out those holding an aid stage (they
    are counted apart). The rules of every regency in scope come from one query; the groups are one queryset."""
    kubes = Kube.objects.visible_to(user).running()
    kubes = kubes.exclude(Exists(AidStage.objects.filter(_awaiting_monev(), kube=OuterRef("pk"))))
    scope = user.region_id or ""
    versions = list(RuleSet.objects.visible_to(user).filter(region_q("region__code", scope), effective_from__lte=today))
    custom = {
        code: rules
        for code in {version.region_id for version in versions}
        if (rules := Rules.effective(regency=code, on=today, rule_sets=versions)).rule_set is not None
    }
    condition = Q()
    for code, rules in custom.items():
        condition |= region_q("village__code", code) & _due_q(today, rules)
    elsewhere = Q()
    for code in custom:
        elsewhere &= ~region_q("village__code", code)
    return kubes.filter(condition | (elsewhere & _due_q(today, Rules())))


def kubes_holding_aid(user: User) -> QuerySet[Kube]:
    """Running groups in scope with an unpaid aid stage waiting for a passed monev."""
    holding = AidStage.objects.filter(_awaiting_monev(), kube=OuterRef("pk"))
    return Kube.objects.visible_to(user).running().filter(Exists(holding))


# My tasks --------------------------------------------------------------------------------------------------------


def waiting_for(user: User, *, today: dt.date | None = None) -> list[Waiting]:
    return run_plan(user, lambda tally: plan_monev_waiting(user, tally, today=today))


def plan_monev_waiting(user: User, tally: Tally, *, today: dt.date | None = None) -> Plan:
    """Monev work of the Dinas (see berdaya/worklist.py): groups whose next aid stage waits for a passed monev
    (urgent: money is held back), and groups due a monev by the cadence. The rule sets of the scope take one query
    before the tally's."""
    if not user.has_perm("monitoring.add_monevvisit"):
        return lambda: []
    today = today or timezone.localdate()
    holding = tally.figures(kubes_holding_aid(user), n=("COUNT", "pk"), one=("MIN", "pk"))
    due = tally.figures(kubes_due(user, today=today), n=("COUNT", "pk"), one=("MIN", "pk"))

    def read() -> list[Waiting]:
        found = []
        if holding["n"]:
            found.append(
                Waiting(
                    label=ngettext_lazy(
                        "%(count)s group waits for a monev before its next aid stage",
                        "%(count)s groups wait for a monev before their next aid stage",
                        "count",
                    ),
                    count=holding["n"],
                    url=one_or_list(
                        holding["n"], holding["one"], "monitoring:monev-create", link("monitoring:monev-due")
                    ),
                    effort=Effort.BUSINESS,
                    kind="monitoring.monev_aid",
                    urgent=True,
                    due=today,
                )
            )
        if due["n"]:
            found.append(
                Waiting(
                    label=ngettext_lazy("%(count)s monev visit due", "%(count)s monev visits due", "count"),
                    count=due["n"],
                    url=one_or_list(due["n"], due["one"], "monitoring:monev-create", link("monitoring:monev-due")),
                    effort=Effort.INSTITUTION,
                    kind="monitoring.monev_due",
                )
            )
        return found

    return read


# The checklist ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    code: str
    text: str
    answer: bool | None  # None: not asked in this visit
    retired: bool = False


@dataclass(frozen=True)
class Section:
    bina: str
    label: str
    answers: list[Answer]


def checklist() -> dict[str, list[MonevQuestion]]:
    """The questions in use, by effort in the efforts' order."""
    by_bina: dict[str, list[MonevQuestion]] = {bina: [] for bina in Bina.values}
    for question in MonevQuestion.objects.filter(active=True):
        by_bina[question.bina].append(question)
    return {bina: questions for bina, questions in by_bina.items() if questions}


def answered(monev: MonevVisit) -> list[Section]:
    """A visit's checklist as it was answered, by effort: a question retired since still reads by its text."""
    questions = {question.code: question for question in MonevQuestion.objects.filter(code__in=list(monev.answers))}
    by_bina: dict[str, list[tuple[tuple[int, int], Answer]]] = defaultdict(list)
    for code, value in monev.answers.items():
        question = questions.get(code)
        if question is None:  # a question deleted outright: its code is all that is left
            by_bina[""].append(((0, 0), Answer(code, code, bool(value), retired=True)))
            continue
        answer = Answer(code, question.text, bool(value), retired=not question.active)
        by_bina[question.bina].append(((question.order, question.pk), answer))
    labels = dict(Bina.choices)
    order = [*Bina.values, ""]
    return [
        Section(
            bina,
            str(labels.get(bina, _("Other"))),
            [answer for _key, answer in sorted(by_bina[bina], key=lambda pair: pair[0])],
        )
        for bina in order
        if by_bina.get(bina)
    ]


# Recording a monev -----------------------------------------------------------------------------------------------

ENVIRONMENT_FIELDS = (
    "practices",
    "neighbours_employed",
    "neighbour_days",
    "neighbour_wages",
    "social_activities",
    "community_contribution",
    "complaints",
    "notes",
)


def _check(
    *, kube: Kube, kind: str, visited_on: dt.date, answers: Mapping[str, Any], findings: str, verdict: str
) -> None:
    if visited_on > timezone.localdate():
        raise MonevError(_("The monev date cannot be in the future."))
    # A graduated group may still be visited (is it still self-reliant?); a dissolved one is gone.
    if kube.status == Kube.Status.DISSOLVED:
        raise MonevError(_("%(kube)s is %(status)s.") % {"kube": kube, "status": kube.get_status_display()})
    if kind not in MonevVisit.Kind.values:
        raise MonevError(_("Choose the kind of monev."))
    if verdict not in MonevVisit.Verdict.values:
        raise MonevError(_("Choose a verdict."))
    if not findings.strip():
        raise MonevError(_("Write down what the monev found."))
    unknown = set(answers) - set(MonevQuestion.objects.filter(active=True).values_list("code", flat=True))
    if unknown:
        raise MonevError(_("These items are not on the checklist: %(codes)s.") % {"codes": ", ".join(sorted(unknown))})


def record_monev(
    *,
    kube: Kube,
    kind: str,
    visited_on: dt.date,
    answers: Mapping[str, bool],
    findings: str,
    verdict: str,
    by: User,
    recommendation: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    photos: Sequence[UploadedFile[bytes]] = (),
    environment: Mapping[str, Any] | None = None,
    client_key: uuid.UUID | None = None,
) -> MonevVisit:
    """Record a monev visit: the checklist by effort, findings, verdict, photos with their GPS position, and
    optionally a bina lingkungan record. A passed monev releases the aid stages waiting for it; the facilitator is
    told the verdict. A visit sent twice (the same `client_key`) is stored once."""

    def store() -> MonevVisit:
        _check(kube=kube, kind=kind, visited_on=visited_on, answers=answers, findings=findings, verdict=verdict)
        # Every photo is checked and shrunk before anything is written: one bad photo stores nothing.
        prepared = [prepare_photo(photo) for photo in photos]
        at = (latitude, longitude)
        if at == (None, None):
            located = next((photo for photo in prepared if photo.latitude is not None), None)
            if located is not None:
                at = (located.latitude, located.longitude)
        with acting_as(by):
            # One monev at a time per group: the stages it releases are read and marked under this lock.
            locked = (
                Kube.objects.select_for_update(of=("self",)).select_related("village", "facilitator").get(pk=kube.pk)
            )
            monev = MonevVisit.objects.create(
                kube=locked,
                kind=kind,
                visited_on=visited_on,
                answers={code: bool(value) for code, value in answers.items()},
                findings=findings.strip(),
                recommendation=recommendation.strip(),
                verdict=verdict,
                latitude=at[0],
                longitude=at[1],
                environment=_environment(locked, visited_on, environment, by),
                client_key=client_key,
                by=by,
            )
            for photo in prepared:
                stored = MonevPhoto(monev=monev, latitude=photo.latitude, longitude=photo.longitude)
                stored.image.save(photo.content.name or "photo.jpg", photo.content, save=True)
            released = _release_stages(monev, by) if monev.passed else []
            _tell_facilitator(monev, released, by)
            return monev

    refuse = MonevError(_("This monev was already sent for another group or by another user."))
    return sent_once(MonevVisit, client_key, kube=kube, by=by, store=store, refuse=refuse)


def _environment(
    kube: Kube, visited_on: dt.date, environment: Mapping[str, Any] | None, by: User
) -> EnvironmentRecord | None:
    """The monev's bina lingkungan section, stored as the group's environment record of that day."""
    if not environment:
        return None
    fields = {name: environment[name] for name in ENVIRONMENT_FIELDS if name in environment}
    return record_environment(kube=kube, recorded_on=visited_on, by=by, **fields)


def _release_stages(monev: MonevVisit, by: User) -> list[AidStage]:
    """Mark every unpaid stage of the group waiting for a passed monev as met, on the day of the visit."""
    stages = AidStage.objects.filter(_awaiting_monev(), kube_id=monev.kube_id).order_by("number")
    return [mark_condition_met(stage=stage, met_on=monev.visited_on, by=by, by_monev=True) for stage in stages]


_VERDICT_SUBJECTS = {
    MonevVisit.Verdict.CONTINUE: N_("The monev of %(kube)s passed: the group continues"),
    MonevVisit.Verdict.GUIDANCE: N_("The monev of %(kube)s found the group needs guidance"),
    MonevVisit.Verdict.INACTIVE: N_("The monev of %(kube)s found the group inactive"),
}


def _tell_facilitator(monev: MonevVisit, released: list[AidStage], by: User) -> None:
    kube = monev.kube
    if released:
        body = keep(
            N_("Recommendation: %(recommendation)s. Aid stage %(number)s may now be paid."),
            recommendation=monev.recommendation or "-",
            number=", ".join(str(stage.number) for stage in released),
        )
    else:
        body = keep(N_("Recommendation: %(recommendation)s."), recommendation=monev.recommendation or "-")
    notify(
        kind=f"monev.{monev.verdict}",
        region=kube.village_id,
        users=[kube.facilitator],
        subject=keep(_VERDICT_SUBJECTS[MonevVisit.Verdict(monev.verdict)], kube=kube.name),
        body=body,
        url=reverse("monitoring:monev-detail", args=[monev.pk]),
        by=by,
    )
