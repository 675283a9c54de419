"""`berdaya demo`: a deterministic demo scenario for Kabupaten Paser (or, at province scale, all of Kalimantan Timur
around it), built by `berdaya.demo`."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from berdaya.accounts.models import User
from berdaya.demo.province import GROUPS, PERSONS, PROVINCE, create_province_demo
from berdaya.demo.scenario import create_demo
from berdaya.regions.models import Boundary, Region
from berdaya.regions.services import load_boundaries, load_regions


class Command(BaseCommand):
    help = "Create the demo data for Kabupaten Paser (synthetic people only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2027, help="Random seed: the same seed gives the same data.")
        parser.add_argument(
            "--scale",
            choices=["small", "regency", "province"],
            default="small",
            help="province: the small Paser demo plus every regency of Kalimantan Timur, written in bulk.",
        )
        parser.add_argument("--groups", type=int, default=GROUPS, help="Province scale: the number of KUBE.")
        parser.add_argument("--persons", type=int, default=PERSONS, help="Province scale: the registry's persons.")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the database already has users.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and User.objects.exists():
            self.stdout.write("The database already has data; demo data not created.")
            self._print_accounts()
            return
        if not Region.objects.filter(code=settings.BERDAYA_HOME_REGION).exists():
            load_regions()
        if not Region.objects.filter(code=settings.BERDAYA_HOME_REGION).exists():
            raise CommandError(f"Home region {settings.BERDAYA_HOME_REGION} is not in the region list.")
        if not Boundary.objects.filter(region_id=settings.BERDAYA_HOME_REGION).exists():
            load_boundaries()  # the map's outlines of the regions loaded
        began = time.perf_counter()
        province = options["scale"] == "province"
        if province and not Region.objects.filter(parent_id=PROVINCE).exists():
            raise CommandError("The regions of Kalimantan Timur are not loaded: run `berdaya loadregions` first.")
        demo = create_demo(seed=options["seed"], scale="small" if province else options["scale"])
        registry, targeting, groups, business = demo.registry, demo.targeting, demo.groups, demo.business
        self.stdout.write(f"Registry: {registry.households} households, {registry.persons} persons.")
        self.stdout.write(
            f"Targeting: {targeting.cycle} with {targeting.lists} village lists, "
            f"{targeting.nominees} nominees ({targeting.flagged} flagged)."
        )
        self.stdout.write(
            f"Screening: {demo.screening.persons} persons compared, {demo.screening.pending} pairs waiting for review."
        )
        self.stdout.write(
            f"Groups: {groups.groups} KUBE, {groups.members} members, {groups.visits} visits, "
            f"{groups.problems} problems, {groups.trainings} trainings."
        )
        self.stdout.write(
            f"Business: {business.groups} groups' books ({business.thriving} thriving, {business.stalled} stalled), "
            f"{business.entries} cash entries."
        )
        monitoring = demo.monitoring
        self.stdout.write(
            f"Monitoring: {monitoring.snapshots} monthly snapshots, {monitoring.warnings} early warnings, "
            f"{monitoring.monev} monev visits, {monitoring.environment} bina lingkungan records, "
            f"{monitoring.manual} level set by hand."
        )
        if province:
            self._province(options, began)
        self._print_accounts()

    def _province(self, options: dict[str, Any], began: float) -> None:
        if options["groups"] < 1 or options["persons"] < 0:
            raise CommandError("--groups must be at least 1 and --persons at least 0.")

        def say(text: str) -> None:
            self.stdout.write(f"  [{time.perf_counter() - began:6.0f} s] {text}")
            self.stdout.flush()

        self.stdout.write("Province: building Kalimantan Timur in bulk ...")
        built = create_province_demo(
            seed=options["seed"],
            password=settings.BERDAYA_DEMO_PASSWORD,
            groups=options["groups"],
            persons=options["persons"],
            say=say,
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # statistics for the planner after the bulk load, as autovacuum would
            say("ANALYZE done")
        self.stdout.write(
            f"Province: {built.regencies} regencies and cities, {built.groups:,} KUBE in all, "
            f"{built.persons:,} persons in {built.households:,} households, {built.visits:,} visits, "
            f"{built.cash_entries:,} cash entries, {built.snapshots:,} level snapshots, {built.warnings:,} warnings; "
            f"{time.perf_counter() - began:.0f} s."
        )
        self.stdout.write(
            "Province accounts (the same password; each regency also has dinas.<name> and pendamping.<name>.1 to 4):"
        )
        for username, role, region in built.accounts:
            self.stdout.write(f"  {username:<28} {role:<20} {region}")

    def _print_accounts(self) -> None:
        names = ["admin", "dinas", "camat.tanahgrogot", "desa.tanahperiuk", "pendamping1", "pemantau"]
        self.stdout.write("")
        self.stdout.write("Demo accounts (password: $BERDAYA_DEMO_PASSWORD, default 'berdaya-demo'):")
        for user in User.objects.filter(username__in=names).select_related("region").order_by("pk"):
            self.stdout.write(f"  {user.username:<20} {user!s:<16} {user.get_role_display():<20} {user.region}")
        self.stdout.write("")
