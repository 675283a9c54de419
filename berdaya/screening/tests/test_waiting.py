"""Duplicate pairs waiting for a reviewer, or for a merge, in the reviewer's scope only."""

from __future__ import annotations

from django.urls import reverse

from berdaya.registry.tests.factories import PersonFactory
from berdaya.screening.models import MatchCandidate
from berdaya.screening.selectors import waiting_for


def pair(village: str, status: str = MatchCandidate.Status.PENDING) -> MatchCandidate:
    left, right = sorted(
        (PersonFactory(household__village__code=village), PersonFactory(household__village__code=village)),
        key=lambda p: p.pk,
    )
    return MatchCandidate.objects.create(
        left=left,
        right=right,
        left_label=left.name,
        right_label=right.name,
        region=left.household.village,
        score="0.9500",
        reason="same name",
        status=status,
    )


def kinds(user) -> dict[str, object]:
    return {item.kind: item for item in waiting_for(user)}


def test_a_pending_pair_waits_for_the_dinas_reviewer_and_leads_to_it(regions, users):
    candidate = pair("64.01.04.2004")
    pair("64.02.01.2001")  # another regency: not Paser's Dinas to review

    item = kinds(users["officer"])["screening.review"]

    assert (item.count, item.url) == (1, reverse("screening:candidate-detail", args=[candidate.pk]))


def test_several_pending_pairs_lead_to_the_filtered_queue(regions, users):
    pair("64.01.04.2004")
    pair("64.01.05.2001")

    item = kinds(users["admin"])["screening.review"]

    assert (item.count, item.url) == (2, reverse("screening:candidate-list") + "?status=pending")


def test_a_confirmed_pair_waits_to_be_merged_and_a_reviewed_one_does_not(regions, users):
    pair("64.01.04.2004", MatchCandidate.Status.CONFIRMED)
    pair("64.01.04.2004", MatchCandidate.Status.REJECTED)
    pair("64.01.04.2004", MatchCandidate.Status.MERGED)

    assert {k: item.count for k, item in kinds(users["officer"]).items()} == {"screening.merge": 1}


def test_roles_that_only_read_the_queue_have_nothing_waiting(regions, users):
    pair("64.01.04.2004")

    assert waiting_for(users["monitor"]) == []
    assert waiting_for(users["camat"]) == []
