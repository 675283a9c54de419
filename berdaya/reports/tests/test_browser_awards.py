"""On a phone (360×740): a Dinas officer finds the award round in the menu, reads who was left out and why, and
marks a shortlisted group; nothing asks for sideways scrolling."""

from __future__ import annotations

import pytest

from berdaya.accounts.tests.factories import PASSWORD
from berdaya.reports import awards
from berdaya.reports.models import Assessment, AwardRound

from .test_awards import TODAY, group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()


def fits_the_screen(page) -> bool:
    page.wait_for_load_state()  # a page still arriving has no document element to measure yet
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def test_an_officer_marks_a_shortlisted_group_on_a_phone(browser, page, live_server, users, regions):
    group("KUBE Mekar Jaya", 85)
    group("KUBE Lemah Lembut", 40)
    award = awards.create_round(region=regions["regency"], year=2027, kind=AwardRound.Kind.KUBE, by=users["admin"])
    awards.build_shortlist(award=award, by=users["admin"], today=TODAY)
    page.set_viewport_size({"width": 360, "height": 740})

    log_in(page, "officer")
    page.locator("header summary").click()  # on a phone the menu folds behind one button
    page.locator('nav a[href="/reports/penghargaan/"]').click()
    page.locator(f'#award-rounds a[href="{award.get_absolute_url()}"]').click()
    page.wait_for_url(f"**{award.get_absolute_url()}")
    assert "KUBE Lemah Lembut" in page.locator("#award-left-out").inner_text()
    assert fits_the_screen(page)
    page.locator("#award-ranking a", has_text="KUBE Mekar Jaya").click()
    page.locator('input[name="institution"]').fill("80")
    page.locator('input[name="social"]').fill("75")
    page.locator('input[name="economic"]').fill("90")
    assert fits_the_screen(page)
    page.locator("#assessment-form button[type=submit]").click()
    page.wait_for_url(f"**{award.get_absolute_url()}")

    assessment = Assessment.objects.get()
    assert (assessment.assessor.username, assessment.institution, assessment.economic) == ("officer", 80, 90)
    assert "81,67" in page.locator("#award-ranking").inner_text()
