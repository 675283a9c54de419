"""A second look before two records of one person are merged: which stays, which goes, and what moves."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from berdaya.registry.models import AssistanceRecord, Person
from berdaya.registry.tests.factories import AssistanceRecordFactory
from berdaya.screening.models import MatchCandidate
from berdaya.screening.services import review_candidate

from .test_review import registry, run_for  # noqa: F401  (the fixture of the same world)

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed_pair(users, registry):  # noqa: F811
    AssistanceRecordFactory(person=registry["copy"], programme=AssistanceRecord.Programme.KUBE, year=2019)
    run_for(users["officer"])
    candidate = review_candidate(candidate=MatchCandidate.objects.get(), same_person=True, note="", by=users["officer"])
    return candidate, registry


@pytest.fixture
def officer(client, users):
    client.force_login(users["officer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_merging_first_shows_what_moves_and_merges_nothing(officer, confirmed_pair):
    candidate, registry = confirmed_pair  # noqa: F811

    response = officer.post(
        reverse("screening:candidate-merge", args=[candidate.pk]), {"keep": registry["original"].pk}
    )

    text = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert "1 linked records move to the kept record." in text
    assert Person.objects.filter(pk=registry["copy"].pk).exists()
    assert response.context["cancel"] == candidate.get_absolute_url()


def test_a_confirmed_merge_merges(officer, confirmed_pair):
    candidate, registry = confirmed_pair  # noqa: F811

    officer.post(
        reverse("screening:candidate-merge", args=[candidate.pk]), {"keep": registry["original"].pk, "confirmed": "1"}
    )

    assert not Person.objects.filter(pk=registry["copy"].pk).exists()
    assert MatchCandidate.objects.get(pk=candidate.pk).status == MatchCandidate.Status.MERGED
