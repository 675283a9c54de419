"""End to end in headless Chromium: from the Dinas's call to the decree, with a prior recipient caught on the way."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from berdaya.registry.models import AssistanceRecord
from berdaya.registry.tests.factories import AssistanceRecordFactory, PersonFactory
from berdaya.targeting.models import Cycle, NominationList, Nominee
from berdaya.targeting.tests.conftest import PDF
from berdaya.targeting.tests.factories import CycleFactory, QuotaFactory
from berdaya.tests.test_browser_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def today() -> Iterator[None]:
    """Real time here: the browser and its event loop must not run on a frozen clock."""
    yield None


def as_user(page, username):
    page.context.clear_cookies()
    log_in(page, username)


def test_a_cycle_from_the_call_to_the_decree(page, users, regions):
    today = timezone.localdate()
    cycle = CycleFactory(
        region=regions["regency"],
        created_by=users["admin"],
        nomination_deadline=today + dt.timedelta(days=10),
        endorsement_deadline=today + dt.timedelta(days=20),
        verval_deadline=today + dt.timedelta(days=30),
        decision_deadline=today + dt.timedelta(days=40),
    )
    QuotaFactory(cycle=cycle, kecamatan=regions["kec_a"], households=12)
    persons = PersonFactory.create_batch(11, household__village=regions["village_a"])
    prior = PersonFactory(
        household__village=regions["village_a"],
        name="Muhammad Soekarno",
        nik="6401041203850012",
        birth_date=dt.date(1985, 3, 12),
    )
    AssistanceRecordFactory(person=prior, programme=AssistanceRecord.Programme.KUBE, year=2019)

    # The Dinas opens the cycle: the kecamatan gets the call.
    as_user(page, "admin")
    page.goto(cycle.get_absolute_url())
    page.locator("#open-cycle").click()
    page.locator("#confirm-button").click()
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.OPEN

    # The kecamatan relays it to its villages with a note.
    as_user(page, "camat")
    page.goto("/inbox/")
    expect(page.locator("#inbox li.unread")).to_have_count(1)
    page.goto(cycle.get_absolute_url())
    page.locator("#relay-form [name=note]").fill("Musyawarah desa minggu ini, usulan paling lambat Jumat.")
    page.locator("#relay-form button").click()

    # The village operator nominates eleven from the registry and one typed by hand: a prior recipient, misspelt.
    as_user(page, "desa_a")
    page.goto(cycle.get_absolute_url())
    page.locator("#start-list").click()
    rows = page.locator("#nominee-rows tr[id^=nominee-]")
    for count, person in enumerate(persons, start=1):
        page.locator("#id_person").select_option(str(person.pk))
        page.locator("#pick-form button[type=submit]").click()
        expect(rows).to_have_count(count)
    new = page.locator("#new-form")
    new.locator("[name=nik]").fill("6401041203850021")
    new.locator("[name=name]").fill("Moh. Sukarno")
    new.locator("[name=kk_number]").fill("6401040101150777")
    new.locator("[name=birth_date]").fill("1985-03-12")
    new.locator("[name=sex]").select_option("L")
    new.locator("button[type=submit]").click()
    expect(rows).to_have_count(12)

    flag = page.locator("#nominee-rows .flag[data-code=prior_kube]")
    expect(flag).to_contain_text("Muhammad Soekarno")
    expect(flag).to_contain_text("NIK berbeda karena dua digit tertukar")

    # The hard flag blocks submission until the village writes why it keeps the nominee.
    typed = Nominee.objects.get(nik="6401041203850021")
    page.goto(typed.get_absolute_url())
    page.locator("#flags [name=reason]").fill("Musyawarah desa tetap mengusulkan; mohon diverifikasi Dinas.")
    page.locator("#flags button[type=submit]").click()
    nomination_list = NominationList.objects.get(cycle=cycle)
    page.goto(nomination_list.get_absolute_url())
    page.locator("#minutes-form [name=file]").set_input_files(
        files=[{"name": "berita-acara.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.locator("#minutes-form button[type=submit]").click()
    page.locator("#submit-list").click()
    page.locator("#confirm-button").click()
    expect(page.locator("#submit-list")).to_have_count(0)
    assert NominationList.objects.get(pk=nomination_list.pk).status == NominationList.Status.SUBMITTED

    # The kecamatan endorses the whole list.
    as_user(page, "camat")
    page.goto(nomination_list.get_absolute_url())
    page.locator("#endorse-list").click()
    page.locator("#confirm-button").click()
    expect(page.locator("#endorse-list")).to_have_count(0)

    # The Dinas verifies every nominee in the field, rejects two with reasons and approves the clean ten at once.
    as_user(page, "officer")
    for nominee in Nominee.objects.filter(cycle=cycle):
        page.goto(nominee.get_absolute_url())
        form = page.locator("#verval-form")
        form.locator("[name=visit_date]").fill(today.isoformat())
        for box in form.locator("input[type=checkbox]").all():
            box.check()
        form.locator("#verify").click()
        expect(page.locator("#verval")).to_have_count(1)
    rejected = [typed, Nominee.objects.get(person=persons[0])]
    for nominee, reason in zip(rejected, ["Sudah menerima KUBE 2019.", "Pensiunan PNS."], strict=True):
        page.goto(nominee.get_absolute_url())
        page.locator("#decide-form [name=reason]").fill(reason)
        page.locator("#reject").click()
        page.locator("#confirm-button").click()
        expect(page.locator("#reject")).to_have_count(0)
    page.goto(cycle.get_absolute_url())
    page.locator("#approve-clean").click()
    page.locator("#confirm-button").click()
    page.locator("#issue-decree").click()
    page.locator("#confirm-button").click()
    expect(page.locator("#sk-number")).to_have_count(1)

    response = page.request.get(f"/targeting/cycles/{cycle.pk}/sk.pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    approved = set(Nominee.objects.filter(cycle=cycle, status=Nominee.Status.APPROVED).values_list("nik", flat=True))
    listed = {nik for nik in Nominee.objects.filter(cycle=cycle).values_list("nik", flat=True) if nik in text}
    assert len(approved) == 10
    assert listed == approved
