"""Screening the registry for people recorded twice, and what a reviewer does with each finding."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import polars as pl
from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from berdaya.accounts.models import User
from berdaya.lib.audit import acting_as, because
from berdaya.lib.errors import DomainError
from berdaya.lib.scoping import region_contains
from berdaya.lib.stored_text import in_office_language
from berdaya.registry.models import AssistanceRecord, Disclosure, ImportJob, Person
from berdaya.screening import engine

from .models import MatchCandidate, MergedPerson, ScreeningRun

# Fields a merge copies from the duplicate when the kept record has none.
FILLABLE = ["relation", "sex", "birth_place", "birth_date", "marital_status", "education", "occupation", "disability"]


class ScreeningError(DomainError):
    pass


def _label(person: Person) -> str:
    return f"{person.name} ({person.nik[:6]}••••••{person.nik[-4:]})"


def _frame(persons: models.QuerySet[Person]) -> tuple[pl.DataFrame, list[int]]:
    """The persons as the engine reads them: strings in the engine's columns, one row per person."""
    rows = persons.values_list(
        "pk", "nik", "name", "birth_date", "sex", "birth_place", "household__village_id", "household__kk_number"
    ).order_by("pk")
    ids: list[int] = []
    data: dict[str, list[str]] = {column: [] for column in engine.COLUMNS}
    for pk, nik, name, birth_date, sex, birth_place, village, kk in rows.iterator(chunk_size=5000):
        ids.append(pk)
        for column, value in zip(
            engine.COLUMNS, (str(pk), nik, name, birth_date, sex, birth_place, village, kk), strict=True
        ):
            data[column].append("" if value is None else value.isoformat() if isinstance(value, dt.date) else value)
    return pl.DataFrame(data, schema=dict.fromkeys(engine.COLUMNS, pl.String)), ids


@dataclass(frozen=True)
class Finding:
    left_id: int
    right_id: int
    score: float
    reason: str


def find_duplicates(persons: models.QuerySet[Person]) -> list[Finding]:
    """Pairs of persons in the queryset that the engine judges to be one person."""
    frame, ids = _frame(persons)
    if len(ids) < 2:
        return []
    people = engine.people_from_frame(frame, source="registry", today=timezone.localdate())
    matches = engine.dedupe_on(
        settings.BERDAYA_SCREENING_CLUSTER, people, min_records=settings.BERDAYA_SCREENING_CLUSTER_MIN_RECORDS
    )
    findings = []
    for left, right, score, reason in zip(matches.left, matches.right, matches.score, matches.reasons, strict=True):
        a, b = sorted((ids[int(left)], ids[int(right)]))
        findings.append(Finding(a, b, float(score), reason))
    return findings


def screen_registry(*, run: ScreeningRun, progress: Callable[[str], None] | None = None) -> ScreeningRun:
    """Compare every person in the run's region and queue each new pair judged to be one person for review."""
    run.status = ScreeningRun.Status.RUNNING
    run.save(update_fields=["status"])
    # The run's region was checked when it was started (by hand or by an import), not the starter's scope: a
    # village operator's import is screened against the whole regency, where the duplicates are.
    persons = Person.objects.in_region(run.region_id)
    try:
        findings = find_duplicates(persons)
    except Exception as error:
        run.status, run.error, run.finished_at = ScreeningRun.Status.FAILED, str(error), timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        raise
    known = set(MatchCandidate.objects.values_list("left_id", "right_id"))
    fresh = [f for f in findings if (f.left_id, f.right_id) not in known]
    people = (
        Person.objects.in_region(run.region_id)
        .select_related("household")
        .in_bulk({f.left_id for f in fresh} | {f.right_id for f in fresh})
    )
    with acting_as(run.started_by):
        MatchCandidate.objects.bulk_create(
            [
                MatchCandidate(
                    left_id=f.left_id,
                    right_id=f.right_id,
                    left_label=_label(people[f.left_id]),
                    right_label=_label(people[f.right_id]),
                    region_id=people[f.left_id].household.village_id,
                    score=Decimal(str(round(f.score, 4))),
                    reason=f.reason,
                    run=run,
                )
                for f in fresh
            ],
            batch_size=1000,
        )
        run.persons, run.pairs, run.new_candidates = persons.count(), len(findings), len(fresh)
        run.status, run.finished_at = ScreeningRun.Status.DONE, timezone.now()
        run.save()
    return run


def start_screening(*, region_code: str, by: User, trigger: str) -> ScreeningRun:
    """Queue a screening run of the registry in the user's scope (or a region inside it)."""
    if by.region_id is None or not region_contains(by.region_id, region_code):
        raise ScreeningError(_("You can only screen the registry of your own region."))
    with acting_as(by):
        if ScreeningRun.objects.filter(region_id=region_code, status__in=["queued", "running"]).exists():
            raise ScreeningError(_("A screening of this region is already running."))
        return ScreeningRun.objects.create(region_id=region_code, started_by=by, trigger=trigger)


def screen_after_import(job: ImportJob) -> None:
    """Queue a screening of the home regency (or the uploader's region outside it) after an import."""
    from .tasks import run_screening

    home = settings.BERDAYA_HOME_REGION
    region = home if region_contains(home, job.region_id) else job.region_id
    with acting_as(job.created_by):
        if ScreeningRun.objects.filter(region_id=region, status__in=["queued", "running"]).exists():
            return  # the run already queued will see these records too
        run = ScreeningRun.objects.create(
            region_id=region,
            started_by=job.created_by,
            trigger=in_office_language(N_("import of %(file)s"), file=job.original_name),
        )
        transaction.on_commit(lambda: run_screening.enqueue(run.pk))


def review_candidate(*, candidate: MatchCandidate, same_person: bool, note: str, by: User) -> MatchCandidate:
    """Record a reviewer's decision: the two records are one person, or two different people."""
    with acting_as(by):
        candidate = MatchCandidate.objects.select_for_update().get(pk=candidate.pk)
        if not candidate.can_be_reviewed:
            raise ScreeningError(_("These records were already merged."))
        if not same_person and not note.strip():
            raise ScreeningError(_("Say why these are different people (e.g. twins, father and son)."))
        candidate.status = MatchCandidate.Status.CONFIRMED if same_person else MatchCandidate.Status.REJECTED
        candidate.note, candidate.reviewed_by, candidate.reviewed_at = note.strip(), by, timezone.now()
        candidate.save()
    return candidate


@dataclass(frozen=True)
class MergeResult:
    kept: Person
    moved: int
    dropped_duplicates: int


def merge_persons(*, candidate: MatchCandidate, keep: Person, by: User) -> MergeResult:
    """Merge a confirmed duplicate into the record to keep: every reference moves, the old id stays findable."""
    with acting_as(by):
        candidate = MatchCandidate.objects.select_for_update().get(pk=candidate.pk)
        if not candidate.can_be_merged:
            raise ScreeningError(_("Only a pair confirmed as one person can be merged."))
        if keep.pk not in (candidate.left_id, candidate.right_id):
            raise ScreeningError(_("Keep one of the two records of this pair."))
        duplicate_id = candidate.right_id if keep.pk == candidate.left_id else candidate.left_id
        pair = Person.objects.select_for_update().select_related("household").in_bulk([keep.pk, duplicate_id])
        keep, duplicate = pair[keep.pk], pair[duplicate_id]
        # The same aid recorded on both records (same programme and year) is kept once.
        same_aid = AssistanceRecord.objects.filter(person=duplicate).filter(
            models.Exists(
                AssistanceRecord.objects.filter(
                    person=keep, programme=models.OuterRef("programme"), year=models.OuterRef("year")
                )
            )
        )
        dropped = same_aid.count()
        same_aid.delete()
        moved = _move_references(duplicate=duplicate, keep=keep)
        moved += _move_disclosures(duplicate=duplicate, keep=keep)
        for name in FILLABLE:
            if getattr(keep, name) in ("", None) and getattr(duplicate, name) not in ("", None):
                setattr(keep, name, getattr(duplicate, name))
        because(keep, f"merged with #{duplicate.pk}")
        keep.save()
        MergedPerson.objects.create(
            old_id=duplicate.pk,
            old_nik=duplicate.nik,
            old_name=duplicate.name,
            old_kk_number=duplicate.household.kk_number,
            kept=keep,
            region_id=duplicate.household.village_id,
            candidate=candidate,
            merged_by=by,
        )
        candidate.status = MatchCandidate.Status.MERGED
        candidate.save()
        # Deleting keeps the duplicate's history: django-simple-history records the deletion with who did it.
        because(duplicate, f"merged into #{keep.pk}")
        duplicate.delete()
    return MergeResult(kept=keep, moved=moved, dropped_duplicates=dropped)


def _move_disclosures(*, duplicate: Person, keep: Person) -> int:
    """The access log's links to the duplicate (a many-to-many, which `_move_references` does not reach) name the
    kept person, so that "who saw this person's data" still finds them; a document that carried both is linked once."""
    link = Disclosure.persons.through
    link.objects.filter(person=duplicate, disclosure__in=link.objects.filter(person=keep).values("disclosure")).delete()
    return int(link.objects.filter(person=duplicate).update(person=keep))


def _move_references(*, duplicate: Person, keep: Person) -> int:
    """Point every row that refers to the duplicate at the kept person, whatever app it belongs to."""
    moved = 0
    for relation in Person._meta.related_objects:
        model = relation.related_model
        # A pair under review names the records as they were found; history rows keep the id they were about.
        if model is MatchCandidate or model.__name__.startswith("Historical"):
            continue
        if not (relation.one_to_many or relation.one_to_one):
            continue
        field = relation.field.name
        try:
            with transaction.atomic():
                moved += model._default_manager.filter(**{field: duplicate}).update(**{field: keep})
        except IntegrityError as error:
            raise ScreeningError(
                _("Cannot merge: both records have a %(what)s that may exist only once per person.")
                % {"what": model._meta.verbose_name}
            ) from error
    return moved
