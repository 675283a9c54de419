"""The facilitator's monthly report (laporan bulanan) as a PDF."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from berdaya.targeting.models import Letterhead

from .models import MonthlyReport


def monthly_report_pdf(*, report: MonthlyReport) -> bytes:
    """The month's records, the narrative and next month's plan, ready to sign."""
    from weasyprint import HTML  # imported here: loading Pango costs time no other page needs

    letterhead = Letterhead.objects.filter(region_id=settings.BERDAYA_HOME_REGION).first() or Letterhead(
        region_id=settings.BERDAYA_HOME_REGION
    )
    html = render_to_string(
        "mentoring/documents/monthly_report.html", {"report": report, "letterhead": letterhead, "logo_url": ""}
    )
    return bytes(HTML(string=html, base_url="/").write_pdf())
