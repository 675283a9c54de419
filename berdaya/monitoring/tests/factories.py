"""Factories for monitoring tests (and the training records the engine reads, which have no factories yet)."""

from __future__ import annotations

import datetime as dt

import factory

from berdaya.accounts.tests.factories import UserFactory
from berdaya.groups.tests.factories import KubeFactory
from berdaya.mentoring.models import EnvironmentRecord, Meeting
from berdaya.monitoring.models import EarlyWarning, LevelSnapshot, MonevVisit, RuleSet
from berdaya.regions.tests.factories import RegionFactory
from berdaya.training.models import Participant, Training


class RuleSetFactory(factory.django.DjangoModelFactory):
    """A version of Paser's rules, changing only what the test says."""

    class Meta:
        model = RuleSet

    region = factory.SubFactory(RegionFactory, code="64.01")
    effective_from = dt.date(2027, 1, 1)
    rules = factory.LazyFunction(dict)
    note = "Ambang baru"
    created_by = factory.SubFactory(UserFactory, username="rule-maker")


class LevelSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LevelSnapshot

    kube = factory.SubFactory(KubeFactory)
    month = dt.date(2027, 9, 1)
    level = 1
    computed_level = factory.SelfAttribute("level")
    indicators = factory.LazyFunction(list)
    scores = factory.LazyFunction(
        lambda: {"manusia": 50, "usaha": 50, "lingkungan": 50, "kelembagaan": 50, "total": 50}
    )


class MonevVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MonevVisit

    kube = factory.SubFactory(KubeFactory)
    visited_on = dt.date(2027, 9, 15)
    findings = "Usaha berjalan, pembukuan rapi."
    verdict = MonevVisit.Verdict.CONTINUE
    by = factory.SubFactory(UserFactory, username="monev-officer")


class EarlyWarningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EarlyWarning

    kube = factory.SubFactory(KubeFactory)
    kind = EarlyWarning.Kind.NOT_VISITED
    key = ""
    raised_on = dt.date(2027, 9, 15)
    message = factory.LazyFunction(lambda: {"message": "Not visited for 45 days", "params": {}})
    evidence_url = "/"


class TrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Training

    title = "Bimbingan motivasi"
    kind = Training.Kind.MOTIVATION
    starts_on = dt.date(2027, 7, 10)
    ends_on = dt.date(2027, 7, 12)
    trainer = "Dinas Sosial"
    place = "Aula Dinas"
    region = factory.SubFactory(RegionFactory, code="64.01")
    created_by = factory.SubFactory(UserFactory, username="trainer")


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    training = factory.SubFactory(TrainingFactory)
    membership = None
    attended = True


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    kube = factory.SubFactory(KubeFactory)
    held_on = dt.date(2027, 9, 5)
    agenda = "Rapat bulanan"
    minutes = "Notulen rapat bulanan."
    by = factory.SubFactory(UserFactory, username="notulis")


class EnvironmentRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnvironmentRecord

    kube = factory.SubFactory(KubeFactory)
    recorded_on = dt.date(2027, 9, 20)
    practices = factory.LazyFunction(lambda: {"waste": True, "water": True, "chemicals": False, "local": True})
    by = factory.SubFactory(UserFactory, username="env-recorder")
