from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from berdaya.regions.models import Region
from berdaya.regions.services import BOUNDARIES_DIR, BoundaryFileError, load_boundaries


class Command(BaseCommand):
    help = "Load (or refresh) the map outlines of the regions already loaded (run loadregions first). Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir", type=Path, default=BOUNDARIES_DIR, help="Folder with the four boundary GeoJSON files"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = load_boundaries(directory=options["dir"])
        except (BoundaryFileError, OSError) as error:
            raise CommandError(str(error)) from error
        regions = Region.objects.count()
        self.stdout.write(
            f"Boundaries: {result.total} of {regions} regions, {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
