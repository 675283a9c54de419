"""``berdaya restore FILE``: put back an archive written by ``berdaya backup`` (docs/deployment.md).

berdaya restore FILE            into an empty installation (no records yet, no uploaded files); asks to confirm
berdaya restore FILE --yes      without asking (scripts, restore tests)
berdaya restore FILE --force    replace an installation that already holds records and files
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from berdaya.lib.backup import BackupError, Target, read_manifest, restore


class Command(BaseCommand):
    help = "Restore the database and the uploaded files from an archive written by `berdaya backup`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="the .tar.gz written by `berdaya backup`")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        parser.add_argument("--force", action="store_true", help="replace a database and files that are not empty")
        parser.add_argument("--database", default="default", help="the DATABASES alias (default: default)")

    def handle(self, *args: Any, **options: Any) -> None:
        archive: Path = options["archive"]
        target = Target(database=dict(settings.DATABASES[options["database"]]), media_root=Path(settings.MEDIA_ROOT))
        try:
            manifest = read_manifest(archive)
        except BackupError as error:
            raise CommandError(str(error)) from None
        except Exception as error:  # a damaged or foreign file: say so, not a traceback
            raise CommandError(f"Cannot read {archive}: {error}") from None
        self.stdout.write(
            f"{archive}: Berdaya {manifest.berdaya_version}, {manifest.vendor}, made {manifest.created_at}, "
            f"{sum(manifest.row_counts.values())} rows, {len(manifest.media)} files."
        )
        if not options["yes"]:
            what = "REPLACE everything in" if options["force"] else "restore into"
            try:
                answer = input(f"This will {what} {target.database['NAME']} and {target.media_root}. Type yes: ")
            except EOFError:  # no terminal (a script, a timer)
                answer = ""
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing restored (pass --yes to restore without asking).")
        try:
            report = restore(archive, target, force=options["force"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(report.row_counts.values())
        self.stdout.write(
            f"Restored {len(report.row_counts)} tables ({rows} rows, as in the manifest) and {report.files} files "
            "(checksums verified)."
        )
        if report.pending_migrations:
            self.stdout.write(
                f"This code has {len(report.pending_migrations)} migrations the backup lacks: run `berdaya migrate`."
            )
