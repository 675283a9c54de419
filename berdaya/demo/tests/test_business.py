from __future__ import annotations

import pytest
from django.conf import settings
from faker import Faker

from berdaya.business import selectors
from berdaya.business.models import CashMonth
from berdaya.demo.accounts import create_demo_users
from berdaya.demo.business import create_demo_business
from berdaya.demo.groups import create_demo_groups
from berdaya.demo.registry import create_demo_registry
from berdaya.groups.models import Kube

pytestmark = pytest.mark.django_db


def test_without_groups_the_business_demo_does_nothing(regions):
    made = create_demo_business(faker=Faker("id_ID"), scale="small")

    assert made.groups == 0


def test_the_demo_keeps_a_year_or_more_of_books_some_thriving_some_stalled(regions):
    faker = Faker("id_ID")
    faker.seed_instance(2027)
    create_demo_users(faker=faker, scale="small", password=settings.BERDAYA_DEMO_PASSWORD)
    create_demo_registry(faker=faker, scale="small")
    create_demo_groups(faker=faker, scale="small")

    made = create_demo_business(faker=faker, scale="small")

    assert made.thriving >= 1 and made.stalled >= 1
    books = Kube.objects.filter(cash_entries__isnull=False).distinct()
    for kube in books:
        assert CashMonth.objects.filter(kube=kube).count() >= 12
        closing = CashMonth.objects.filter(kube=kube).order_by("-month").first()
        assert closing.closing_balance == selectors.cash_balance(kube=kube, until=closing.last_day)
    growth = [selectors.business_dashboard(kube=kube).growth_percent for kube in books]
    assert max(g for g in growth if g is not None) > 0 > min(g for g in growth if g is not None)
