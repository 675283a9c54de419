"""Loading the Kemendagri region list."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from berdaya.lib.errors import DomainError

from .models import Boundary, Region

WILAYAH_CSV = Path(__file__).resolve().parent / "data" / "wilayah.csv"
# Segment widths by level: 64 / 64.01 / 64.01.04 / 64.01.04.2004
CODE_PATTERN = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
BATCH = 5000
BOUNDARIES_DIR = Path(__file__).resolve().parent / "boundaries"
# One file per level; villages ship for Kalimantan Timur (64) only (see boundaries/README.md).
BOUNDARY_FILES = ("provinces.geojson", "regencies.geojson", "districts.geojson", "villages-64.geojson")


class RegionFileError(DomainError):
    pass


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def _read(path: Path) -> list[Region]:
    regions: list[Region] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or not {"code", "name", "level"} <= set(reader.fieldnames):
            raise RegionFileError(_("%(file)s needs the columns code, name and level.") % {"file": path.name})
        for line, row in enumerate(reader, start=2):
            code, name, level_text = row["code"].strip(), row["name"].strip(), row["level"].strip()
            if not CODE_PATTERN.match(code) or level_text != str(code.count(".") + 1):
                raise RegionFileError(
                    _("%(file)s line %(line)d: %(code)s is not a region code of level %(level)s.")
                    % {"file": path.name, "line": line, "code": code, "level": level_text}
                )
            parent = code.rsplit(".", 1)[0] if "." in code else None
            if parent is not None and parent not in seen:
                raise RegionFileError(
                    _("%(file)s line %(line)d: the parent of %(code)s is not listed before it.")
                    % {"file": path.name, "line": line, "code": code}
                )
            if code in seen:
                raise RegionFileError(
                    _("%(file)s line %(line)d: %(code)s is listed twice.")
                    % {"file": path.name, "line": line, "code": code}
                )
            seen.add(code)
            regions.append(Region(code=code, name=name, level=int(level_text), parent_id=parent))
    return regions


def load_regions(*, path: Path = WILAYAH_CSV) -> LoadResult:
    """Create or update every region in the file; running it again changes nothing."""
    incoming = _read(path)
    existing = {
        code: (name, level, parent)
        for code, name, level, parent in Region.objects.values_list("code", "name", "level", "parent_id").iterator(
            chunk_size=BATCH
        )
    }
    new = [r for r in incoming if r.code not in existing]
    changed = [r for r in incoming if r.code in existing and existing[r.code] != (r.name, r.level, r.parent_id)]
    with transaction.atomic():
        Region.objects.bulk_create(new, batch_size=BATCH)
        Region.objects.bulk_update(changed, ["name", "level", "parent"], batch_size=BATCH)
    return LoadResult(created=len(new), updated=len(changed), unchanged=len(incoming) - len(new) - len(changed))


class BoundaryFileError(DomainError):
    pass


@lru_cache(maxsize=8)
def _geometries(path: Path, modified: float) -> dict[str, Any]:
    """code -> GeoJSON geometry of every feature of one file.

    Kept per file and modification time: tests load a few regions many times, and parsing a file takes a while.
    """
    with path.open(encoding="utf-8") as handle:
        try:
            collection = json.load(handle)
        except ValueError as error:
            raise BoundaryFileError(
                _("%(file)s is not a GeoJSON file: %(error)s") % {"file": path.name, "error": error}
            ) from error
    return {
        str(feature["properties"]["code"]): feature["geometry"]
        for feature in collection.get("features", [])
        if feature.get("geometry") and feature.get("properties", {}).get("code")
    }


def _boundary_row(geometry: dict[str, Any]) -> tuple[str, float, float, float, float] | None:
    """(rings as compact JSON, min lon, min lat, max lon, max lat) of a Polygon or MultiPolygon."""
    polygons = geometry.get("coordinates") or []
    if geometry.get("type") == "Polygon":
        polygons = [polygons]
    elif geometry.get("type") != "MultiPolygon":
        return None
    rings = [[[lon, lat] for lon, lat, *_height in ring] for polygon in polygons for ring in polygon if ring]
    if not rings:
        return None
    lons = [point[0] for ring in rings for point in ring]
    lats = [point[1] for ring in rings for point in ring]
    return json.dumps(rings, separators=(",", ":")), min(lons), min(lats), max(lons), max(lats)


def load_boundaries(*, directory: Path = BOUNDARIES_DIR) -> LoadResult:
    """Store the outline of every region of the Region table that the boundary files hold; again changes nothing.

    Only regions already loaded get a boundary: a site that loaded one regency stores that regency's outlines.
    """
    paths = [directory / name for name in BOUNDARY_FILES]
    missing = [path for path in paths if not path.is_file()]
    if missing:
        raise BoundaryFileError(
            _("Boundary file missing: %(files)s. Copy it from berdaya/regions/boundaries/ or give --dir.")
            % {"files": ", ".join(str(path) for path in missing)}
        )
    present = set(Region.objects.values_list("code", flat=True).iterator(chunk_size=BATCH))
    incoming: dict[str, tuple[str, float, float, float, float]] = {}
    for path in paths:
        geometries = _geometries(path, path.stat().st_mtime)
        for code in present & geometries.keys():
            row = _boundary_row(geometries[code])
            if row is not None:
                incoming[code] = row
    existing = {
        code: (rings, *box)
        for code, rings, *box in Boundary.objects.values_list(
            "region_id", "rings", "min_lon", "min_lat", "max_lon", "max_lat"
        ).iterator(chunk_size=BATCH)
    }
    new, changed = [], []
    for code, (rings, min_lon, min_lat, max_lon, max_lat) in incoming.items():
        boundary = Boundary(
            region_id=code, rings=rings, min_lon=min_lon, min_lat=min_lat, max_lon=max_lon, max_lat=max_lat
        )
        if code not in existing:
            new.append(boundary)
        elif existing[code] != incoming[code]:
            changed.append(boundary)
    with transaction.atomic():
        Boundary.objects.bulk_create(new, batch_size=BATCH)
        Boundary.objects.bulk_update(changed, ["rings", "min_lon", "min_lat", "max_lon", "max_lat"], batch_size=BATCH)
    return LoadResult(created=len(new), updated=len(changed), unchanged=len(incoming) - len(new) - len(changed))
