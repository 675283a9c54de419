"""Decision documents: the SK penetapan with its BNBA list (PDF, XLSX) and the blank village meeting minutes."""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from berdaya.lib.exports import safe_cell
from berdaya.regions.models import Region

from .models import Cycle, Letterhead, Nominee

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _pdf(template: str, context: dict[str, object]) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango costs time no other page needs

    html = render_to_string(template, context)
    return bytes(HTML(string=html, base_url="/").write_pdf())


def _logo_url(letterhead: Letterhead) -> str:
    if not letterhead.logo:
        return ""
    try:
        return "file://" + letterhead.logo.path
    except (NotImplementedError, ValueError):
        return ""


def decree_pdf(*, cycle: Cycle, nominees: Sequence[Nominee], letterhead: Letterhead) -> bytes:
    """The SK penetapan with the approved nominees by name and address (BNBA); marked draft until issued."""
    return _pdf(
        "targeting/documents/sk.html",
        {
            "cycle": cycle,
            "nominees": nominees,
            "letterhead": letterhead,
            "logo_url": _logo_url(letterhead),
            "total_aid": cycle.aid_per_member * len(nominees),
            "draft": not cycle.sk_number,
        },
    )


def minutes_template_pdf(*, cycle: Cycle, village: Region | None, letterhead: Letterhead) -> bytes:
    """A blank berita acara musyawarah desa to print, fill in by hand, sign and upload."""
    return _pdf(
        "targeting/documents/minutes_template.html",
        {"cycle": cycle, "village": village, "letterhead": letterhead, "rows": range(1, 21)},
    )


def bnba_xlsx(*, cycle: Cycle, nominees: Sequence[Nominee]) -> bytes:
    """The approved list as a spreadsheet, one row per nominee."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "BNBA"
    sheet.append([safe_cell(cycle.name), safe_cell(cycle.sk_number), cycle.sk_date])
    header = [_("No."), _("NIK"), _("Name"), _("KK number"), _("Address"), _("Village"), _("Kecamatan"), _("Aid (Rp)")]
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for number, nominee in enumerate(nominees, start=1):
        village = nominee.nomination_list.village
        sheet.append(
            [
                number,
                nominee.nik,
                safe_cell(nominee.name),
                nominee.kk_number,
                safe_cell(nominee.address),
                village.name,
                village.parent.name if village.parent else "",
                cycle.aid_per_member,
            ]
        )
    for column, width in zip("ABCDEFGH", (5, 19, 30, 19, 40, 20, 20, 14), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.cell(row=1, column=5, value=timezone.localdate())
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
