"""Cycles: rules frozen once open, and the call from the Dinas to the kecamatan and on to the villages."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from berdaya.inbox.models import Notification
from berdaya.targeting import services
from berdaya.targeting.services import CycleError
from berdaya.targeting.tests.factories import CycleFactory, QuotaFactory

pytestmark = pytest.mark.django_db


def test_rules_are_frozen_once_nominations_open(users, regions):
    cycle = CycleFactory(region=regions["regency"])
    QuotaFactory(cycle=cycle, kecamatan=regions["kec_a"])
    services.open_cycle(cycle=cycle, by=users["admin"])

    with pytest.raises(CycleError, match="no longer change"):
        services.update_cycle(cycle=cycle, decile_max=6, by=users["admin"])

    cycle.refresh_from_db()
    assert cycle.decile_max == 4


def test_a_draft_cycles_rules_can_change(users, regions):
    cycle = CycleFactory(region=regions["regency"])

    services.update_cycle(cycle=cycle, age_max=64, by=users["admin"])

    cycle.refresh_from_db()
    assert cycle.age_max == 64


def test_a_cycle_without_quotas_cannot_open(users, regions):
    cycle = CycleFactory(region=regions["regency"])

    with pytest.raises(CycleError, match="quota"):
        services.open_cycle(cycle=cycle, by=users["admin"])


def test_opening_puts_the_call_in_each_kecamatans_inbox_and_mails_it(users, regions):
    users["camat"].email = "camat@example.org"
    users["camat"].save()
    cycle = CycleFactory(region=regions["regency"])
    QuotaFactory(cycle=cycle, kecamatan=regions["kec_a"])
    QuotaFactory(cycle=cycle, kecamatan=regions["kec_c"])

    services.open_cycle(cycle=cycle, by=users["admin"])

    assert Notification.objects.for_user(users["camat"]).count() == 1
    assert Notification.objects.for_user(users["camat_c"]).count() == 1
    assert Notification.objects.for_user(users["desa_a"]).count() == 0


def test_the_call_mail_goes_out_after_commit(users, regions, django_capture_on_commit_callbacks):
    users["camat"].email = "camat@example.org"
    users["camat"].save()
    cycle = CycleFactory(region=regions["regency"])
    QuotaFactory(cycle=cycle, kecamatan=regions["kec_a"])

    with django_capture_on_commit_callbacks(execute=True):
        services.open_cycle(cycle=cycle, by=users["admin"])

    assert mail.outbox[0].to == ["camat@example.org"]


def test_the_kecamatan_relays_the_call_to_its_villages_with_its_note(users, regions):
    cycle = CycleFactory(region=regions["regency"])
    QuotaFactory(cycle=cycle, kecamatan=regions["kec_a"])
    services.open_cycle(cycle=cycle, by=users["admin"])

    services.relay_call(
        cycle=cycle, kecamatan=regions["kec_a"], note="Usulan paling lambat 31 Maret", by=users["camat"]
    )

    assert Notification.objects.for_user(users["desa_a"]).get().body == "Usulan paling lambat 31 Maret"
    assert Notification.objects.for_user(users["desa_b"]).exists()
    assert not Notification.objects.for_user(users["desa_c"]).exists()


def test_a_kecamatan_cannot_relay_for_another(users, regions):
    cycle = CycleFactory(region=regions["regency"])
    QuotaFactory(cycle=cycle, kecamatan=regions["kec_a"])
    services.open_cycle(cycle=cycle, by=users["admin"])

    with pytest.raises(CycleError, match="outside your region"):
        services.relay_call(cycle=cycle, kecamatan=regions["kec_a"], note="", by=users["camat_c"])


def test_the_dinas_may_relay_directly(users, regions):
    cycle = CycleFactory(region=regions["regency"])
    QuotaFactory(cycle=cycle, kecamatan=regions["kec_a"])
    services.open_cycle(cycle=cycle, by=users["admin"])

    relay = services.relay_call(cycle=cycle, kecamatan=regions["kec_a"], note="", by=users["officer"])

    assert relay.by == users["officer"]


def test_a_village_without_an_operator_gets_the_call_as_an_office(users, regions):
    users["desa_b"].is_active = False
    users["desa_b"].save()
    cycle = CycleFactory(region=regions["regency"])
    QuotaFactory(cycle=cycle, kecamatan=regions["kec_a"])
    services.open_cycle(cycle=cycle, by=users["admin"])

    services.relay_call(cycle=cycle, kecamatan=regions["kec_a"], note="", by=users["camat"])

    assert Notification.objects.filter(recipient_region=regions["village_b"], recipient_user=None).exists()


def test_the_call_opened_in_english_reaches_the_kecamatan_in_the_offices_language(users, regions):
    cycle = CycleFactory(region=regions["regency"], name="KUBE 2027")
    QuotaFactory(cycle=cycle, kecamatan=regions["kec_a"])

    with translation.override("en"):  # the admin chose English
        services.open_cycle(cycle=cycle, by=users["admin"])

    note = Notification.objects.for_user(users["camat"]).get()
    assert note.subject == "Undangan pengusulan KUBE: KUBE 2027"  # as stored and e-mailed
    with translation.override("en"):
        assert note.shown_subject == "Call for KUBE nominations: KUBE 2027"
    with translation.override("id"):
        assert note.shown_body.startswith("Kuota untuk")


def test_a_note_someone_typed_is_shown_as_typed_in_any_language(users, regions):
    cycle = CycleFactory(region=regions["regency"])
    QuotaFactory(cycle=cycle, kecamatan=regions["kec_a"])
    services.open_cycle(cycle=cycle, by=users["admin"])
    services.relay_call(cycle=cycle, kecamatan=regions["kec_a"], note="Segera kirim", by=users["camat"])

    note = Notification.objects.for_user(users["desa_a"]).get()

    with translation.override("en"):
        assert (note.shown_body, note.shown_subject.startswith("Call for KUBE nominations")) == ("Segera kirim", True)
