"""`berdaya import registry|history FILE`: the same check and report as the import page, on the command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from berdaya.accounts.models import User
from berdaya.registry.importing import FIELDS, report_lines, run_import, write_report


def parse_mapping(items: list[str], kind: str) -> dict[str, str]:
    """`--map "Kolom X=nik"` pairs as {header: field}."""
    mapping = {}
    for item in items:
        header, sep, target = item.rpartition("=")
        if not sep or not header.strip() or target.strip() not in FIELDS[kind]:
            raise CommandError(f"--map {item!r}: write HEADER=FIELD, FIELD one of {', '.join(FIELDS[kind])}.")
        mapping[header.strip()] = target.strip()
    return mapping


class Command(BaseCommand):
    help = "Check and import a registry or assistance-history file (CSV or XLSX)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["registry", "history"])
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check every row and report; store nothing.")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="HEADER=FIELD",
            help="Say which field an unknown column holds; repeat for more columns.",
        )
        parser.add_argument(
            "--accepted-only",
            action="store_true",
            help="Store the accepted rows even when others are rejected (all are reported).",
        )
        parser.add_argument(
            "--by",
            default="admin",
            metavar="USERNAME",
            help="The user the import is done as: their region limits the rows, the audit trail "
            "names them (default: admin).",
        )
        parser.add_argument("--report", type=Path, help="Also write the report as an XLSX workbook here.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        by = User.objects.filter(username=options["by"], is_active=True).first()
        if by is None:
            raise CommandError(f"--by {options['by']}: no active user with that username.")
        progress = None
        if sys.stderr.isatty():

            def progress(rows: int) -> None:
                self.stderr.write(f"\r{rows:,} rows", ending="")

        result = run_import(
            path,
            kind=options["kind"],
            by=by,
            mapping=parse_mapping(options["map"], options["kind"]),
            dry_run=options["dry_run"],
            accepted_only=options["accepted_only"],
            progress=progress,
        )
        for line in report_lines(result):
            self.stdout.write(line)
        if options["report"]:
            with options["report"].open("wb") as stream:
                write_report(result, stream)
        if result.summary.error:
            raise CommandError(result.summary.error)
