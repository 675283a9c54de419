"""Kabupaten Paser's demo for the tests that walk every page (the i18n walk, the phone crawl)."""

from __future__ import annotations

import csv
from pathlib import Path

from django.core.management import call_command

from berdaya.regions.services import WILAYAH_CSV, load_boundaries, load_regions


def paser_regions(folder: Path) -> Path:
    """A copy of the official region list with Kabupaten Paser only (not all 91,599 regions)."""
    paser = folder / "paser.csv"
    with WILAYAH_CSV.open(encoding="utf-8") as source, paser.open("w", encoding="utf-8", newline="") as target:
        rows = csv.DictReader(source)
        out = csv.DictWriter(target, fieldnames=["code", "name", "level"])
        out.writeheader()
        out.writerows(r for r in rows if r["code"] == "64" or r["code"] == "64.01" or r["code"].startswith("64.01."))
    return paser


def build_paser_demo(folder: Path) -> None:
    """Paser's regions, their map outlines and the demo scenario (seed 11) on top, in the database the caller has
    opened."""
    load_regions(path=paser_regions(folder))
    load_boundaries()
    call_command("demo", "--seed", "11", verbosity=0)
