"""The decree (SK) with its BNBA list as PDF and XLSX, on the Dinas's letterhead."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from berdaya.registry.templatetags.registry import masked_nik
from berdaya.targeting import documents, services
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


def words(content: bytes) -> str:
    """The PDF's text with every run of white space (line ends, no-break spaces) as one space."""
    return " ".join(pdf_text(content).split())


@pytest.fixture
def seven_recipients(cycle, users, regions):
    """An issued decree for seven families at the default Rp 2.000.000 each."""
    nomination_list = NominationList.objects.create(
        cycle=cycle, village=regions["village_a"], created_by=users["admin"]
    )
    made = NomineeFactory.create_batch(7, nomination_list=nomination_list, status=Nominee.Status.APPROVED)
    services.issue_decree(cycle=cycle, by=users["officer"])
    return made


def test_the_sk_has_the_parts_of_a_decree(client, users, cycle, seven_recipients):
    client.force_login(users["officer"])

    text = words(client.get(reverse("targeting:cycle-sk", args=[cycle.pk])).content)

    for part in ("KEPUTUSAN", "TENTANG", "Menimbang", "Mengingat", "MEMUTUSKAN", "Menetapkan", "KESATU", "Lampiran"):
        assert part.lower() in text.lower(), part
    assert text.index("Menimbang") < text.index("Mengingat") < text.index("MEMUTUSKAN") < text.index("KESATU")


def test_the_sk_cites_the_legal_basis_the_office_configured(client, users, cycle, regions, seven_recipients):
    services.save_letterhead(
        region=regions["regency"],
        legal_basis="Undang-Undang Nomor 11 Tahun 2009 tentang Kesejahteraan Sosial;\n"
        "2. Peraturan Bupati Paser Nomor 99 Tahun 2026 tentang Pemberdayaan KUBE;",
        by=users["admin"],
    )
    client.force_login(users["officer"])

    text = words(client.get(reverse("targeting:cycle-sk", args=[cycle.pk])).content)

    assert "Peraturan Bupati Paser Nomor 99 Tahun 2026 tentang Pemberdayaan KUBE" in text
    assert "2. Peraturan Bupati" in text
    assert "2. 2." not in text  # the number the office typed is not printed twice


def test_the_sk_states_the_recipients_and_the_total_in_indonesian_format(client, users, cycle, seven_recipients):
    client.force_login(users["officer"])  # the tests run in English: the decree is Indonesian all the same

    text = words(client.get(reverse("targeting:cycle-sk", args=[cycle.pk])).content)

    assert "Menetapkan 7 keluarga" in text
    assert "Rp 2.000.000" in text
    assert "Rp 14.000.000" in text


def test_the_sk_charges_its_costs_to_the_cycles_funding_source(client, users, cycle, seven_recipients):
    client.force_login(users["officer"])

    text = words(client.get(reverse("targeting:cycle-sk", args=[cycle.pk])).content)

    assert "dibebankan pada Anggaran Pendapatan dan Belanja Daerah (APBD) Kabupaten Paser Tahun Anggaran 2027" in text


def test_the_signature_block_is_never_split_across_pages(users, cycle, regions):
    nomination_list = NominationList.objects.create(
        cycle=cycle, village=regions["village_a"], created_by=users["admin"]
    )
    nominees = NomineeFactory.create_batch(2, nomination_list=nomination_list, status=Nominee.Status.APPROVED)
    # A short decree whose signature fits on the first page; each one-line regulation added moves it down a line
    # until it reaches the foot of the page, where it must move to the next page whole.
    for regulations in range(1, 40):
        letterhead = services.save_letterhead(
            region=regions["regency"],
            signatory_name="Hj. Nurhayati, S.Sos",
            signatory_nip="197001011990032001",
            considerations="bahwa perlu menetapkan penerima bantuan KUBE;",
            legal_basis="\n".join(f"Peraturan Nomor {n} Tahun 2020;" for n in range(1, regulations + 1)),
            by=users["admin"],
        )
        pdf = documents.decree_pdf(cycle=cycle, nominees=nominees, letterhead=letterhead, user=users["officer"])
        first_page = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()

        block = ("Ditetapkan di" in first_page, "Hj. Nurhayati" in first_page, "197001011990032001" in first_page)
        assert block in {(True, True, True), (False, False, False)}, regulations
        if block == (False, False, False):
            break
    assert regulations > 1, "the first decree should have its signature on the first page"
    assert regulations < 39, "the signature never reached the foot of the first page"


@pytest.mark.parametrize(
    ("username", "full"), [("admin", True), ("officer", True), ("monitor", False), ("camat", False), ("desa_a", False)]
)
def test_the_sk_prints_full_niks_only_for_those_who_may_issue_it(client, users, cycle, decided, username, full):
    client.force_login(users[username])

    text = pdf_text(client.get(reverse("targeting:cycle-sk", args=[cycle.pk])).content)

    assert all((n.nik in text) is full for n in decided)
    assert all((masked_nik(n.nik) in text) is not full for n in decided)


@pytest.mark.parametrize(
    ("username", "full"), [("admin", True), ("officer", True), ("monitor", False), ("camat", False), ("desa_a", False)]
)
def test_the_bnba_spreadsheet_has_full_niks_only_for_those_who_may_issue_the_sk(
    client, users, cycle, decided, username, full
):
    client.force_login(users[username])

    sheet = load_workbook(io.BytesIO(client.get(reverse("targeting:cycle-bnba", args=[cycle.pk])).content)).active

    expected = sorted(n.nik if full else masked_nik(n.nik) for n in decided)
    assert sorted(sheet.cell(row=r, column=2).value for r in range(3, sheet.max_row + 1)) == expected


def test_the_bnba_spreadsheet_has_a_labelled_bold_frozen_header(client, users, cycle, decided):
    client.force_login(users["officer"])

    sheet = load_workbook(io.BytesIO(client.get(reverse("targeting:cycle-bnba", args=[cycle.pk])).content)).active

    header = [cell.value for cell in sheet[2]]
    assert header == ["No", "NIK", "Nama", "No KK", "Alamat", "Desa/Kelurahan", "Kecamatan", "Bantuan (Rp)"]
    assert all(cell.font.bold for cell in sheet[2])
    assert sheet.freeze_panes == "A3"
    assert sheet.column_dimensions["C"].width >= 30
