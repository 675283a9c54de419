from __future__ import annotations

from django.db.models import Count, Min, Q
from django.utils.translation import ngettext_lazy

from berdaya.accounts.models import User
from berdaya.lib.waiting import Effort, Waiting, link, one_or_list

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
    if query.isdigit() and len(query) < 16:
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
    """Pairs waiting for a reviewer (same person or not?) and pairs confirmed as one person whose records are not
    merged yet: one query for both, each behind the permission of its step."""
    review = user.has_perm("screening.change_matchcandidate")
    merge = user.has_perm("screening.merge_persons")
    if not review and not merge:
        return []
    pending = Q(status=MatchCandidate.Status.PENDING)
    # The queryset form of MatchCandidate.can_be_merged.
    mergeable = Q(status=MatchCandidate.Status.CONFIRMED, left__isnull=False, right__isnull=False)
    row = MatchCandidate.objects.visible_to(user).aggregate(
        pending=Count("pk", filter=pending),
        pending_pk=Min("pk", filter=pending),
        mergeable=Count("pk", filter=mergeable),
        mergeable_pk=Min("pk", filter=mergeable),
    )
    found = []
    if review and row["pending"]:
        found.append(
            Waiting(
                label=ngettext_lazy(
                    "%(count)s possible duplicate to review",
                    "%(count)s possible duplicates to review",
                    "count",
                ),
                count=row["pending"],
                url=one_or_list(
                    row["pending"],
                    row["pending_pk"],
                    "screening:candidate-detail",
                    link("screening:candidate-list", query=f"status={MatchCandidate.Status.PENDING}"),
                ),
                effort=Effort.HUMAN,
                kind="screening.review",
            )
        )
    if merge and row["mergeable"]:
        found.append(
            Waiting(
                label=ngettext_lazy(
                    "%(count)s confirmed duplicate to merge",
                    "%(count)s confirmed duplicates to merge",
                    "count",
                ),
                count=row["mergeable"],
                url=one_or_list(
                    row["mergeable"],
                    row["mergeable_pk"],
                    "screening:candidate-detail",
                    link("screening:candidate-list", query=f"status={MatchCandidate.Status.CONFIRMED}"),
                ),
                effort=Effort.HUMAN,
                kind="screening.merge",
            )
        )
    return found
