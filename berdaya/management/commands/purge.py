"""``berdaya purge``: remove personal data past its retention (UU 27/2022), dry run unless ``--apply``.

berdaya purge            say what would be removed, remove nothing
berdaya purge --apply    remove it, and record what was removed (registry.PurgeRun)

What is removed: access-log rows (registry.Disclosure) older than BERDAYA_ACCESS_LOG_RETENTION_DAYS; home photos
taken at the Dinas's verval (the photo only: the verval itself stays) and facilitators' visit photos older than
BERDAYA_PHOTO_RETENTION_DAYS, files included. A setting of 0 keeps that kind for ever.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from berdaya.mentoring.models import VisitPhoto
from berdaya.registry.models import Disclosure, PurgeRun
from berdaya.targeting.models import Verval


def _cutoff(days: int, today: dt.date) -> dt.date | None:
    return today - dt.timedelta(days=days) if days > 0 else None


def due(today: dt.date) -> dict[str, tuple[dt.date | None, QuerySet[Any]]]:
    """What is past its retention on `today`, by kind: the cut-off day and the rows."""
    log_cutoff = _cutoff(settings.BERDAYA_ACCESS_LOG_RETENTION_DAYS, today)
    photo_cutoff = _cutoff(settings.BERDAYA_PHOTO_RETENTION_DAYS, today)
    start = timezone.make_aware(dt.datetime.combine(log_cutoff, dt.time.min)) if log_cutoff is not None else None
    return {
        "access_log": (
            log_cutoff,
            Disclosure.objects.filter(at__lt=start) if start is not None else Disclosure.objects.none(),
        ),
        "home_photos": (
            photo_cutoff,
            Verval.objects.filter(visit_date__lt=photo_cutoff).exclude(photo="")
            if photo_cutoff is not None
            else Verval.objects.none(),
        ),
        "visit_photos": (
            photo_cutoff,
            VisitPhoto.objects.filter(visit__visited_on__lt=photo_cutoff)
            if photo_cutoff is not None
            else VisitPhoto.objects.none(),
        ),
    }


class Command(BaseCommand):
    help = "Remove access-log rows and home and visit photos past their retention (dry run unless --apply)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--apply", action="store_true", help="remove them (without it: only say what would go)")
        parser.add_argument("--today", type=dt.date.fromisoformat, help="as of this day (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        today: dt.date = options["today"] or timezone.localdate()
        kinds = due(today)
        counts = {kind: rows.count() for kind, (_cutoff_day, rows) in kinds.items()}
        for kind, (cutoff, _rows) in kinds.items():
            kept = f"older than {cutoff.isoformat()}" if cutoff else "kept for ever"
            self.stdout.write(f"{kind}: {counts[kind]} ({kept})")
        if not options["apply"]:
            self.stdout.write("Dry run: nothing was removed. Run with --apply to remove it.")
            return
        files = []
        with transaction.atomic():
            for verval in kinds["home_photos"][1]:
                files.append(verval.photo)
            kinds["home_photos"][1].update(photo="")
            for photo in kinds["visit_photos"][1]:
                files.append(photo.image)
            kinds["visit_photos"][1].delete()
            kinds["access_log"][1].delete()
            PurgeRun.objects.create(
                cutoffs={kind: cutoff.isoformat() if cutoff else None for kind, (cutoff, _rows) in kinds.items()},
                removed=counts,
            )
        # Files go once the rows are gone for good: a failed transaction leaves every file in place.
        for stored in files:
            stored.storage.delete(stored.name)
        self.stdout.write(f"Removed: {', '.join(f'{kind} {count}' for kind, count in counts.items())}.")
