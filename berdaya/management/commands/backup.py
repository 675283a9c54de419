"""``berdaya backup``: the database and the uploaded files in one archive (docs/deployment.md, "Backup and restore").

berdaya backup                       write var/backups/berdaya-YYYYMMDD-HHMMSS.tar.gz
berdaya backup --output FILE         write FILE instead
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from berdaya.lib.backup import BackupError, backup, default_archive_path


class Command(BaseCommand):
    help = "Back up the database and the uploaded files (MEDIA_ROOT) into one .tar.gz archive with a manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="the archive to write (default: var/backups/berdaya-….tar.gz)")
        parser.add_argument("--database", default="default", help="the DATABASES alias (default: default)")

    def handle(self, *args: Any, **options: Any) -> None:
        output: Path = options["output"] or default_archive_path()
        if output.exists():
            raise CommandError(f"{output} already exists: choose another name.")
        try:
            manifest = backup(output, alias=options["database"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest.row_counts.values())
        self.stdout.write(
            f"Backed up {manifest.vendor} database ({len(manifest.row_counts)} tables, {rows} rows) and "
            f"{len(manifest.media)} files to {output} ({output.stat().st_size} bytes)."
        )
