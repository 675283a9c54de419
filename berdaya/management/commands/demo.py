"""`berdaya demo`: a deterministic demo scenario for Kabupaten Paser. Later capabilities add their steps here."""

from __future__ import annotations

import random
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.test.utils import override_settings
from faker import Faker

from berdaya.accounts.demo import create_demo_users
from berdaya.accounts.models import User
from berdaya.business.demo import create_demo_business
from berdaya.groups.demo import create_demo_groups
from berdaya.regions.models import Region
from berdaya.regions.services import load_regions
from berdaya.registry.demo import create_demo_registry
from berdaya.targeting.demo import create_demo_targeting


class Command(BaseCommand):
    help = "Create the demo data for Kabupaten Paser (synthetic people only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2027, help="Random seed: the same seed gives the same data.")
        parser.add_argument("--scale", choices=["small", "regency"], default="small")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the database already has users.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and User.objects.exists():
            self.stdout.write("The database already has data; demo data not created.")
            self._print_accounts(None)
            return
        if not Region.objects.filter(code=settings.BERDAYA_HOME_REGION).exists():
            load_regions()
        if not Region.objects.filter(code=settings.BERDAYA_HOME_REGION).exists():
            raise CommandError(f"Home region {settings.BERDAYA_HOME_REGION} is not in the region list.")
        faker = Faker("id_ID")
        faker.seed_instance(options["seed"])
        random.seed(options["seed"])
        # The demo's notifications would e-mail the demo accounts: keep those mails in memory, not on the console.
        with transaction.atomic(), override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            accounts = create_demo_users(faker=faker, scale=options["scale"], password=settings.BERDAYA_DEMO_PASSWORD)
            registry = create_demo_registry(faker=faker, scale=options["scale"])
            targeting = create_demo_targeting(faker=faker, scale=options["scale"])
            groups = create_demo_groups(faker=faker, scale=options["scale"])
            business = create_demo_business(faker=faker, scale=options["scale"])
        self.stdout.write(f"Registry: {registry.households} households, {registry.persons} persons.")
        self.stdout.write(
            f"Targeting: {targeting.cycle} with {targeting.lists} village lists, "
            f"{targeting.nominees} nominees ({targeting.flagged} flagged)."
        )
        self.stdout.write(
            f"Groups: {groups.groups} KUBE, {groups.members} members, {groups.visits} visits, "
            f"{groups.problems} problems, {groups.trainings} trainings."
        )
        self.stdout.write(
            f"Business: {business.groups} groups' books ({business.thriving} thriving, {business.stalled} stalled), "
            f"{business.entries} cash entries."
        )
        self._print_accounts(accounts)

    def _print_accounts(self, accounts: list[Any] | None) -> None:
        names = ["admin", "dinas", "camat.tanahgrogot", "desa.tanahperiuk", "pendamping1", "pemantau"]
        self.stdout.write("")
        self.stdout.write("Demo accounts (password: $BERDAYA_DEMO_PASSWORD, default 'berdaya-demo'):")
        for user in User.objects.filter(username__in=names).select_related("region").order_by("pk"):
            self.stdout.write(f"  {user.username:<20} {user.get_role_display():<20} {user.region}")
        self.stdout.write("")
