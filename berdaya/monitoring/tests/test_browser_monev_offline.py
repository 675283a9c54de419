"""A monev in a village without signal: the Dinas officer's phone keeps it and sends it once the signal returns,
as a facilitator's visit is kept (static/berdaya/outbox.js)."""

from __future__ import annotations

import pytest

from berdaya.business.tests.factories import kube_with_members
from berdaya.mentoring.defaults import install_practices
from berdaya.mentoring.models import EnvironmentPractice
from berdaya.mentoring.tests.test_browser import log_in
from berdaya.monitoring.defaults import install_questions
from berdaya.monitoring.models import MonevQuestion, MonevVisit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kube(users, regions):
    # The checklists, as their migrations install them: a live-server test flushes them.
    install_practices(EnvironmentPractice)
    install_questions(MonevQuestion)
    return kube_with_members(2, village=regions["village_a"], facilitator=users["facilitator"], name="KUBE Mawar")


def test_a_monev_written_without_signal_is_stored_when_the_signal_returns(page, kube):
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, "officer")
    page.goto(f"/monitoring/monev/groups/{kube.pk}/new/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # the service worker keeps the form from now on
    page.context.set_offline(True)
    page.goto(f"/monitoring/monev/groups/{kube.pk}/new/")

    page.locator('textarea[name="findings"]').fill("Usaha berjalan, buku kas rapi.")
    page.locator('input[name="verdict"]').first.check()
    page.locator("#monev-form button[type=submit]").click()

    page.get_by_role("status").wait_for()
    assert "disimpan di ponsel" in page.get_by_role("status").inner_text()
    assert not MonevVisit.objects.exists()

    page.context.set_offline(False)

    page.locator("#outbox .outbox-sent").wait_for()
    stored = MonevVisit.objects.get()
    assert (stored.kube, stored.findings) == (kube, "Usaha berjalan, buku kas rapi.")
