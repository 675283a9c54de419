"""``berdaya screen link|dedupe``: the screening engine's command line inside the project."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from berdaya.screening.engine.cli import add_arguments, run_dedupe, run_link
from berdaya.screening.engine.cluster import ClusterError
from berdaya.screening.engine.records import InputError


class Command(BaseCommand):
    help = (
        "Find the same person across CSV lists: 'link NOMINEES.csv HISTORY.csv --out MATCHES.csv' matches nominees "
        "against the assistance history; 'dedupe PEOPLE.csv --out PAIRS.csv' finds duplicates inside one list."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["mode"] == "link":
                run_link(
                    options["nominees"],
                    options["history"],
                    options["out"],
                    threshold=options["threshold"],
                    stderr=self.stderr,
                    cluster=options["cluster"],
                )
            else:
                run_dedupe(
                    options["people"],
                    options["out"],
                    threshold=options["threshold"],
                    stderr=self.stderr,
                    cluster=options["cluster"],
                )
        except (InputError, ClusterError) as error:
            raise CommandError(str(error)) from None
