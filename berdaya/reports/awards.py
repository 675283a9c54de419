"""The annual awards (KUBE berprestasi, best facilitators): rounds, the shortlist, the committee's marks, the result.

The shortlist reads the monitoring scorecards (LevelSnapshot) of one month, the round's `data_month`: the latest
month of the round's year for which the regency has snapshots. Every candidate is kept with what was read and,
when left out, why:

- a KUBE is shortlisted when it has a snapshot for each of the last `months_of_data` months up to `data_month`,
  its total scorecard is at least `min_score`, its level at least `min_level`, and it has no open "problem past
  its deadline" warning (the daily check in berdaya/monitoring/warnings.py decides what is past its deadline);
- a facilitator is judged by the groups they accompany in the regency that have those months of data: the
  average of their totals and of their levels against the same thresholds, and no such warning open in any of
  their groups;
- the eligible ones are ranked by scorecard (then name) and the first `max_shortlist` are shortlisted.

The committee marks each shortlisted entry on institution, social and economic aspects (0-100, one assessment per
member and entry). The result ranks by the committee's average (each assessment's weighted mean, the round's
weights, averaged over the assessors), ties broken by the scorecard and then the shortlist rank. Deciding freezes
that ranking on the entries.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from openpyxl import Workbook
from openpyxl.styles import Font

from berdaya.groups.models import Kube
from berdaya.lib.audit import acting_as, because
from berdaya.lib.confirm import Confirmation
from berdaya.lib.errors import DomainError
from berdaya.lib.exports import safe_cell
from berdaya.lib.months import month_start, months_back
from berdaya.lib.scoping import region_q
from berdaya.lib.stored_text import keep
from berdaya.monitoring.models import EarlyWarning, Level, LevelSnapshot
from berdaya.regions.models import Region
from berdaya.targeting.documents import logo_url, render_pdf  # the SK's own printing: one letterhead
from berdaya.targeting.selectors import letterhead_of

from .models import Assessment, AwardEntry, AwardRound

if TYPE_CHECKING:
    from berdaya.accounts.models import User

TWO_PLACES = Decimal("0.01")


class AwardError(DomainError):
    pass


def _two(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


# Rounds ----------------------------------------------------------------------------------------------------------


def create_round(
    *,
    region: Region,
    year: int,
    kind: str,
    by: User,
    name: str = "",
    min_score: int = 60,
    min_level: int = Level.BERKEMBANG,
    months_of_data: int = 6,
    max_shortlist: int = 10,
    weight_institution: int = 1,
    weight_social: int = 1,
    weight_economic: int = 1,
    committee: str = "",
) -> AwardRound:
    """Open a regency's award round for one year and kind, with the shortlist's thresholds and the weights."""
    if region.level != Region.Level.REGENCY:
        raise AwardError(_("An award round belongs to a regency."))
    if not (weight_institution or weight_social or weight_economic):
        raise AwardError(_("At least one aspect needs a weight above zero."))
    with acting_as(by):
        if AwardRound.objects.filter(region=region, year=year, kind=kind).exists():
            raise AwardError(
                _("%(region)s already has a %(kind)s round for %(year)s.")
                % {"region": region.name, "kind": AwardRound.Kind(kind).label, "year": year}
            )
        return AwardRound.objects.create(
            region=region,
            name=name,
            year=year,
            kind=kind,
            min_score=min_score,
            min_level=min_level,
            months_of_data=months_of_data,
            max_shortlist=max_shortlist,
            weight_institution=weight_institution,
            weight_social=weight_social,
            weight_economic=weight_economic,
            committee=committee,
            created_by=by,
        )


# The shortlist ---------------------------------------------------------------------------------------------------


@dataclass
class _Candidate:
    kube: Kube | None
    facilitator: User | None
    name: str
    place: str
    scorecard: Decimal
    level: Decimal | None
    scores: dict[str, Any]
    reasons: list[dict[str, Any]]


def _data_month(award: AwardRound, kubes: list[int], today: dt.date) -> dt.date | None:
    """The latest month of the round's year (not after this month) with snapshots of the regency's groups."""
    last = min(dt.date(award.year, 12, 1), month_start(today))
    snapshots = LevelSnapshot.objects.filter(kube_id__in=kubes, month__gte=dt.date(award.year, 1, 1), month__lte=last)
    latest: dt.date | None = snapshots.aggregate(latest=Max("month"))["latest"]
    return latest


def _overdue_kubes(kubes: list[int]) -> set[int]:
    warnings = EarlyWarning.objects.open().filter(kube_id__in=kubes, kind=EarlyWarning.Kind.PROBLEM_OVERDUE)
    return set(warnings.values_list("kube_id", flat=True))


def _kube_candidates(award: AwardRound, kubes: list[Kube], month: dt.date) -> list[_Candidate]:
    first = months_back(month, award.months_of_data - 1)
    snapshots = LevelSnapshot.objects.filter(kube__in=kubes, month__gte=first, month__lte=month)
    months: dict[int, int] = defaultdict(int)
    latest: dict[int, LevelSnapshot] = {}
    for row in snapshots:
        months[row.kube_id] += 1
        if row.month == month:
            latest[row.kube_id] = row
    overdue = _overdue_kubes([kube.pk for kube in kubes])
    candidates = []
    for kube in kubes:
        snapshot = latest.get(kube.pk)
        scores = dict(snapshot.scores) if snapshot else {}
        total = Decimal(scores.get("total", 0) or 0)
        level = Decimal(snapshot.level) if snapshot else None
        reasons = []
        if snapshot is None:
            reasons.append(keep(N_("No scorecard for %(month)s."), month=f"{month:%Y-%m}"))
        if months[kube.pk] < award.months_of_data:
            reasons.append(
                keep(
                    N_("Scorecards for %(have)s of the last %(need)s months."),
                    have=months[kube.pk],
                    need=award.months_of_data,
                )
            )
        if snapshot is not None and total < award.min_score:
            reasons.append(keep(N_("Scorecard %(score)s is below %(min)s."), score=total, min=award.min_score))
        if snapshot is not None and snapshot.level < award.min_level:
            reasons.append(
                keep(
                    N_("Level %(level)s is below %(min)s."),
                    level=Level(snapshot.level).label,
                    min=Level(award.min_level).label,
                )
            )
        if kube.pk in overdue:
            reasons.append(keep(N_("An open problem is past its deadline.")))
        if snapshot is not None:
            scores["level"] = snapshot.level
        scores["months"] = months[kube.pk]
        candidates.append(
            _Candidate(kube, None, kube.name, kube.village.name, total, level, scores, reasons),
        )
    return candidates


def _facilitator_candidates(award: AwardRound, kubes: list[Kube], month: dt.date) -> list[_Candidate]:
    groups = [kube for kube in kubes if kube.facilitator_id is not None]
    by_kube = {candidate.kube.pk: candidate for candidate in _kube_candidates(award, groups, month) if candidate.kube}
    overdue_kubes = _overdue_kubes(list(by_kube))
    theirs: dict[int, list[Kube]] = defaultdict(list)
    for kube in groups:
        theirs[kube.facilitator_id].append(kube)  # type: ignore[index]  # filtered above
    candidates = []
    for facilitator_kubes in theirs.values():
        facilitator = facilitator_kubes[0].facilitator
        assert facilitator is not None
        # Groups with the round's months of data count; a group still short of data is neither praise nor blame.
        counted = [
            by_kube[kube.pk]
            for kube in facilitator_kubes
            if by_kube[kube.pk].level is not None and by_kube[kube.pk].scores["months"] >= award.months_of_data
        ]
        reasons = []
        if counted:
            total = _two(sum((c.scorecard for c in counted), Decimal(0)) / len(counted))
            level = _two(sum((c.level or Decimal(0) for c in counted), Decimal(0)) / len(counted))
        else:
            total, level = Decimal(0), None
            reasons.append(
                keep(N_("None of their groups has scorecards for the last %(need)s months."), need=award.months_of_data)
            )
        if counted and total < award.min_score:
            reasons.append(keep(N_("Average scorecard %(score)s is below %(min)s."), score=total, min=award.min_score))
        if level is not None and level < award.min_level:
            reasons.append(
                keep(N_("Average level %(level)s is below %(min)s."), level=level, min=Level(award.min_level).label)
            )
        overdue = [kube.name for kube in facilitator_kubes if kube.pk in overdue_kubes]
        if overdue:
            reasons.append(keep(N_("An open problem is past its deadline in %(groups)s."), groups=", ".join(overdue)))
        scores = {"groups": len(facilitator_kubes), "counted": len(counted), "kubes": [c.name for c in counted]}
        candidates.append(
            _Candidate(
                None, facilitator, str(facilitator), str(facilitator.region or ""), total, level, scores, reasons
            )
        )
    return candidates


def build_shortlist(*, award: AwardRound, by: User, today: dt.date | None = None) -> list[AwardEntry]:
    """Read the scorecards, keep every candidate with its scores, and shortlist the best eligible ones."""
    today = today or timezone.localdate()
    with acting_as(by):
        award = AwardRound.objects.select_for_update().select_related("region").get(pk=award.pk)
        if award.status not in (AwardRound.Status.DRAFT, AwardRound.Status.SHORTLISTED):
            raise AwardError(_("The shortlist can no longer change: the committee has finished."))
        if Assessment.objects.filter(entry__round=award).exists():
            raise AwardError(_("The committee has started marking: the shortlist can no longer be rebuilt."))
        kubes = list(
            Kube.objects.filter(region_q("village__code", award.region_id))
            .select_related("village", "facilitator__region")
            .order_by("name", "pk")
        )
        month = _data_month(award, [kube.pk for kube in kubes], today)
        if month is None:
            raise AwardError(
                _("No group of %(region)s has a scorecard in %(year)s yet.")
                % {"region": award.region.name, "year": award.year}
            )
        if award.kind == AwardRound.Kind.KUBE:
            candidates = _kube_candidates(award, kubes, month)
        else:
            candidates = _facilitator_candidates(award, kubes, month)
        eligible = sorted((c for c in candidates if not c.reasons), key=lambda c: (-c.scorecard, c.name))
        for number, candidate in enumerate(eligible, start=1):
            if number > award.max_shortlist:
                candidate.reasons.append(
                    keep(N_("Ranked %(rank)s: beyond the shortlist of %(max)s."), rank=number, max=award.max_shortlist)
                )
        ranks = {id(c): number for number, c in enumerate(eligible, start=1) if number <= award.max_shortlist}
        award.entries.all().delete()
        entries = [
            AwardEntry.objects.create(
                round=award,
                kube=c.kube,
                facilitator=c.facilitator,
                name=c.name,
                place=c.place,
                scorecard=c.scorecard,
                level=c.level,
                scores=c.scores,
                shortlisted=id(c) in ranks,
                reasons=c.reasons,
                rank=ranks.get(id(c)),
            )
            for c in candidates
        ]
        award.data_month = month
        award.status = AwardRound.Status.SHORTLISTED
        because(award, "shortlist built")
        award.save(update_fields=["data_month", "status"])
        return entries


# The committee's marks -------------------------------------------------------------------------------------------


def record_assessment(
    *,
    entry: AwardEntry,
    by: User,
    institution: int,
    social: int,
    economic: int,
    institution_note: str = "",
    social_note: str = "",
    economic_note: str = "",
    reason: str = "",
) -> Assessment:
    """Record (or change, with a reason) one committee member's marks for a shortlisted entry."""
    marks = {"institution": institution, "social": social, "economic": economic}
    for mark in marks.values():
        if mark is None or not 0 <= int(mark) <= 100:
            raise AwardError(_("Each mark is a whole number from 0 to 100."))
    with acting_as(by):
        award = AwardRound.objects.select_for_update().get(pk=entry.round_id)
        if not award.is_open_for_marks:
            raise AwardError(_("The committee marks only while the round is shortlisted."))
        if not entry.shortlisted:
            raise AwardError(_("Only a shortlisted entry is marked."))
        notes = {"institution_note": institution_note, "social_note": social_note, "economic_note": economic_note}
        assessment = Assessment.objects.filter(entry=entry, assessor=by).first()
        if assessment is None:
            return Assessment.objects.create(entry=entry, assessor=by, **marks, **notes)
        if not reason.strip():
            raise AwardError(_("Say why the marks change."))
        for name, value in {**marks, **notes}.items():
            setattr(assessment, name, value)
        assessment.assessed_at = timezone.now()
        because(assessment, reason.strip())
        assessment.save()
        return assessment


def close_assessment(*, award: AwardRound, by: User) -> AwardRound:
    """End the committee's marking once every shortlisted entry has at least one assessment."""
    with acting_as(by):
        award = AwardRound.objects.select_for_update().get(pk=award.pk)
        if award.status != AwardRound.Status.SHORTLISTED:
            raise AwardError(_("Only a shortlisted round's marking can be closed."))
        unmarked = award.entries.shortlisted().filter(assessments__isnull=True).values_list("name", flat=True)
        if unmarked:
            raise AwardError(_("Not yet marked: %(names)s.") % {"names": ", ".join(unmarked)})
        award.status = AwardRound.Status.ASSESSED
        award.save(update_fields=["status"])
        return award


@dataclass(frozen=True)
class Ranked:
    """One shortlisted entry in the result: its place, the committee's average and the scorecard that breaks ties."""

    rank: int
    entry: AwardEntry
    committee_score: Decimal | None
    assessors: int
    institution: Decimal | None
    social: Decimal | None
    economic: Decimal | None


def _mean(values: list[int]) -> Decimal | None:
    return _two(Decimal(sum(values)) / len(values)) if values else None


def ranking(award: AwardRound) -> list[Ranked]:
    """The shortlisted entries ranked by the committee's average, ties by scorecard then shortlist rank.

    Once the round is decided the frozen ranks and scores are read as they were decided.
    """
    entries = list(award.entries.shortlisted().prefetch_related("assessments"))
    rows = []
    for entry in entries:
        marks = list(entry.assessments.all())
        if award.is_decided:
            score = entry.committee_score
        else:
            score = _two(sum((m.weighted(award.weights) for m in marks), Decimal(0)) / len(marks)) if marks else None
        rows.append(
            (
                entry,
                score,
                len(marks),
                _mean([m.institution for m in marks]),
                _mean([m.social for m in marks]),
                _mean([m.economic for m in marks]),
            )
        )
    if award.is_decided:
        rows.sort(key=lambda row: row[0].result_rank or 0)
    else:
        rows.sort(key=lambda row: (row[1] is None, -(row[1] or 0), -row[0].scorecard, row[0].rank or 0))
    return [
        Ranked(
            rank=(row[0].result_rank or number) if award.is_decided else number,
            entry=row[0],
            committee_score=row[1],
            assessors=row[2],
            institution=row[3],
            social=row[4],
            economic=row[5],
        )
        for number, row in enumerate(rows, start=1)
    ]


def decide_confirmation(award: AwardRound) -> Confirmation | None:
    """What deciding will do, for the confirmation page; None when it cannot be done now (the service says why)."""
    if award.status != AwardRound.Status.ASSESSED:
        return None
    ranked = ranking(award)
    return Confirmation(
        title=_("Decide %(round)s") % {"round": award},
        effects=[
            _("The ranking of %(count)s shortlisted entries is frozen as shown below.") % {"count": len(ranked)},
        ],
        rows=[(str(row.rank), f"{row.entry.name} · {row.committee_score}") for row in ranked],
        rows_title=_("Ranking"),
        final=_("After this no mark, entry or rank of the round can change."),
        button=_("Decide"),
    )


def decide_round(*, award: AwardRound, by: User) -> AwardRound:
    """Freeze the result: each shortlisted entry keeps its committee score and rank."""
    with acting_as(by):
        award = AwardRound.objects.select_for_update().get(pk=award.pk)
        if award.status != AwardRound.Status.ASSESSED:
            raise AwardError(_("A round is decided once the committee has finished marking."))
        for row in ranking(award):
            row.entry.result_rank = row.rank
            row.entry.committee_score = row.committee_score
            row.entry.save(update_fields=["result_rank", "committee_score"])
        award.status = AwardRound.Status.DECIDED
        award.decided_by = by
        award.decided_at = timezone.now()
        because(award, "decided")
        award.save(update_fields=["status", "decided_by", "decided_at"])
        return award


def actions_for(user: User, award: AwardRound) -> set[str]:
    """What `user` may do to the round now: the state predicates the services check, behind each permission."""
    actions = set()
    has_marks = Assessment.objects.filter(entry__round=award).exists()
    if (
        user.has_perm("reports.add_awardround")
        and award.status in (AwardRound.Status.DRAFT, AwardRound.Status.SHORTLISTED)
        and not has_marks
    ):
        actions.add("shortlist")
    if user.has_perm("reports.add_assessment") and award.is_open_for_marks:
        actions.add("assess")
        actions.add("close")
    if user.has_perm("reports.decide_awardround") and award.status == AwardRound.Status.ASSESSED:
        actions.add("decide")
    return actions


# The result as documents -----------------------------------------------------------------------------------------

# The result is the Dinas's document, printed in the office's language like the SK.
DOCUMENT_LANGUAGE = "id"


def result_pdf(*, award: AwardRound) -> bytes:
    """The ranked result on the Dinas's letterhead, with the committee; marked as a draft until decided."""
    letterhead = letterhead_of(region_id=award.region_id)
    with translation.override(DOCUMENT_LANGUAGE):
        return render_pdf(
            "reports/awards_result_pdf.html",
            {
                "award": award,
                "ranked": ranking(award),
                "letterhead": letterhead,
                "logo_url": logo_url(letterhead),
                "issuer": letterhead.issuer,
                "committee": award.committee_members(),
                "draft": not award.is_decided,
            },
        )


def result_xlsx(*, award: AwardRound) -> bytes:
    """The ranked result as a spreadsheet: one row per shortlisted entry, with the marks and the scorecard."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = str(award.year)
    header = [
        _("Rank"),
        _("Name"),
        _("Place"),
        _("Committee score"),
        _("Institution"),
        _("Social"),
        _("Economic"),
        _("Assessors"),
        _("Scorecard"),
        _("Shortlist rank"),
    ]
    sheet.append([str(award)])
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in ranking(award):
        sheet.append(
            [
                row.rank,
                safe_cell(row.entry.name),
                safe_cell(row.entry.place),
                row.committee_score,
                row.institution,
                row.social,
                row.economic,
                row.assessors,
                row.entry.scorecard,
                row.entry.rank,
            ]
        )
    for column, width in zip("ABCDEFGHIJ", (6, 32, 24, 12, 10, 10, 10, 10, 10, 10), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
