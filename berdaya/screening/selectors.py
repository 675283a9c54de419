from __future__ import annotations

from django.db.models import Count

from berdaya.accounts.models import User

from .models import MatchCandidate, MatchCandidateQuerySet, ScreeningRun


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


def recent_runs(*, user: User, limit: int = 5) -> list[ScreeningRun]:
    return list(ScreeningRun.objects.visible_to(user).select_related("region", "started_by")[:limit])
