"""From nomination to a formed group: whoever the decree (SK) names can join a group, and the formation page says why
anyone approved is not offered."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from berdaya.groups import selectors
from berdaya.groups.services import form_kube
from berdaya.registry.tests.factories import HouseholdFactory, PersonFactory
from berdaya.targeting import services
from berdaya.targeting.models import Cycle, Nominee
from berdaya.targeting.services import TransitionError
from berdaya.targeting.tests.factories import CallRelayFactory, CycleFactory, NomineeFactory, QuotaFactory

from .factories import ApprovedNomineeFactory, KubeFactory, MembershipFactory, VillageListFactory

pytestmark = pytest.mark.django_db

MAKASSAR = ZoneInfo("Asia/Makassar")
CHECKED = dict.fromkeys(
    ["lives_at_address", "head_or_earner", "has_ktp_kk", "not_civil_servant", "truly_poor", "willing"], True
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def in_a_kube(person):
    """`person` has been a member of a KUBE of an earlier cycle since last year."""
    kube = KubeFactory(name="KUBE Mawar", village=person.household.village)
    return MembershipFactory(kube=kube, nominee__person=person, joined_on=dt.date(2026, 7, 1))


def test_everyone_in_the_decree_is_offered_for_formation(users, regions, today):
    today.move_to(dt.datetime(2027, 3, 1, 10, 0, tzinfo=MAKASSAR))
    village = regions["village_a"]
    cycle = CycleFactory(region=regions["regency"], created_by=users["admin"], status=Cycle.Status.OPEN, group_min=5)
    QuotaFactory(cycle=cycle, kecamatan=regions["kec_a"], households=10)
    CallRelayFactory(cycle=cycle, kecamatan=regions["kec_a"], by=users["camat"])
    desa, officer = users["desa_a"], users["officer"]
    village_list = services.start_list(cycle=cycle, village=village, by=desa)
    # Four registered households, a widow the village types in by hand, and a wife whose husband is in a KUBE.
    for person in PersonFactory.create_batch(4, household__village=village):
        services.nominate_person(nomination_list=village_list, person=person, reason="no_income", by=desa)
    services.nominate_new(
        nomination_list=village_list,
        nik="6401045203850099",
        name="Siti Aminah",
        kk_number="6401040101150099",
        birth_date=dt.date(1985, 3, 12),
        sex="P",
        address="Jl. Kenanga 4",
        reason="widow",
        by=desa,
    )
    household = HouseholdFactory(village=village)
    in_a_kube(PersonFactory(household=household, name="Pak Darto"))
    wife = services.nominate_person(
        nomination_list=village_list, person=PersonFactory(household=household, sex="P"), reason="widow", by=desa
    )
    services.attach_minutes(
        nomination_list=village_list,
        file=SimpleUploadedFile("berita-acara.pdf", PDF, content_type="application/pdf"),
        meeting_date=dt.date(2027, 2, 20),
        by=desa,
    )
    for nominee in village_list.nominees.filter(flags__severity="hard").distinct():
        services.override_flags(nominee=nominee, justification="Musyawarah desa menilai layak.", by=desa)
    services.submit_list(nomination_list=village_list, by=desa)
    services.endorse_list(nomination_list=village_list, by=users["camat"])
    for nominee in village_list.nominees.all():
        services.verify_nominee(nominee=nominee, visit_date=dt.date(2027, 3, 1), checklist=CHECKED, by=officer)
    for nominee in village_list.nominees.exclude(pk=wife.pk):
        services.approve_nominee(nominee=nominee, by=officer)
    with pytest.raises(TransitionError, match="Pak Darto of the same household"):
        services.approve_nominee(nominee=wife, by=officer)
    services.reject_nominee(nominee=wife, reason="Suami sudah anggota KUBE Mawar.", by=officer)
    services.issue_decree(cycle=cycle, by=officer)
    today.move_to(dt.datetime(2027, 8, 2, 10, 0, tzinfo=MAKASSAR))

    decreed = set(cycle.nominees.filter(status=Nominee.Status.APPROVED))
    offered = set(selectors.available_nominees(cycle=cycle, kecamatan_code="64.01.04", user=officer))
    kube = form_kube(
        cycle=Cycle.objects.get(pk=cycle.pk),
        village=village,
        name="KUBE Sejahtera",
        sector="trade",
        nominees=sorted(offered, key=lambda n: n.pk),
        by=officer,
    )

    assert len(decreed) == 5
    assert offered == decreed
    assert kube.memberships.count() == 5


def test_formation_says_why_an_approved_nominee_is_not_offered(client, users, regions):
    cycle = CycleFactory(region=regions["regency"], status="decided")
    village_list = VillageListFactory(cycle=cycle, village=regions["village_a"])
    offered = ApprovedNomineeFactory(nomination_list=village_list, name="Ibu Offered")
    household_member = ApprovedNomineeFactory(nomination_list=village_list, name="Ibu Sari")
    in_a_kube(PersonFactory(household=household_member.person.household, name="Pak Darto"))
    NomineeFactory(nomination_list=village_list, status=Nominee.Status.APPROVED, name="Ibu Typed")
    client.force_login(users["officer"])
    client.cookies["django_language"] = "en"

    response = client.get(reverse("groups:kube-create") + f"?cycle={cycle.pk}&kecamatan=64.01.04")

    assert [n.pk for n in response.context["form"].fields["nominees"].queryset] == [offered.pk]
    reasons = {item.nominee.name: item.reason for item in response.context["not_offered"]}
    assert reasons == {
        "Ibu Sari": "Pak Darto of the same household is already a KUBE member (KUBE Mawar).",
        "Ibu Typed": "Not linked to a person in the registry.",
    }
    assert "Pak Darto of the same household is already a KUBE member (KUBE Mawar)." in response.content.decode()


def test_formation_says_who_lives_in_another_kecamatan(users, regions):
    cycle = CycleFactory(region=regions["regency"], status="decided")
    village_list = VillageListFactory(cycle=cycle, village=regions["village_a"])
    moved = ApprovedNomineeFactory(nomination_list=village_list, person__household__village=regions["village_c"])

    [item] = selectors.unavailable_nominees(cycle=cycle, kecamatan_code="64.01.04", user=users["officer"])

    assert (item.nominee, item.reason) == (moved, "Lives in Kuaro Desa, outside kecamatan Tanah Grogot.")
