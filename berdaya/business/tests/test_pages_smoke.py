"""Every business page renders for a user who may see the group."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from berdaya.business.tests.factories import (
    AidStageFactory,
    AssetFactory,
    BusinessPlanFactory,
    CashEntryFactory,
    ExpenseFactory,
    LoanFactory,
    kube_with_members,
)

pytestmark = pytest.mark.django_db

PAGES = ["kube-home", "plan", "aid", "cash-book", "iks", "fund", "access", "dashboard", "cash-export", "cash-import"]


@pytest.mark.parametrize("name", PAGES)
def test_each_business_page_renders_with_data(client, users, name):
    kube = kube_with_members(2, facilitator=users["facilitator"])
    BusinessPlanFactory(kube=kube, revolving_fund=True)
    AidStageFactory(kube=kube, number=1, amount=2_000_000, paid_on=dt.date(2027, 8, 1), transfer_reference="T1")
    AssetFactory(kube=kube)
    CashEntryFactory(kube=kube)
    ExpenseFactory(kube=kube)
    LoanFactory(kube=kube)
    client.force_login(users["facilitator"])

    response = client.get(reverse(f"business:{name}", args=[kube.pk]))

    assert response.status_code == 200


def test_the_group_list_renders(client, users):
    kube_with_members(1, facilitator=users["facilitator"])
    client.force_login(users["officer"])

    assert client.get(reverse("business:kube-list")).status_code == 200
    assert client.get(reverse("business:event-list")).status_code == 200
