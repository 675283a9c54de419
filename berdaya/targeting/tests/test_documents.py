"""The decree (SK) with its BNBA list as PDF and XLSX, on the Dinas's letterhead."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from berdaya.targeting import services
from berdaya.targeting.models import NominationList, Nominee
from berdaya.targeting.tests.factories import NomineeFactory

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def decided(cycle, users, regions):
    nomination_list = NominationList.objects.create(
        cycle=cycle, village=regions["village_a"], created_by=users["admin"]
    )
    approved = NomineeFactory.create_batch(3, nomination_list=nomination_list, status=Nominee.Status.APPROVED)
    NomineeFactory(nomination_list=nomination_list, status=Nominee.Status.REJECTED, name="Ditolak Sekali")
    services.save_letterhead(
        region=regions["regency"],
        office_name="Dinas Sosial Kabupaten Paser",
        signatory_name="Hj. Nurhayati, S.Sos",
        signatory_nip="197001011990032001",
        by=users["admin"],
    )
    services.issue_decree(cycle=cycle, by=users["officer"])
    return approved


def test_the_sk_lists_exactly_the_approved_nominees(client, users, cycle, decided):
    client.force_login(users["officer"])

    text = pdf_text(client.get(reverse("targeting:cycle-sk", args=[cycle.pk])).content)

    assert all(n.nik in text for n in decided)
    assert "Ditolak Sekali" not in text


def test_the_sk_carries_the_letterhead_number_and_signatory(client, users, cycle, decided):
    client.force_login(users["officer"])

    text = pdf_text(client.get(reverse("targeting:cycle-sk", args=[cycle.pk])).content)

    cycle.refresh_from_db()
    assert "DINAS SOSIAL KABUPATEN PASER" in text
    assert cycle.sk_number in text
    assert "197001011990032001" in text


def test_the_bnba_spreadsheet_has_one_row_per_approved_nominee(client, users, cycle, decided):
    client.force_login(users["officer"])

    response = client.get(reverse("targeting:cycle-bnba", args=[cycle.pk]))

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sorted(sheet.cell(row=r, column=2).value for r in range(3, sheet.max_row + 1)) == sorted(
        n.nik for n in decided
    )


def test_a_name_that_looks_like_a_formula_is_defused_in_the_spreadsheet(client, users, cycle, regions):
    nomination_list = NominationList.objects.create(
        cycle=cycle, village=regions["village_a"], created_by=users["admin"]
    )
    NomineeFactory(nomination_list=nomination_list, status=Nominee.Status.APPROVED, name="=HYPERLINK(1)")
    client.force_login(users["officer"])

    sheet = load_workbook(io.BytesIO(client.get(reverse("targeting:cycle-bnba", args=[cycle.pk])).content)).active

    assert sheet.cell(row=3, column=3).value == "'=HYPERLINK(1)"


def test_an_sk_before_the_decree_is_marked_as_a_draft(client, users, cycle):
    client.force_login(users["officer"])

    text = pdf_text(client.get(reverse("targeting:cycle-sk", args=[cycle.pk])).content)

    # No number yet: the dotted blank a clerk would fill in, and the draft banner (in whatever language).
    assert "……" in text


def test_the_letterhead_logo_is_printed_on_the_sk(client, users, cycle, regions):
    buffer = io.BytesIO()
    Image.new("RGB", (60, 60), "green").save(buffer, "PNG")
    services.save_letterhead(
        region=regions["regency"], logo=SimpleUploadedFile("logo.png", buffer.getvalue()), by=users["admin"]
    )
    client.force_login(users["officer"])

    reader = PdfReader(io.BytesIO(client.get(reverse("targeting:cycle-sk", args=[cycle.pk])).content))

    assert len(reader.pages[0].images) == 1
