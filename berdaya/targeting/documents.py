"""Decision documents: the SK penetapan with its BNBA list (PDF, XLSX) and the blank village meeting minutes.

The SK and its BNBA are official documents of the Dinas, so they are written in Indonesian (dates, Rupiah and
wording) whatever language the reader's screens use; an English rendering would not be the decree.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from string import ascii_lowercase
from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from berdaya.lib.exports import safe_cell
from berdaya.lib.http import AuthedRequest
from berdaya.regions.models import Region
from berdaya.registry.privacy import Shown, record_disclosure, shown_for

from .models import Cycle, Letterhead, Nominee

if TYPE_CHECKING:
    from berdaya.accounts.models import User

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The language of the decree and its attachment (see the module's docstring).
DECREE_LANGUAGE = "id"


def render_pdf(template: str, context: dict[str, object]) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango costs time no other page needs

    html = render_to_string(template, context)
    return bytes(HTML(string=html, base_url="/").write_pdf())


def logo_url(letterhead: Letterhead) -> str:
    if not letterhead.logo:
        return ""
    try:
        return "file://" + letterhead.logo.path
    except (NotImplementedError, ValueError):
        return ""


def prints_full_nik(user: User) -> bool:
    """Only a role that issues the decree prints it with full NIKs; every other reader gets them masked."""
    return user.has_perm("targeting.decide")


def shown_nominee(nominee: Nominee, user: User) -> Shown:
    """A nominee's NIK, KK number and address as the decree's reader may see them (registry.privacy's rule, full
    only for a role that issues the decree)."""
    return shown_for(
        user,
        nik=nominee.nik,
        kk_number=nominee.kk_number,
        address=nominee.address,
        village_code=nominee.nomination_list.village_id,
        issuer=prints_full_nik(user),
    )


@dataclass(frozen=True)
class BnbaRow:
    """One recipient as the BNBA (by name, by address) lists them."""

    number: int
    nik: str
    name: str
    kk_number: str
    address: str
    village: str
    kecamatan: str
    full: bool
    person_id: int | None


def bnba_rows(nominees: Sequence[Nominee], *, user: User) -> list[BnbaRow]:
    """The BNBA lines of the approved nominees, numbered; NIK, KK number and address as `shown_nominee` says."""
    rows = []
    for number, nominee in enumerate(nominees, start=1):
        village = nominee.nomination_list.village
        shown = shown_nominee(nominee, user)
        rows.append(
            BnbaRow(
                number=number,
                nik=shown.nik,
                name=nominee.name,
                kk_number=shown.kk_number,
                address=shown.address,
                village=village.name,
                kecamatan=village.parent.name if village.parent else "",
                full=shown.full,
                person_id=nominee.person_id,
            )
        )
    return rows


def log_full_copy(*, cycle: Cycle, rows: Sequence[BnbaRow], kind: str, request: AuthedRequest) -> None:
    """A copy of the BNBA with full numbers (the issuing role's) is one access-log row with its row count; a masked
    copy none. The SK and BNBA downloads and the API's BNBA all log through here."""
    full = [row for row in rows if row.full]
    if full:
        record_disclosure(
            by=request.user,
            kind=kind,
            region=cycle.region_id,
            persons=[row.person_id for row in full if row.person_id is not None],
            count=len(full),
            document=f"{cycle.name} · SK {cycle.sk_number}" if cycle.sk_number else cycle.name,
            request=request,
        )


def funding_text(cycle: Cycle) -> str:
    """The cycle's funding source as a decree names the budget its costs are charged to."""
    region = cycle.region
    if cycle.funding_source == Cycle.FundingSource.APBN:
        return "Anggaran Pendapatan dan Belanja Negara (APBN)"
    if cycle.funding_source == Cycle.FundingSource.APBD_PROVINCE:
        province = region if region.level == Region.Level.PROVINCE else region.parent
        return f"Anggaran Pendapatan dan Belanja Daerah (APBD) Provinsi {province.name if province else ''}".strip()
    if region.level == Region.Level.REGENCY:
        return f"Anggaran Pendapatan dan Belanja Daerah (APBD) {region.name}"
    return "Anggaran Pendapatan dan Belanja Daerah (APBD) Kabupaten/Kota"


def _marked(items: Sequence[str], *, letters: bool) -> list[tuple[str, str]]:
    """Items with the marks a decree gives them: a, b, c for considerations; 1, 2, 3 for the legal basis."""
    return [
        (ascii_lowercase[number] if letters and number < len(ascii_lowercase) else str(number + 1), item)
        for number, item in enumerate(items)
    ]


def decree_pdf(*, cycle: Cycle, nominees: Sequence[Nominee], letterhead: Letterhead, user: User) -> bytes:
    """The SK penetapan with its considerations, legal basis and articles, and the BNBA attached; a draft until
    issued. NIKs in full only for a reader who may issue it."""
    rows = bnba_rows(nominees, user=user)
    with translation.override(DECREE_LANGUAGE):
        return render_pdf(
            "targeting/documents/sk.html",
            {
                "cycle": cycle,
                "rows": rows,
                "full_nik": any(row.full for row in rows) or not rows and prints_full_nik(user),
                "letterhead": letterhead,
                "logo_url": logo_url(letterhead),
                "issuer": letterhead.issuer,
                "considerations": _marked(letterhead.consideration_items(), letters=True),
                "legal_basis": _marked(letterhead.legal_basis_items(), letters=False),
                "subject": f"Penetapan Penerima Bantuan Kelompok Usaha Bersama (KUBE) {cycle.name} "
                f"Tahun Anggaran {cycle.year}",
                "funding": funding_text(cycle),
                "total_aid": cycle.aid_per_member * len(nominees),
                "draft": not cycle.sk_number,
            },
        )


def minutes_template_pdf(*, cycle: Cycle, village: Region | None, letterhead: Letterhead) -> bytes:
    """A blank berita acara musyawarah desa to print, fill in by hand, sign and upload."""
    return render_pdf(
        "targeting/documents/minutes_template.html",
        {"cycle": cycle, "village": village, "letterhead": letterhead, "rows": range(1, 21)},
    )


# The BNBA sheet's columns: label and width (in characters).
BNBA_COLUMNS = (
    ("No", 5),
    ("NIK", 19),
    ("Nama", 30),
    ("No KK", 19),
    ("Alamat", 40),
    ("Desa/Kelurahan", 20),
    ("Kecamatan", 20),
    ("Bantuan (Rp)", 14),
)
_HEADER_ROW = 2  # row 1 names the list and its decree; the labelled header is row 2, the recipients follow


def bnba_xlsx(*, cycle: Cycle, nominees: Sequence[Nominee], user: User) -> bytes:
    """The approved list as a spreadsheet, one row per recipient under a labelled header; NIKs in full only for a
    reader who may issue the decree."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "BNBA"
    decree = f"SK Nomor {cycle.sk_number}" if cycle.sk_number else "SK belum ditetapkan (konsep)"
    if cycle.sk_date:
        with translation.override(DECREE_LANGUAGE):
            decree += f" tanggal {date_format(cycle.sk_date, 'j F Y')}"
    total = cycle.aid_per_member * len(nominees)
    sheet.append(
        [
            safe_cell(f"Daftar penerima bantuan (BNBA): {cycle.name}"),
            None,
            safe_cell(decree),
            None,
            None,
            None,
            None,
            total,
        ]
    )
    sheet["A1"].font = Font(bold=True, size=12)
    sheet["G1"] = f"{len(nominees)} keluarga"
    sheet.append([label for label, _width in BNBA_COLUMNS])
    for cell in sheet[_HEADER_ROW]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEEEEE")
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for row in bnba_rows(nominees, user=user):
        sheet.append(
            [
                row.number,
                row.nik,
                safe_cell(row.name),
                row.kk_number,
                safe_cell(row.address),
                safe_cell(row.village),
                safe_cell(row.kecamatan),
                cycle.aid_per_member,
            ]
        )
    for column, (_label, width) in zip("ABCDEFGH", BNBA_COLUMNS, strict=True):
        sheet.column_dimensions[column].width = width
    for (cell,) in sheet.iter_rows(min_col=8, max_col=8):
        cell.number_format = "#,##0"
    # The header stays in view while scrolling, filters the list, and prints on every page.
    sheet.freeze_panes = f"A{_HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{_HEADER_ROW}:H{sheet.max_row}"
    sheet.print_title_rows = f"{_HEADER_ROW}:{_HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
