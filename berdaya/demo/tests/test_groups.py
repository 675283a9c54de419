from __future__ import annotations

import pytest
from django.conf import settings
from faker import Faker

from berdaya.accounts.models import User
from berdaya.demo.accounts import create_demo_users
from berdaya.demo.groups import create_demo_groups
from berdaya.demo.registry import create_demo_registry
from berdaya.groups.models import Kube, Membership
from berdaya.mentoring.models import MonthlyReport, Visit
from berdaya.training.models import Training

pytestmark = pytest.mark.django_db


def test_the_demo_makes_groups_at_every_stage_with_a_year_of_mentoring(regions):
    faker = Faker("id_ID")
    faker.seed_instance(2027)
    create_demo_users(faker=faker, scale="small", password=settings.BERDAYA_DEMO_PASSWORD)
    create_demo_registry(faker=faker, scale="small")

    made = create_demo_groups(faker=faker, scale="small")

    statuses = set(Kube.objects.values_list("status", flat=True))
    assert made.groups == Kube.objects.count() >= 5
    assert {"forming", "active", "inactive", "graduated", "dissolved"} & statuses >= {"forming", "active", "inactive"}
    assert Membership.objects.values("household").count() == Membership.objects.count()
    assert Visit.objects.count() > 20 and Training.objects.count() == 3
    assert User.objects.filter(username__in=["pendamping1", "pendamping2", "pendamping3"]).count() == 3
    assert MonthlyReport.objects.filter(status="acknowledged").exists()
