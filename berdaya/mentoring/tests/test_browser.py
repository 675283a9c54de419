"""On a phone (360×740): a facilitator records a visit with attendance and a photo and logs a problem; the Dinas
then finds the problem in its register and the visit in the group's timeline."""

from __future__ import annotations

import pytest

from berdaya.accounts.tests.factories import PASSWORD
from berdaya.groups.models import Kube
from berdaya.groups.tests.factories import KubeFactory, MembershipFactory
from berdaya.mentoring.models import Problem, Visit

from .factories import jpeg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()


def fits_the_screen(page) -> bool:
    page.wait_for_load_state()  # a page still arriving has no document element to measure yet
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_facilitator_records_a_visit_and_a_problem_that_the_dinas_then_sees(
    browser, page, live_server, users, regions
):
    kube = KubeFactory(village=regions["village_a"], facilitator=users["facilitator"], status=Kube.Status.ACTIVE)
    present, absent = MembershipFactory.create_batch(2, kube=kube)
    page.set_viewport_size({"width": 360, "height": 740})

    log_in(page, "facilitator")
    page.locator("header summary").click()  # on a phone the menu folds behind one button
    page.locator('nav a[href="/mentoring/"]').click()
    card = page.locator(f'#caseload [data-kube="{kube.pk}"]')
    assert fits_the_screen(page)
    card.locator('a[href$="/visits/new/"]').click()

    page.locator('input[name="purpose"]').fill("Pendampingan pembukuan")
    page.locator(f'input[name="attendees"][value="{present.pk}"]').check()
    page.locator('input[name="photo"]').set_input_files(
        {"name": "kunjungan.jpg", "mimeType": "image/jpeg", "buffer": jpeg(gps=(-1.9, 116.2)).read()}
    )
    assert fits_the_screen(page)
    page.locator("#visit-form button[type=submit]").click()

    assert page.locator(".messages").inner_text() == "Kunjungan telah dicatat."
    assert present.person.name in page.locator("#attendees").inner_text()
    assert absent.person.name not in page.locator("#attendees").inner_text()
    page.goto(kube.get_absolute_url())
    page.locator('a[href$="/problems/new/"]').first.click()
    page.locator('select[name="origin"]').select_option("external")
    page.locator('select[name="category"]').select_option("market")
    page.locator('textarea[name="description"]').fill("Pembeli di pasar berkurang.")
    page.locator("#problem-form button[type=submit]").click()
    page.wait_for_url("**/mentoring/problems/*/")

    visit = Visit.objects.get(kube=kube)
    problem = Problem.objects.get(kube=kube)
    assert visit.photos.count() == 1
    assert (visit.latitude is not None, problem.category) == (True, "market")

    dinas = browser.new_context(base_url=live_server.url, locale="id-ID").new_page()
    log_in(dinas, "officer")
    dinas.goto("/mentoring/problems/")
    assert dinas.locator(f'#problem-rows [data-problem="{problem.pk}"]').count() == 1
    dinas.goto(f"/mentoring/groups/{kube.pk}/timeline/")
    assert dinas.locator('#timeline li[data-kind="visit"]').count() == 1
    assert "Pendampingan pembukuan" in dinas.locator("#timeline").inner_text()
    dinas.context.close()
