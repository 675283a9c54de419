"""Loading the Kemendagri region list."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from berdaya.lib.errors import DomainError

from .models import Region

WILAYAH_CSV = Path(__file__).resolve().parent / "data" / "wilayah.csv"
# Segment widths by level: 64 / 64.01 / 64.01.04 / 64.01.04.2004
CODE_PATTERN = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
BATCH = 5000


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
