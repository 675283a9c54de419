"""On a phone without signal: a facilitator writes a visit report, the phone keeps it, and it is stored once when
the signal returns. The visit form, opened once with signal, opens again without it."""

from __future__ import annotations

import pytest

from berdaya.groups.models import Kube
from berdaya.groups.tests.factories import KubeFactory, MembershipFactory
from berdaya.mentoring.models import Problem, Visit

from .factories import jpeg
from .test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kube(users, regions):
    kube = KubeFactory(village=regions["village_a"], facilitator=users["facilitator"], status=Kube.Status.ACTIVE)
    MembershipFactory.create_batch(2, kube=kube)
    return kube


def open_the_visit_form_with_signal(page, kube):
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, "facilitator")
    page.goto(f"/mentoring/groups/{kube.pk}/visits/new/")
    # The service worker is in charge once it is ready; it keeps this page from the next load on.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()


def write_a_report(page, purpose):
    page.locator('input[name="purpose"]').fill(purpose)
    page.locator('input[name="attendees"]').first.check()
    page.locator('input[name="photo"]').set_input_files(
        {"name": "kunjungan.jpg", "mimeType": "image/jpeg", "buffer": jpeg().read()}
    )
    page.locator("#visit-form button[type=submit]").click()


def test_a_report_written_without_signal_is_stored_once_when_the_signal_returns(page, kube):
    open_the_visit_form_with_signal(page, kube)
    page.context.set_offline(True)

    write_a_report(page, "Pendampingan tanpa sinyal")

    page.get_by_role("status").wait_for()
    assert "disimpan di ponsel" in page.get_by_role("status").inner_text()
    assert "Laporan yang menunggu sinyal di ponsel ini: 1" in page.locator("#outbox").inner_text()
    assert not Visit.objects.exists()

    page.context.set_offline(False)  # the browser says "online": the outbox sends by itself

    page.locator("#outbox .outbox-sent").wait_for()
    visit = Visit.objects.get()
    assert (visit.purpose, visit.photos.count(), visit.attendees.count()) == ("Pendampingan tanpa sinyal", 1, 1)
    page.reload()  # opening any page sends what waits: nothing does
    assert Visit.objects.count() == 1


def test_the_visit_form_opens_without_signal_once_opened_with_it(page, kube):
    open_the_visit_form_with_signal(page, kube)
    page.context.set_offline(True)

    page.goto(f"/mentoring/groups/{kube.pk}/visits/new/")

    assert page.locator("#visit-form").is_visible()


def test_a_page_not_kept_shows_why_without_signal(page, kube):
    open_the_visit_form_with_signal(page, kube)
    page.context.set_offline(True)

    page.goto("/registry/")

    assert page.get_by_role("heading", name="Tidak ada sinyal").is_visible()


def test_two_reports_written_without_signal_are_two_visits(page, kube):
    open_the_visit_form_with_signal(page, kube)
    page.context.set_offline(True)
    write_a_report(page, "Kunjungan pertama")
    page.get_by_role("status").wait_for()
    write_a_report(page, "Kunjungan kedua")
    page.locator("#outbox").get_by_text("ponsel ini: 2").wait_for()

    page.context.set_offline(False)

    page.locator("#outbox .outbox-sent").get_by_text("ponsel ini: 2").wait_for()
    assert sorted(Visit.objects.values_list("purpose", flat=True)) == ["Kunjungan kedua", "Kunjungan pertama"]


def test_a_kept_report_the_server_refuses_is_shown_with_why_and_can_be_discarded(page, kube):
    open_the_visit_form_with_signal(page, kube)
    page.context.set_offline(True)
    write_a_report(page, "Kunjungan terakhir")
    page.get_by_role("status").wait_for()
    Kube.objects.filter(pk=kube.pk).update(status=Kube.Status.DISSOLVED)  # meanwhile, at the office

    page.context.set_offline(False)

    refused = page.locator("#outbox .outbox-refused")
    refused.wait_for()
    assert kube.name in refused.inner_text()
    assert not Visit.objects.exists()
    page.once("dialog", lambda dialog: dialog.accept())
    refused.get_by_role("button", name="Buang").click()
    page.locator("#outbox").wait_for(state="hidden")


def test_a_problem_logged_without_signal_reaches_the_register_when_the_signal_returns(page, kube):
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, "facilitator")
    page.goto(f"/mentoring/groups/{kube.pk}/problems/new/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now the service worker keeps this form too
    page.context.set_offline(True)
    page.goto(f"/mentoring/groups/{kube.pk}/problems/new/")

    page.locator('select[name="category"]').select_option("market")
    page.locator('textarea[name="description"]').fill("Pembeli di pasar berkurang.")
    page.locator("#problem-form button[type=submit]").click()
    page.get_by_role("status").wait_for()
    assert not Problem.objects.exists()
    page.context.set_offline(False)

    page.locator("#outbox .outbox-sent").wait_for()
    assert Problem.objects.get().description == "Pembeli di pasar berkurang."


def test_a_report_kept_before_the_outbox_moved_onto_the_api_is_stored_once_by_its_page(page, kube):
    open_the_visit_form_with_signal(page, kube)
    page.context.set_offline(True)
    write_a_report(page, "Kunjungan sebelum pembaruan")
    page.get_by_role("status").wait_for()
    # As an older Berdaya kept it: the report names the form's page, not the API's endpoint.
    page.evaluate(
        """url => new Promise((resolve, reject) => {
            const opening = indexedDB.open("berdaya-outbox", 1);
            opening.onerror = () => reject(opening.error);
            opening.onsuccess = () => {
                const transaction = opening.result.transaction("reports", "readwrite");
                const reports = transaction.objectStore("reports");
                const all = reports.getAll();
                all.onsuccess = () => all.result.forEach(report => reports.put({...report, url}));
                transaction.oncomplete = () => resolve(true);
            };
        })""",
        f"/mentoring/groups/{kube.pk}/visits/new/",
    )

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")

    page.locator("#outbox .outbox-sent").wait_for()
    assert list(Visit.objects.values_list("purpose", flat=True)) == ["Kunjungan sebelum pembaruan"]
    assert not page.locator("#outbox .outbox-refused").count()
