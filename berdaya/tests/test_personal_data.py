"""The personal-data rule (registry.privacy) on every page and file that can carry a NIK, for every role.

A matrix like the scope matrix: each URL or file that can carry a person's NIK, KK number or address x every role.
A role that may see them (the Dinas) gets them in full where the file carries them, and that full copy adds exactly
one access-log row; every other role gets them masked (or, outside its region, not at all) and adds none. Files are
read as a user reads them: PDFs with pypdf, spreadsheets with openpyxl, CSV as text.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from berdaya.groups.tests.factories import KubeFactory, MembershipFactory
from berdaya.registry.models import Disclosure
from berdaya.registry.privacy import masked_nik
from berdaya.targeting.models import Cycle, Nominee
from berdaya.targeting.tests.factories import CycleFactory

pytestmark = pytest.mark.django_db

ROLES = ("admin", "officer", "monitor", "camat", "desa_a", "desa_b", "facilitator")
DINAS = frozenset({"admin", "officer"})


def read(response: Any) -> str:
    """What the response shows a reader: the text of a page, a PDF, a spreadsheet's cells or a CSV."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    content_type = response["Content-Type"]
    if "pdf" in content_type:
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    elif "spreadsheetml" in content_type:
        book = load_workbook(io.BytesIO(body), read_only=True)
        text = "\n".join(
            " ".join("" if cell is None else str(cell) for cell in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    else:
        text = body.decode("utf-8-sig")
    # A PDF breaks a long name or address over lines: read them as one line.
    return " ".join(text.split())


@pytest.fixture
def world(regions: dict[str, Any], users: dict[str, Any]) -> dict[str, Any]:
    """A KUBE of Tanah Periuk (village A) with a member from village A and one from Tapis (village B, same
    kecamatan), both approved in the regency's cycle."""
    cycle = CycleFactory(region=regions["regency"], status=Cycle.Status.DECIDED, created_by=users["admin"])
    kube = KubeFactory(
        cycle=cycle, village=regions["village_a"], created_by=users["admin"], facilitator=users["facilitator"]
    )
    here = MembershipFactory(kube=kube, added_by=users["admin"], nominee__address="Jalan Rumah Di Sini 1")
    there = MembershipFactory(
        kube=kube,
        added_by=users["admin"],
        nominee__nomination_list__village=regions["village_b"],
        nominee__address="Jalan Desa Seberang 2",
    )
    for member, kk_number in ((here, "6401040101159001"), (there, "6401040202209002")):
        # Numbers and addresses no other record shares, so that a masked one is found only where it is this one's.
        household = member.person.household
        household.address = member.nominee.address
        household.kk_number = kk_number
        household.save()
        Nominee.objects.filter(pk=member.nominee_id).update(kk_number=kk_number)
    return {"kube": kube, "cycle": cycle, "here": here, "there": there, "person": here.person}


@dataclass(frozen=True)
class Carrier:
    """A URL or file that can carry the member's personal data, and who gets the data in full from it."""

    name: str
    url: Callable[[dict[str, Any]], str]
    full_for: frozenset[str] = frozenset()
    method: str = "get"
    carries_nik: bool = True


CARRIERS = [
    Carrier("person page", lambda w: w["person"].get_absolute_url()),
    Carrier("household page", lambda w: w["person"].household.get_absolute_url(), carries_nik=False),
    Carrier("nominee page", lambda w: w["here"].nominee.get_absolute_url()),
    Carrier("nomination list", lambda w: w["here"].nominee.nomination_list.get_absolute_url()),
    Carrier("KUBE page", lambda w: w["kube"].get_absolute_url()),
    Carrier("membership page", lambda w: reverse("groups:membership-detail", args=[w["here"].pk])),
    Carrier("NIK reveal", lambda w: reverse("registry:person-reveal-nik", args=[w["person"].pk]), DINAS, method="post"),
    Carrier("member list PDF", lambda w: reverse("groups:kube-members-pdf", args=[w["kube"].pk]), DINAS),
    Carrier("SK PDF", lambda w: reverse("targeting:cycle-sk", args=[w["cycle"].pk]), DINAS),
    Carrier("BNBA XLSX", lambda w: reverse("targeting:cycle-bnba", args=[w["cycle"].pk]), DINAS),
    Carrier("registry export: persons", lambda w: reverse("registry:person-export"), DINAS),
    Carrier("registry export: households", lambda w: reverse("registry:household-export"), DINAS, carries_nik=False),
    Carrier(
        "person data export",
        lambda w: reverse("privacy:person-data-export", args=[w["person"].pk]),
        frozenset({"admin"}),
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("carrier", CARRIERS, ids=[carrier.name for carrier in CARRIERS])
def test_personal_data_is_full_and_logged_only_for_a_role_that_may_see_it(client, users, world, carrier, role):
    person = world["person"]
    client.force_login(users[role])
    logged_before = Disclosure.objects.count()

    response = getattr(client, carrier.method)(carrier.url(world))

    shown = read(response) if response.status_code == 200 else ""
    full = role in carrier.full_for and response.status_code == 200
    assert (carrier.carries_nik and person.nik in shown) is (full and carrier.carries_nik), (carrier.name, role)
    assert (person.household.kk_number in shown) is full, (carrier.name, role)
    assert Disclosure.objects.count() - logged_before == (1 if full else 0), (carrier.name, role)


@pytest.mark.parametrize("role", ["admin", "officer"])
def test_the_dinas_is_refused_nothing_the_matrix_says_it_gets(client, users, world, role):
    client.force_login(users[role])

    statuses = {
        carrier.name: getattr(client, carrier.method)(carrier.url(world)).status_code
        for carrier in CARRIERS
        if role in carrier.full_for or not carrier.full_for
    }

    assert set(statuses.values()) == {200}, statuses


def test_a_masked_copy_shows_the_masked_numbers(client, users, world):
    person = world["person"]
    client.force_login(users["camat"])

    shown = read(client.get(reverse("groups:kube-members-pdf", args=[world["kube"].pk])))

    assert masked_nik(person.nik) in shown
    assert masked_nik(person.household.kk_number) in shown


def test_a_full_document_logs_whom_it_carried_with_its_count(client, users, world):
    client.force_login(users["officer"])

    client.get(reverse("groups:kube-members-pdf", args=[world["kube"].pk]))

    disclosure = Disclosure.objects.get()
    assert disclosure.kind == Disclosure.Kind.MEMBER_LIST_PDF
    assert disclosure.count == 2
    assert set(disclosure.persons.all()) == {world["here"].person, world["there"].person}
    assert (disclosure.by, disclosure.ip) == (users["officer"], "127.0.0.1")


def test_a_full_export_is_logged_with_its_row_count(client, users, world):
    client.force_login(users["admin"])

    b"".join(client.get(reverse("registry:person-export")).streaming_content)

    disclosure = Disclosure.objects.get()
    assert (disclosure.kind, disclosure.count) == (Disclosure.Kind.PERSON_EXPORT, 2)


# --- A village operator's group member from another village: by name only ------------------------------------------


def test_the_village_operator_reads_a_member_from_another_village_by_name_only_in_the_member_list(client, users, world):
    there = world["there"].person
    client.force_login(users["desa_a"])

    shown = read(client.get(reverse("groups:kube-members-pdf", args=[world["kube"].pk])))

    assert there.name in shown
    assert masked_nik(there.nik) not in shown
    assert masked_nik(there.household.kk_number) not in shown
    assert there.household.address not in shown
    # ...while its own villager is there, masked, with her address (the operator keeps the registry)
    assert masked_nik(world["here"].person.nik) in shown
    assert world["here"].person.household.address in shown


def test_the_village_operator_reads_a_member_from_another_village_by_name_only_on_the_group_page(client, users, world):
    there = world["there"].person
    client.force_login(users["desa_a"])

    page = client.get(world["kube"].get_absolute_url()).content.decode()
    member_page = client.get(reverse("groups:membership-detail", args=[world["there"].pk])).content.decode()

    assert there.name in page
    for shown in (page, member_page):
        assert masked_nik(there.nik) not in shown
        assert masked_nik(there.household.kk_number) not in shown
        assert there.household.address not in shown
    assert reverse("registry:person-detail", args=[there.pk]) not in page


def test_the_village_operator_cannot_open_the_registry_record_of_a_member_from_another_village(client, users, world):
    client.force_login(users["desa_a"])

    response = client.get(world["there"].person.get_absolute_url())

    assert response.status_code == 404


def test_the_monitor_never_sees_an_address(client, users, world):
    client.force_login(users["monitor"])

    for url in (world["person"].get_absolute_url(), world["here"].nominee.get_absolute_url()):
        assert world["person"].household.address not in client.get(url).content.decode(), url
