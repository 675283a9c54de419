"""On a phone without signal: the bina lingkungan section of a visit report is kept with the visit, and when the
signal returns the visit and one environment record arrive, even when the phone has to send them twice."""

from __future__ import annotations

import pytest

from berdaya.groups.models import Kube
from berdaya.groups.tests.factories import KubeFactory, MembershipFactory
from berdaya.mentoring.defaults import install_practices
from berdaya.mentoring.models import EnvironmentPractice, EnvironmentRecord, Visit

from .test_browser_offline import open_the_visit_form_with_signal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kube(users, regions):
    # The checklist comes with a migration; a live-server test earlier in this worker may have flushed it away.
    install_practices(EnvironmentPractice)
    kube = KubeFactory(village=regions["village_a"], facilitator=users["facilitator"], status=Kube.Status.ACTIVE)
    MembershipFactory.create_batch(2, kube=kube)
    return kube


def write_a_report_with_bina_lingkungan(page):
    page.locator('input[name="purpose"]').fill("Pendampingan dan bina lingkungan")
    page.locator("#visit-environment > summary").click()  # the section is folded until asked for
    page.locator('input[name="env-practice_waste"]').check()
    page.locator('input[name="env-practice_local_materials"]').check()
    page.locator('input[name="env-neighbours_employed"]').fill("2")
    page.locator('input[name="env-neighbour_days"]').fill("6")
    page.locator('input[name="env-neighbour_wages"]').fill("480000")
    page.locator('textarea[name="env-complaints"]').fill("Bau limbah tahu")
    page.locator("#visit-form button[type=submit]").click()


def lose_the_first_answer(page):
    """The server stores the first report the phone sends, but its answer never reaches the phone (a weak signal)."""
    answers = []

    def handle(route):
        if route.request.method != "POST" or answers:
            route.continue_()
            return
        answers.append(route.fetch())  # the server got it and answered ...
        route.abort("internetdisconnected")  # ... and the phone heard nothing

    page.context.route("**/api/v1/mentoring/kubes/*/visits", handle)  # where the outbox sends a visit
    return answers


def test_bina_lingkungan_written_without_signal_arrives_once_with_its_visit(page, kube):
    open_the_visit_form_with_signal(page, kube)
    page.context.set_offline(True)

    write_a_report_with_bina_lingkungan(page)

    page.get_by_role("status").wait_for()
    assert "ponsel ini: 1" in page.locator("#outbox").inner_text()
    assert not Visit.objects.exists() and not EnvironmentRecord.objects.exists()

    lost = lose_the_first_answer(page)
    with page.expect_event("requestfailed", predicate=lambda request: request.method == "POST"):
        page.context.set_offline(False)  # the outbox sends by itself, and hears nothing back

    assert [answer.status for answer in lost] == [201]
    assert (Visit.objects.count(), EnvironmentRecord.objects.count()) == (1, 1)
    assert "ponsel ini: 1" in page.locator("#outbox").inner_text()  # still waiting, as far as the phone knows

    page.reload()  # opening any page sends what waits: the same report, with the same key, again

    page.locator("#outbox .outbox-sent").wait_for()
    visit = Visit.objects.get()
    record = EnvironmentRecord.objects.get()
    assert record.visit == visit
    assert record.practices == {
        "waste": True,
        "water": False,
        "chemicals": False,
        "local_materials": True,
        "nuisance": False,
    }
    assert (record.neighbours_employed, record.neighbour_days, record.neighbour_wages) == (2, 6, 480_000)
    assert record.complaints == "Bau limbah tahu"
    page.reload()  # opening any page sends what waits: nothing does
    assert (Visit.objects.count(), EnvironmentRecord.objects.count()) == (1, 1)
