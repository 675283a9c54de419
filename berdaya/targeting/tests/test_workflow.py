"""The state machine: each step from the state it needs, with who, when and why recorded."""

from __future__ import annotations

import datetime as dt

import pytest

from berdaya.registry.tests.factories import PersonFactory
from berdaya.targeting import services
from berdaya.targeting.models import NominationList, Nominee, Transition
from berdaya.targeting.services import NominationError, TransitionError
from berdaya.targeting.tests.conftest import minutes_pdf
from berdaya.targeting.tests.factories import NomineeFactory

pytestmark = pytest.mark.django_db

CHECKED = dict.fromkeys(
    ["lives_at_address", "head_or_earner", "has_ktp_kk", "not_civil_servant", "truly_poor", "willing"], True
)


def registered_nominees(village_list, users, count=2):
    persons = PersonFactory.create_batch(count, household__village=village_list.village)
    return [
        services.nominate_person(nomination_list=village_list, person=p, reason="no_income", by=users["desa_a"])
        for p in persons
    ]


def submitted(village_list, users, count=2):
    nominees = registered_nominees(village_list, users, count)
    services.attach_minutes(
        nomination_list=village_list, file=minutes_pdf(), meeting_date=dt.date(2027, 2, 20), by=users["desa_a"]
    )
    services.submit_list(nomination_list=village_list, by=users["desa_a"])
    return nominees


def verified(village_list, users, count=2):
    nominees = submitted(village_list, users, count)
    services.endorse_list(nomination_list=village_list, by=users["camat"])
    for nominee in nominees:
        services.verify_nominee(nominee=nominee, visit_date=dt.date(2027, 3, 1), checklist=CHECKED, by=users["officer"])
    return [Nominee.objects.get(pk=n.pk) for n in nominees]


def test_a_clean_list_goes_from_draft_to_submitted(village_list, users):
    nominees = submitted(village_list, users)

    village_list.refresh_from_db()
    assert village_list.status == NominationList.Status.SUBMITTED
    assert {n.status for n in Nominee.objects.filter(pk__in=[n.pk for n in nominees])} == {"submitted"}


def test_every_step_records_who_when_and_why(village_list, users):
    nominee = verified(village_list, users, 1)[0]

    services.reject_nominee(nominee=nominee, reason="Pegawai honorer", by=users["officer"])

    steps = list(Transition.objects.filter(nominee=nominee).values_list("action", "to_status", "by__username"))
    assert steps == [
        ("add", "draft", "desa_a"),
        ("submit", "submitted", "desa_a"),
        ("endorse", "endorsed", "camat"),
        ("verify", "verified", "officer"),
        ("reject", "rejected", "officer"),
    ]
    assert Transition.objects.get(nominee=nominee, action="reject").reason == "Pegawai honorer"


def test_a_nominee_cannot_be_approved_before_verval(village_list, users):
    nominee = submitted(village_list, users, 1)[0]
    services.endorse_list(nomination_list=village_list, by=users["camat"])

    with pytest.raises(TransitionError, match="needs"):
        services.approve_nominee(nominee=nominee, by=users["officer"])

    assert Nominee.objects.get(pk=nominee.pk).status == Nominee.Status.ENDORSED


def test_a_draft_list_cannot_be_endorsed(village_list, users):
    registered_nominees(village_list, users, 1)

    with pytest.raises(TransitionError):
        services.endorse_list(nomination_list=village_list, by=users["camat"])

    assert not Transition.objects.filter(action="endorse").exists()


def test_a_second_approval_of_the_same_nominee_is_refused(village_list, users):
    nominee = verified(village_list, users, 1)[0]
    services.approve_nominee(nominee=nominee, by=users["officer"])

    with pytest.raises(TransitionError, match="Approved"):
        services.approve_nominee(nominee=nominee, by=users["admin"])

    assert Transition.objects.filter(nominee=nominee, action="approve").count() == 1


def test_the_kecamatan_returns_a_list_to_the_village_with_its_reason(village_list, users):
    submitted(village_list, users)

    services.return_to_village(nomination_list=village_list, reason="Lengkapi alamat", by=users["camat"])

    village_list.refresh_from_db()
    assert village_list.status == NominationList.Status.DRAFT
    assert set(village_list.nominees.values_list("status", flat=True)) == {"draft"}
    assert users["desa_a"].notifications.get().body == "Lengkapi alamat"


def test_a_return_needs_a_reason(village_list, users):
    submitted(village_list, users)

    with pytest.raises(TransitionError, match="why"):
        services.return_to_village(nomination_list=village_list, reason=" ", by=users["camat"])


def test_the_dinas_returns_an_endorsed_list_to_the_kecamatan(village_list, users):
    submitted(village_list, users)
    services.endorse_list(nomination_list=village_list, by=users["camat"])

    services.return_to_kecamatan(nomination_list=village_list, reason="Kuota terlampaui", by=users["officer"])

    village_list.refresh_from_db()
    assert village_list.status == NominationList.Status.SUBMITTED
    assert users["camat"].notifications.filter(body="Kuota terlampaui").exists()


def test_approval_stops_at_the_kecamatan_quota(village_list, users, cycle):
    cycle.quotas.filter(kecamatan_id="64.01.04").update(households=1)
    first, second = verified(village_list, users, 2)
    services.approve_nominee(nominee=first, by=users["officer"])

    with pytest.raises(TransitionError, match="quota of 1"):
        services.approve_nominee(nominee=second, by=users["officer"])


def test_rejection_needs_a_reason(village_list, users):
    nominee = verified(village_list, users, 1)[0]

    with pytest.raises(TransitionError, match="why"):
        services.reject_nominee(nominee=nominee, reason="", by=users["officer"])


def test_bulk_approval_takes_only_verified_nominees_without_flags(village_list, users, cycle):
    clean, flagged = verified(village_list, users, 2)
    flagged.flags.create(code="other_aid", severity="soft", message="x")

    approved = services.approve_verified_clean(cycle=cycle, by=users["officer"])

    assert [n.pk for n in approved] == [clean.pk]
    assert Nominee.objects.get(pk=flagged.pk).status == Nominee.Status.VERIFIED


def test_the_decree_is_numbered_with_the_letterhead_format(village_list, users, cycle, regions):
    services.save_letterhead(region=regions["regency"], number_format="{seq:02d}/KUBE/{year}", by=users["admin"])
    nominee = verified(village_list, users, 1)[0]
    services.approve_nominee(nominee=nominee, by=users["officer"])

    services.issue_decree(cycle=cycle, by=users["officer"])

    cycle.refresh_from_db()
    assert (cycle.sk_number, cycle.status) == ("01/KUBE/2027", "decided")


def test_a_verval_needs_an_endorsed_nominee(village_list, users):
    nominee = NomineeFactory(nomination_list=village_list)

    with pytest.raises(TransitionError):
        services.verify_nominee(nominee=nominee, visit_date=dt.date(2027, 3, 1), checklist={}, by=users["officer"])

    assert not hasattr(Nominee.objects.get(pk=nominee.pk), "verval")


def test_a_submission_after_the_deadline_is_refused(village_list, users, today):
    registered_nominees(village_list, users, 1)
    services.attach_minutes(nomination_list=village_list, file=minutes_pdf(), meeting_date=None, by=users["desa_a"])
    today.move_to(dt.datetime(2027, 4, 1, 9, 0, tzinfo=dt.UTC))

    with pytest.raises(NominationError, match="deadline"):
        services.submit_list(nomination_list=village_list, by=users["desa_a"])

    village_list.refresh_from_db()
    assert village_list.status == NominationList.Status.DRAFT


def test_a_list_needs_the_meeting_minutes(village_list, users):
    registered_nominees(village_list, users, 1)

    with pytest.raises(NominationError, match="minutes"):
        services.submit_list(nomination_list=village_list, by=users["desa_a"])


def test_a_hard_flag_blocks_submission(village_list, users):
    services.nominate_new(
        nomination_list=village_list,
        nik="6401041203850099",
        name="Orang Baru",
        kk_number="6401040101150099",
        birth_date=dt.date(1985, 3, 12),
        sex="L",
        address="",
        reason="no_income",
        by=users["desa_a"],
    )
    services.attach_minutes(nomination_list=village_list, file=minutes_pdf(), meeting_date=None, by=users["desa_a"])

    with pytest.raises(NominationError, match="Orang Baru"):
        services.submit_list(nomination_list=village_list, by=users["desa_a"])


def test_a_written_justification_lets_a_flagged_nominee_through(village_list, users):
    nominee = services.nominate_new(
        nomination_list=village_list,
        nik="6401041203850099",
        name="Orang Baru",
        kk_number="6401040101150099",
        birth_date=dt.date(1985, 3, 12),
        sex="L",
        address="",
        reason="no_income",
        by=users["desa_a"],
    )
    services.attach_minutes(nomination_list=village_list, file=minutes_pdf(), meeting_date=None, by=users["desa_a"])
    services.override_flags(nominee=nominee, justification="Baru pindah, DTSEN belum diperbarui", by=users["desa_a"])

    services.submit_list(nomination_list=village_list, by=users["desa_a"])

    nominee.refresh_from_db()
    assert nominee.status == Nominee.Status.SUBMITTED
    assert nominee.history.filter(history_change_reason="flags overridden", history_user=users["desa_a"]).exists()


def test_the_same_person_twice_on_one_list_is_refused(village_list, users):
    person = PersonFactory(household__village=village_list.village)
    services.nominate_person(nomination_list=village_list, person=person, reason="no_income", by=users["desa_a"])

    with pytest.raises(NominationError, match="already on this list"):
        services.nominate_person(nomination_list=village_list, person=person, reason="no_income", by=users["desa_a"])

    assert village_list.nominees.count() == 1


def test_a_person_of_another_village_cannot_be_picked(village_list, users, regions):
    person = PersonFactory(household__village=regions["village_b"])

    with pytest.raises(NominationError, match="not registered in this village"):
        services.nominate_person(nomination_list=village_list, person=person, reason="no_income", by=users["desa_a"])


def test_a_nik_that_cannot_be_a_nik_is_refused(village_list, users):
    with pytest.raises(NominationError, match="16 digits|digits"):
        services.nominate_new(
            nomination_list=village_list,
            nik="12345",
            name="X",
            kk_number="6401040101150099",
            birth_date=None,
            sex="",
            address="",
            reason="no_income",
            by=users["desa_a"],
        )


def test_an_oversized_minutes_file_is_refused(village_list, users):
    big = minutes_pdf(content=b"%PDF-" + b"0" * (10 * 1024 * 1024))

    with pytest.raises(NominationError, match="limit is 10 MB"):
        services.attach_minutes(nomination_list=village_list, file=big, meeting_date=None, by=users["desa_a"])


def test_a_renamed_file_that_is_not_a_pdf_is_refused(village_list, users):
    fake = minutes_pdf(content=b"PK\x03\x04 a word document")

    with pytest.raises(NominationError, match="not a PDF"):
        services.attach_minutes(nomination_list=village_list, file=fake, meeting_date=None, by=users["desa_a"])


def test_a_spreadsheet_is_not_accepted_as_minutes(village_list, users):
    with pytest.raises(NominationError, match="PDF or a photo"):
        services.attach_minutes(
            nomination_list=village_list, file=minutes_pdf("usulan.xlsx"), meeting_date=None, by=users["desa_a"]
        )


def test_a_village_cannot_start_before_the_kecamatan_relays_the_call(cycle, users, regions):
    with pytest.raises(NominationError, match="not relayed"):
        services.start_list(cycle=cycle, village=regions["village_c"], by=users["desa_c"])


def test_an_approval_inside_the_quota_goes_through(village_list, users):
    nominee = verified(village_list, users, 1)[0]

    services.approve_nominee(nominee=nominee, by=users["officer"])

    assert Nominee.objects.get(pk=nominee.pk).status == Nominee.Status.APPROVED


def test_a_kecamatan_cannot_endorse_another_kecamatans_village(village_list, users):
    submitted(village_list, users)

    with pytest.raises(services.TargetingError, match="outside your region"):
        services.endorse_list(nomination_list=village_list, by=users["camat_c"])

    village_list.refresh_from_db()
    assert village_list.status == NominationList.Status.SUBMITTED
