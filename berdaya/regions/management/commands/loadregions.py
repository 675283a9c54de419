from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from berdaya.regions.services import WILAYAH_CSV, RegionFileError, load_regions


class Command(BaseCommand):
    help = "Load (or refresh) all regions of Indonesia from the Kemendagri list. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, default=WILAYAH_CSV, help="CSV with code,name,level")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = load_regions(path=options["file"])
        except (RegionFileError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Regions: {result.total} in file, {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
