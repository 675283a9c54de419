from __future__ import annotations

from django import template

register = template.Library()

MASK = "••••••"


@register.filter
def masked_nik(nik: str | None) -> str:
    """A NIK as shown by default: the kecamatan (first 6) and the serial (last 4), the birth date hidden."""
    if not nik:
        return ""
    if len(nik) < 10:
        return MASK
    return f"{nik[:6]}{MASK}{nik[-4:]}"
