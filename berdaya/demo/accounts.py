"""Demo accounts for Kabupaten Paser: one per role, and at regency scale an operator for every kecamatan and village."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from faker import Faker

from berdaya.accounts.models import User
from berdaya.accounts.roles import Role
from berdaya.lib.audit import acting_as
from berdaya.regions.models import Region

TANAH_GROGOT = "64.01.04"
TANAH_PERIUK = "64.01.04.2004"


# The accounts the README lists, with the name each shows in the header and on the records it makes. The names are
# fixed (not drawn from the seed) so that the README can say who is who: "pendamping1" is Yuliana Sari on every page.
SHOWN_NAMES = {
    "admin": ("Rahmat", "Hidayat"),
    "dinas": ("Dewi", "Lestari"),
    "camat.tanahgrogot": ("Andi", "Saputra"),
    "desa.tanahperiuk": ("Nurhayati", ""),
    "pendamping1": ("Yuliana", "Sari"),
    "pemantau": ("Bambang", "Irawan"),
}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    region: str
    name: str


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", name.lower())


def create_demo_users(*, faker: Faker, scale: str, password: str) -> list[DemoAccount]:
    """Create (or reset) the demo accounts and return the ones to show on screen."""
    home = settings.BERDAYA_HOME_REGION
    specs: list[tuple[str, Role, str]] = [
        ("admin", User.Role.ADMIN, home),
        ("dinas", User.Role.OFFICER, home),
        ("camat.tanahgrogot", User.Role.KECAMATAN_OPERATOR, TANAH_GROGOT),
        ("desa.tanahperiuk", User.Role.VILLAGE_OPERATOR, TANAH_PERIUK),
        ("pendamping1", User.Role.FACILITATOR, home),
        ("pemantau", User.Role.MONITOR, home),
    ]
    shown = [
        DemoAccount(username, str(User.Role(role).label), region, " ".join(filter(None, SHOWN_NAMES[username])))
        for username, role, region in specs
    ]
    if scale == "regency":
        taken = {username for username, _, _ in specs}
        for region in Region.objects.within(home).filter(level__gte=3).order_by("code"):
            prefix = "camat" if region.level == Region.Level.KECAMATAN else "desa"
            username = f"{prefix}.{_slug(region.name)}"
            if username in taken:
                username = f"{username}.{region.code.rsplit('.', 1)[1]}"
            taken.add(username)
            role = (
                User.Role.KECAMATAN_OPERATOR if region.level == Region.Level.KECAMATAN else User.Role.VILLAGE_OPERATOR
            )
            specs.append((username, role, region.code))
        specs += [(f"pendamping{n}", User.Role.FACILITATOR, home) for n in range(2, 9)]
    regions = Region.objects.in_bulk([code for _, _, code in specs])
    existing = User.objects.in_bulk([username for username, _, _ in specs], field_name="username")
    # The admin account is saved first: its history row names itself, and every other account's names it.
    admin = existing.get("admin") or User(username="admin")
    with acting_as(admin):
        for username, role, code in specs:
            user = admin if username == "admin" else existing.get(username) or User(username=username)
            # Drawn for every account, so that the other accounts' names stay what the seed gave them.
            user.first_name, user.last_name = SHOWN_NAMES.get(username, (faker.first_name(), faker.last_name()))
            user.role, user.region, user.is_active = role, regions[code], True
            user.email = f"{username}@example.org"
            user.set_password(password)
            user.save()
    return shown
