from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import ngettext_lazy

from berdaya.accounts.models import User
from berdaya.lib.waiting import Effort, Plan, Tally, Waiting, link, one_or_list, run_plan
from berdaya.registry.models import Person

from .models import MatchCandidate, MatchCandidateQuerySet, MergedPerson, ScreeningRun


def candidates_for_queue(*, user: User, status: str) -> MatchCandidateQuerySet:
    """The pairs a reviewer may see, by status, best match first."""
    candidates: MatchCandidateQuerySet = MatchCandidate.objects.visible_to(user).select_related("region")
    if status in MatchCandidate.Status.values:
        candidates = candidates.filter(status=status)
    return candidates


def status_counts(*, user: User) -> dict[str, int]:
    counts = dict(
        MatchCandidate.objects.visible_to(user).values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return {value: counts.get(value, 0) for value in MatchCandidate.Status.values}


def merged_records(*, user: User, query: str) -> list[MergedPerson]:
    """Records merged away, found by their old id, NIK or name; each leads to the record it was merged into."""
    query = query.strip()
    if not query:
        return []
    match = Q(old_nik__startswith=query) | Q(old_name__icontains=query)
    if query.isascii() and query.isdigit() and len(query) < 16:
        match |= Q(old_id=int(query))
    return list(MergedPerson.objects.visible_to(user).filter(match).select_related("kept")[:20])


def recent_runs(*, user: User, limit: int = 5) -> list[ScreeningRun]:
    return list(ScreeningRun.objects.visible_to(user).select_related("region", "started_by")[:limit])


def actions_for(user: User, candidate: MatchCandidate) -> frozenset[str]:
    """What the user may do to a pair now: "confirm" or "reject" it (same person or not), "merge" its records."""
    actions = set()
    if candidate.can_be_reviewed and user.has_perm("screening.change_matchcandidate"):
        actions |= {"confirm", "reject"}
    if candidate.can_be_merged and user.has_perm("screening.merge_persons"):
        actions.add("merge")
    return frozenset(actions)


def waiting_for(user: User) -> list[Waiting]:
    return run_plan(user, lambda tally: plan_waiting(user, tally))


def plan_waiting(user: User, tally: Tally) -> Plan:
    """Pairs waiting for a reviewer (same person or not?), and pairs confirmed as one person whose records are not
    merged yet; each behind the permission of its step."""
    candidates = MatchCandidate.objects.visible_to(user)
    steps = []
    if user.has_perm("screening.change_matchcandidate"):
        steps.append(
            (
                "screening.review",
                MatchCandidate.Status.PENDING,
                candidates.pending(),
                ngettext_lazy(
                    "%(count)s possible duplicate to review",
                    "%(count)s possible duplicates to review",
                    "count",
                ),
            )
        )
    if user.has_perm("screening.merge_persons"):
        steps.append(
            (
                "screening.merge",
                MatchCandidate.Status.CONFIRMED,
                # The queryset form of MatchCandidate.can_be_merged.
                candidates.filter(status=MatchCandidate.Status.CONFIRMED, left__isnull=False, right__isnull=False),
                ngettext_lazy(
                    "%(count)s confirmed duplicate to merge",
                    "%(count)s confirmed duplicates to merge",
                    "count",
                ),
            )
        )
    rows = [tally.figures(pairs, n=("COUNT", "pk"), one=("MIN", "pk")) for _kind, _status, pairs, _label in steps]

    def read() -> list[Waiting]:
        return [
            Waiting(
                label=label,
                count=row["n"],
                url=one_or_list(
                    row["n"],
                    row["one"],
                    "screening:candidate-detail",
                    link("screening:candidate-list", query=f"status={status}"),
                ),
                effort=Effort.HUMAN,
                kind=kind,
            )
            for (kind, status, _pairs, label), row in zip(steps, rows, strict=True)
            if row["n"]
        ]

    return read


def references_to(person: Person) -> list[tuple[str, int]]:
    """The rows of other records that name this person, per kind (aid history, nominations, memberships ...): what a
    merge moves to the kept record. The same relations `merge_persons` moves; pairs and history rows stay as found."""
    found = []
    for relation in Person._meta.related_objects:
        model = relation.related_model
        if model is MatchCandidate or model.__name__.startswith("Historical"):
            continue
        if not (relation.one_to_many or relation.one_to_one):
            continue
        count = model._default_manager.filter(**{relation.field.name: person}).count()
        if count:
            found.append((str(model._meta.verbose_name_plural), count))
    return found
