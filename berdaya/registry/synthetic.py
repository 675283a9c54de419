"""Synthetic identity numbers for demo data, factories and benchmarks: valid in structure, never real people's."""

from __future__ import annotations

import datetime as dt

from berdaya.lib.nik import FEMALE_DAY_OFFSET


def build_nik(*, kecamatan: str, birth_date: dt.date, sex: str, serial: int) -> str:
    """A NIK first registered in `kecamatan` ("64.01.04"): PPKKCC DDMMYY SSSS, day + 40 for women."""
    day = birth_date.day + (FEMALE_DAY_OFFSET if sex == "P" else 0)
    return f"{kecamatan.replace('.', '')[:6]}{day:02d}{birth_date:%m%y}{serial % 10000:04d}"


def build_kk(*, kecamatan: str, issued_on: dt.date, serial: int) -> str:
    """A KK number issued in `kecamatan`: region, issue date (DDMMYY) and a serial."""
    return f"{kecamatan.replace('.', '')[:6]}{issued_on:%d%m%y}{serial % 10000:04d}"
