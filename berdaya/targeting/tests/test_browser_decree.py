"""In headless Chromium: the Dinas clicks "issue the decree", reads what it will fix, confirms, and sees the SK issued.

The page is in Indonesian (the browser's locale): the test reads numbers, names and element ids, not sentences.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from berdaya.targeting.models import Cycle, NominationList, Nominee
from berdaya.targeting.tests.factories import CycleFactory, NomineeFactory, QuotaFactory
from berdaya.tests.test_browser_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def today() -> Iterator[None]:
    """Real time here: the browser and its event loop must not run on a frozen clock."""
    yield None


def test_issuing_the_decree_asks_with_its_numbers_then_shows_the_issued_state(page, users, regions):
    today = timezone.localdate()
    cycle = CycleFactory(
        region=regions["regency"],
        created_by=users["admin"],
        status=Cycle.Status.OPEN,
        nomination_deadline=today + dt.timedelta(days=10),
        endorsement_deadline=today + dt.timedelta(days=20),
        verval_deadline=today + dt.timedelta(days=30),
        decision_deadline=today + dt.timedelta(days=40),
    )
    QuotaFactory(cycle=cycle, kecamatan=regions["kec_a"], households=10)
    nomination_list = NominationList.objects.create(
        cycle=cycle, village=regions["village_a"], created_by=users["admin"]
    )
    NomineeFactory.create_batch(7, nomination_list=nomination_list, status=Nominee.Status.APPROVED)
    log_in(page, "officer")
    page.goto(cycle.get_absolute_url())
    expect(page.locator("#countdown")).to_have_count(1)

    page.locator("#issue-decree").click()

    expect(page.locator("#confirm-effects")).to_contain_text("7")
    expect(page.locator("#confirm-effects")).to_contain_text("Rp 14.000.000")
    expect(page.locator("#confirm-rows")).to_contain_text("Tanah Periuk")
    assert Cycle.objects.get(pk=cycle.pk).sk_number == ""

    page.locator("#confirm-button").click()

    issued = Cycle.objects.get(pk=cycle.pk)
    expect(page.locator("#decree-state")).to_contain_text(issued.sk_number)
    expect(page.locator("#sk-number")).to_have_count(1)
    expect(page.locator("#countdown")).to_have_count(0)
    expect(page.locator("#issue-decree")).to_have_count(0)
    assert issued.status == Cycle.Status.DECIDED
